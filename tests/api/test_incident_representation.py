"""The incident serializer's direct representation (built for speed, see docs/benchmarks.md) is exactly
what DRF's generic field machinery makes of the declared fields, in English and in zh-Hans."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from incidents.api.serializers import IncidentSerializer
from incidents.choices import IncidentStatus
from incidents.models import Incident
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _generic(serializer, incident):
    return serializers.ModelSerializer.to_representation(serializer, incident)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_direct_representation_equals_the_generic_one(language, circle, duty_officer):
    now = timezone.now().replace(microsecond=123456)
    bare = IncidentFactory(station=circle.station, circle=None)
    full = IncidentFactory(
        station=circle.station,
        circle=circle,
        reported_by=duty_officer,
        status=IncidentStatus.CLOSED,
        reported_at=now - timedelta(hours=1),
        occurred_at=now - timedelta(hours=1, minutes=5),
        first_dispatched_at=now - timedelta(minutes=50),
        first_arrived_at=now - timedelta(minutes=40),
        resolved_at=now - timedelta(minutes=10),
        closed_at=now,
        address="东方伟业广场",
        description="描述",
        outcome="已处置",
        lat=26.6612345,
        lng=119.5523456,
    )
    request = APIRequestFactory().get("/api/v1/incidents/")
    with translation.override(language):
        for incident in Incident.objects.with_related().filter(pk__in=[bare.pk, full.pk]):
            serializer = IncidentSerializer(context={"request": request})
            direct = serializer.to_representation(incident)
            generic = _generic(IncidentSerializer(context={"request": request}), incident)
            assert list(direct) == list(generic)
            assert direct == generic


def test_without_a_request_the_generic_path_answers(circle):
    incident = IncidentFactory(station=circle.station, circle=circle)
    with pytest.raises(AssertionError):  # the url field needs the request, as before
        _ = IncidentSerializer(incident).data


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_list_pages_rows_equal_the_generic_representation(language, api, make_token, circle, duty_officer):
    """The list reads plain rows (no model instances) and the renderer writes the times: same JSON."""
    now = timezone.now().replace(microsecond=654321)
    IncidentFactory(station=circle.station, circle=None, reported_at=now - timedelta(minutes=1))
    IncidentFactory(
        station=circle.station,
        circle=circle,
        reported_by=duty_officer,
        status=IncidentStatus.RESOLVED,
        reported_at=now,
        first_dispatched_at=now + timedelta(minutes=2),
        resolved_at=now + timedelta(minutes=30),
        lat=26.6612345,
        lng=119.5523456,
    )
    response = api.as_token(make_token(duty_officer)).get("/api/v1/incidents/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    request = APIRequestFactory().get("/api/v1/incidents/")
    with translation.override(language):
        expected = [
            _generic(IncidentSerializer(context={"request": request}), incident)
            for incident in Incident.objects.with_related().order_by("-reported_at", "-pk")
        ]
    rows = response.json()["results"]
    assert [list(row) for row in rows] == [list(row) for row in expected]
    assert rows == expected
    assert rows[0]["reported_by"] == str(duty_officer) and rows[1]["reported_by"] is None
