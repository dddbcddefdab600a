"""A list whose request names no filter skips the filterset; the answer is the same as with it."""

import pytest

from incidents.choices import Priority, TipStatus
from tests.factories import IncidentFactory, TipFactory

pytestmark = pytest.mark.django_db


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_plain_incident_list_is_every_row_in_scope(api, make_token, commander, station, other_station):
    usual = IncidentFactory(station=station, priority=Priority.P3)
    urgent = IncidentFactory(station=station, priority=Priority.P1)
    IncidentFactory(station=other_station)
    client = api.as_token(make_token(commander))
    assert _ids(client, "/api/v1/incidents/?page_size=10") == {usual.pk, urgent.pk}
    assert _ids(client, f"/api/v1/incidents/?page_size=10&priority={Priority.P1.value}") == {urgent.pk}
    assert client.get("/api/v1/incidents/?is_open=maybe").status_code == 400


def test_a_filterset_with_a_default_still_applies_it(api, make_token, commander, station):
    """The tips list opens on the inbox (new and verified) even when no filter is named."""
    new, verified = TipFactory(station=station), TipFactory(station=station, status=TipStatus.VERIFIED)
    dismissed = TipFactory(station=station, status=TipStatus.DISMISSED)
    client = api.as_token(make_token(commander))
    assert _ids(client, "/api/v1/tips/") == {new.pk, verified.pk}
    assert _ids(client, "/api/v1/tips/?page_size=10") == {new.pk, verified.pk}
    assert _ids(client, "/api/v1/tips/?status=all") == {new.pk, verified.pk, dismissed.pk}
