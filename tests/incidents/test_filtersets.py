"""IncidentFilterSet: the shared filters, bad input as form errors, and never an unscoped queryset."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from incidents.choices import Category, IncidentStatus
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident
from tests.factories import CircleFactory, IncidentFactory, square

pytestmark = pytest.mark.django_db


def run(user, **params):
    request = RequestFactory().get("/incidents/", params)
    request.user = user
    return IncidentFilterSet(request.GET, queryset=Incident.objects.visible_to(user), request=request)


@pytest.fixture
def incidents(station, other_station):
    now = timezone.now()
    return {
        "plaza": IncidentFactory(
            station=station,
            summary="广场醉酒滋事",
            address="东方伟业广场",
            lat=26.661,
            lng=119.552,
            category=Category.DRUNK_DISORDERLY,
            reported_at=now - timedelta(days=2),
        ),
        "lake": IncidentFactory(
            station=station,
            summary="东湖落水",
            lat=26.670,
            lng=119.560,
            category=Category.WATER_RESCUE,
            reported_at=now - timedelta(hours=1),
        ),
        "elsewhere": IncidentFactory(station=other_station, summary="广场纠纷", category=Category.DISPUTE),
    }


class IncidentFilterSetTests:
    def test_without_filters_it_lists_the_scoped_rows_only(self, incidents, commander):
        assert set(run(commander).qs) == {incidents["plaza"], incidents["lake"]}

    def test_text_search_looks_at_number_summary_and_address(self, incidents, commander, staff_user):
        assert list(run(commander, q="广场").qs) == [incidents["plaza"]]
        assert set(run(staff_user, q="广场").qs) == {incidents["plaza"], incidents["elsewhere"]}
        assert list(run(commander, q=incidents["lake"].number).qs) == [incidents["lake"]]

    def test_bbox_keeps_the_incidents_inside(self, incidents, commander):
        assert list(run(commander, bbox="119.55,26.66,119.555,26.665").qs) == [incidents["plaza"]]

    @pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "119.6,26.6,119.5,26.7", "nan,1,2,3"])
    def test_a_malformed_bbox_is_a_form_error_not_a_crash(self, incidents, commander, bbox):
        filterset = run(commander, bbox=bbox)
        assert not filterset.is_valid()
        assert "bbox" in filterset.errors
        assert list(filterset.qs) == []

    def test_a_bad_date_is_a_form_error(self, incidents, commander):
        filterset = run(commander, occurred_after="yesterday-ish")
        assert "occurred_after" in filterset.errors

    def test_ranges_categories_and_statuses(self, incidents, commander):
        since = (timezone.now() - timedelta(days=1)).isoformat()
        assert list(run(commander, reported_after=since).qs) == [incidents["lake"]]
        assert list(run(commander, category=[Category.WATER_RESCUE]).qs) == [incidents["lake"]]
        assert set(run(commander, status=[IncidentStatus.REPORTED], is_open="true").qs) == {
            incidents["plaza"],
            incidents["lake"],
        }
        assert list(run(commander, is_open="false").qs) == []

    def test_updated_since_for_synchronisation(self, incidents, commander):
        later = (timezone.now() + timedelta(seconds=1)).isoformat()
        assert list(run(commander, updated_since=later).qs) == []

    def test_a_circle_of_another_station_is_not_a_valid_choice(self, incidents, commander, other_station):
        foreign = CircleFactory(station=other_station, boundary=square(119.6, 26.7))
        filterset = run(commander, circle=[foreign.pk])
        assert "circle" in filterset.errors

    def test_it_refuses_to_run_without_the_scoped_queryset(self):
        with pytest.raises(TypeError):
            IncidentFilterSet({})
