"""A patrol team near an open hazard sees the warning on its page (loaded from the hazards' own view)."""

import pytest
from django.urls import reverse

from patrols.services import team_report_position
from tests.factories import HazardFactory, TeamFactory

pytestmark = pytest.mark.django_db


def warning(client, lat, lng):
    return client.get(reverse("incidents:hazard_warning"), {"lat": lat, "lng": lng})


def test_an_open_hazard_covering_the_point_is_listed(client, commander):
    HazardFactory(station=commander.station, title="东湖落水隐患", lat=26.6600, lng=119.5500, warn_radius_m=200)
    client.force_login(commander)
    response = warning(client, 26.6605, 119.5505)  # about 70 m away
    assert response.status_code == 200
    assert "东湖落水隐患" in response.content.decode()


def test_a_hazard_farther_than_its_radius_or_of_another_station_is_not(client, commander, other_station):
    HazardFactory(station=commander.station, title="远处隐患", lat=26.6600, lng=119.5500, warn_radius_m=50)
    HazardFactory(station=other_station, title="他所隐患", lat=26.6605, lng=119.5505, warn_radius_m=500)
    client.force_login(commander)
    html = warning(client, 26.6605, 119.5505).content.decode()
    assert "远处隐患" not in html and "他所隐患" not in html


def test_a_bad_point_is_a_400(client, commander):
    client.force_login(commander)
    assert warning(client, "x", 119.55).status_code == 400
    assert warning(client, 39.9, 116.4).status_code == 400


def test_the_team_page_loads_the_warning_for_the_teams_position(client, commander):
    team = TeamFactory(station=commander.station)
    team_report_position(team=team, lat=26.6612, lng=119.5523)
    client.force_login(commander)
    html = client.get(team.get_absolute_url()).content.decode()
    assert reverse("incidents:hazard_warning") + "?lat=26.6612000&amp;lng=119.5523000" in html
