"""Chart segments link to exactly the incidents they count; each panel runs a pinned number of queries; the pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from incidents.choices import Category
from portal.dashboards import figures
from portal.dashboards.figures import Scope, preset_period
from portal.roles import Role, sees_all_stations
from tests.dashboards.test_figures import data  # noqa: F401  (the shared data set)
from tests.factories import IncidentFactory, user_with_role


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def segments(result_kinds, heat, intervals, backlog, hotspots):
    """(count, url) of every chart segment that counts incidents."""
    for c in [*result_kinds["categories"], *result_kinds["priorities"], *result_kinds["circles"]]:
        yield c["count"], c["url"]
        for per_category in c.get("categories", {}).values():
            yield per_category["count"], per_category["url"]
    yield result_kinds["total"], result_kinds["url"]
    yield result_kinds["previous_total"], result_kinds["previous_url"]
    for _weekday, _hour, n, url in figures.heat_cells(heat):
        if n:
            yield n, url
    for circle in [intervals["overall"], *intervals["circles"]]:
        for name in ("queue", "travel", "response", "on_scene"):
            yield circle[name]["n"], circle[name]["url"]
    for bucket in backlog["buckets"]:
        yield bucket["count"], bucket["url"]
    for cell in hotspots["cells"]:
        yield cell["count"], cell["url"]


@pytest.mark.parametrize("who", ["staff", "commander"])
def test_every_segment_links_to_a_list_with_as_many_incidents_as_it_counts(client, data, who):  # noqa: F811
    user = getattr(data, who)
    client.force_login(user)
    scope = Scope(station_id=None if who == "staff" else data.a.pk)
    period = data.period
    checked = 0
    for count, url in segments(
        figures.incidents_by_kind(user, period, scope),
        figures.heat_grid(user, period, scope),
        figures.intervals(user, period, scope),
        figures.backlog(user, period, scope),
        figures.hotspots(user, period, scope),
    ):
        assert list_count(client, url) == count, url
        checked += 1
    assert checked > 50


def test_links_of_a_custom_range_with_partial_days_match_too(client, data):  # noqa: F811
    client.force_login(data.staff)
    period = figures.Period(data.period.start + timedelta(hours=22), data.period.end - timedelta(hours=14, minutes=30))
    kinds = figures.incidents_by_kind(data.staff, period, Scope())
    assert kinds["total"] > 0
    for c in kinds["categories"]:
        assert list_count(client, c["url"]) == c["count"]
    for _weekday, _hour, n, url in figures.heat_cells(figures.heat_grid(data.staff, period, Scope())):
        if n:
            assert list_count(client, url) == n


# --- query counts --------------------------------------------------------------------------------

PANEL_QUERIES = {
    "incidents_by_kind": 2,  # the rollups of this period and the previous one (one statement), circles
    "heat_grid": 1,
    "intervals": 2,  # bin rollups, circles
    "backlog": 1,
    "teams": 1,  # the teams by state now, the time in each state, the shifts: one statement
    "tips": 1,
    "mediation": 1,
    "hazards": 1,
    "alerts": 1,  # the alerts and their deliveries (one statement)
    "hotspots": 1,
    "party": 1,  # every party count (one statement)
}


@pytest.mark.parametrize("panel", sorted(PANEL_QUERIES))
@pytest.mark.parametrize("key", ["today", "30d"])
def test_each_panel_runs_a_fixed_number_of_queries(data, django_assert_num_queries, panel, key):  # noqa: F811
    for _n in range(20):  # more data does not mean more queries
        IncidentFactory(station=data.a, circle=data.plaza, category=Category.FRAUD, reported_at=timezone.now())
    user = data.commander
    sees_all_stations(user)  # the roles are read once per request, not per panel
    getattr(figures, panel)(user, preset_period(key), Scope(station_id=data.a.pk))  # what a process reads once
    with django_assert_num_queries(PANEL_QUERIES[panel]):
        getattr(figures, panel)(user, preset_period(key), Scope(station_id=data.a.pk))


def test_a_partial_day_adds_one_query_per_piece(data, django_assert_num_queries):  # noqa: F811
    period = figures.Period(data.period.start + timedelta(hours=3), data.period.end - timedelta(hours=3))
    sees_all_stations(data.staff)
    with django_assert_num_queries(1 + 2):  # the whole days' rollups, and the raw rows of each end
        figures.heat_grid(data.staff, period, Scope())


# --- the pages ------------------------------------------------------------------------------------


def test_a_commander_sees_only_the_own_station_on_both_pages(client, data):  # noqa: F811
    client.force_login(data.commander)
    for name in ("dashboards:commander", "dashboards:overview"):
        response = client.get(reverse(name), {"period": "custom", "start": data.day, "end": data.day + timedelta(2)})
        assert response.status_code == 200
        assert response.context["data"]["kinds"]["total"] == 5
        html = response.content.decode()
        assert "绿色生态圈" not in html and "东湖派出所" not in html
    # asking for the other station is not even possible: the field is not there
    response = client.get(reverse("dashboards:commander"), {"station": data.b.pk})
    assert response.context["scope"].station_id == data.a.pk


def test_staff_see_the_three_circles_side_by_side(client, data):  # noqa: F811
    client.force_login(data.staff)
    response = client.get(
        reverse("dashboards:overview"), {"period": "custom", "start": data.day, "end": data.day + timedelta(2)}
    )
    assert response.status_code == 200
    assert [c["label"] for c in response.context["data"]["kinds"]["circles"]] == [
        "平安商业圈",
        "和谐工业圈",
        "绿色生态圈",
    ]
    assert len(response.context["circle_heat"]) == 3
    for item in response.context["circle_heat"]:  # each circle's grid holds exactly that circle's incidents
        assert sum(map(sum, item["heat"]["grid"])) == item["circle"]["count"]
    html = response.content.decode()
    assert 'id="dashboard-charts"' in html and "<script>" not in html
    assert '<option value="custom" selected>' in html and f'value="{data.day.isoformat()}"' in html


def test_a_bad_range_is_refused_with_a_message(client, data):  # noqa: F811
    client.force_login(data.staff)
    response = client.get(reverse("dashboards:commander"), {"period": "custom", "start": "2025-02-01"})
    assert response.status_code == 400
    assert "Give both dates of the custom range." in response.content.decode()
    response = client.get(
        reverse("dashboards:commander"), {"period": "custom", "start": "2025-02-03", "end": "2025-02-01"}
    )
    assert response.status_code == 400


def test_a_user_without_the_incident_permission_gets_403(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("dashboards:commander")).status_code == 403


def test_a_user_of_no_station_sees_empty_figures_and_no_row(data, django_assert_num_queries):  # noqa: F811
    """Outside every station (a commander whose station was taken away): zeros everywhere, not an error."""
    stray = user_with_role(Role.STATION_COMMANDER, username="stray", station=None)
    sees_all_stations(stray)
    period = data.period
    with django_assert_num_queries(0):
        kinds = figures.incidents_by_kind(stray, period, Scope())
        heat = figures.heat_grid(stray, period, Scope())
        spans = figures.intervals(stray, period, Scope())
        figures.backlog(stray, period, Scope())
        team_figures = figures.teams(stray, period, Scope())
        figures.tips(stray, period, Scope())
        figures.hazards(stray, period, Scope())
        figures.hotspots(stray, period, Scope())
    assert kinds["total"] == 0 and kinds["previous_total"] == 0 and kinds["circles"] == []
    assert heat["max"] == 0 and spans["circles"] == [] and team_figures["on_duty"] == 0
    party = figures.party(stray, period, Scope())
    assert party is None or all(f["count"] == 0 for f in party["figures"])


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), st.text(min_size=1), max_size=5))
def test_the_links_query_strings_decode_to_exactly_their_values(params):
    assert dict(parse_qsl(figures._encode(params), keep_blank_values=True)) == params


def test_the_labels_follow_the_active_language_from_call_to_call(data):  # noqa: F811
    labels = {}
    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            kinds = figures.incidents_by_kind(data.staff, data.period, Scope())
            labels.setdefault(language, []).append({c["value"]: c["label"] for c in kinds["categories"]})
    assert labels["en"][0] == labels["en"][1]
    assert labels["en"][0][Category.FIGHT] == "Fight"
    assert labels["zh-hans"][0][Category.FIGHT] != "Fight"
