"""Each dashboard figure equals a value computed by hand on a small, fixed data set.

The data set (local time, Asia/Shanghai) lies on three days D, D+1, D+2 ending a week ago:
- station A (circles `plaza` and `works`), station B (circle `lake`);
- `plaza`: a fight dispatched after 2 min, arrived 6 min later, resolved after 30 min; a theft
  dispatched after 4 min, arrived 10 min later, resolved after 20 min; a drunk found by a patrol
  (arrived 1 min after the report, NO dispatch), resolved after 10 min;
- `works`: a P1 dispute still reported (open) and one cancelled traffic incident;
- `lake`: one water rescue (station B), dispatched after 1 min, arrived 3 min later;
- one fight on day D-3 (the previous period) in `plaza`.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incidents import rollups
from incidents.choices import Category, IncidentStatus, Priority, Source, TipStatus
from incidents.models import IncidentBinRollup
from patrols.choices import DutyState
from patrols.models import PatrolShift, PatrolTeam, TeamStateChange
from portal.dashboards import figures
from portal.dashboards.figures import Scope, date_period
from portal.roles import Role, sees_all_stations
from tests.factories import (
    CircleFactory,
    HazardFactory,
    IncidentFactory,
    ShiftFactory,
    StationFactory,
    TeamFactory,
    TipFactory,
    square,
    user_with_role,
)

MIN = timedelta(minutes=1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=rollups.local_zone())


class Data:
    pass


@pytest.fixture
def data(db) -> Data:
    d = Data()
    d.day = timezone.localdate() - timedelta(days=9)  # D; the period is D … D+2
    d.period = date_period(d.day, d.day + timedelta(days=2))
    d.a = StationFactory(name="五里亭派出所", code="wlt")
    d.b = StationFactory(name="东湖派出所", code="dh")
    d.plaza = CircleFactory(station=d.a, name="平安商业圈", boundary=square(119.55, 26.66))
    d.works = CircleFactory(station=d.a, name="和谐工业圈", boundary=square(119.535, 26.672, 0.004))
    d.lake = CircleFactory(station=d.b, name="绿色生态圈", boundary=square(119.575, 26.652))
    d.staff = user_with_role(Role.SUB_BUREAU_STAFF, username="bureau", station=None)
    d.commander = user_with_role(Role.STATION_COMMANDER, username="wlt", station=d.a)
    d.commander_b = user_with_role(Role.STATION_COMMANDER, username="dh", station=d.b)

    def incident(circle, category, reported, *, priority=Priority.P2, dispatch=None, arrive=None, resolve=None,
                 status=None, source=Source.CALL_110, lat=26.66, lng=119.55):  # fmt: skip
        dispatched = reported + dispatch if dispatch is not None else None
        arrived = (dispatched or reported) + arrive if arrive is not None else None
        resolved = arrived + resolve if resolve is not None else None
        if status is None:
            status = (
                IncidentStatus.RESOLVED
                if resolved
                else IncidentStatus.ON_SCENE
                if arrived
                else IncidentStatus.DISPATCHED
                if dispatched
                else IncidentStatus.REPORTED
            )
        return IncidentFactory(
            station=circle.station,
            circle=circle,
            category=category,
            priority=priority,
            source=source,
            status=status,
            occurred_at=reported - MIN,
            reported_at=reported,
            first_dispatched_at=dispatched,
            first_arrived_at=arrived,
            resolved_at=resolved,
            lat=lat,
            lng=lng,
        )

    d1, d2 = d.day, d.day + timedelta(days=1)
    # plaza: Monday-ish night peak, whatever the weekday: hours 22 and 23 of D
    d.fight = incident(d.plaza, Category.FIGHT, local(d1, 22, 10), dispatch=2 * MIN, arrive=6 * MIN, resolve=30 * MIN)
    d.theft = incident(
        d.plaza, Category.THEFT, local(d1, 23, 10), priority=Priority.P3, dispatch=4 * MIN, arrive=10 * MIN,
        resolve=20 * MIN,
    )  # fmt: skip
    d.drunk = incident(
        d.plaza, Category.DRUNK_DISORDERLY, local(d2, 23, 30), arrive=MIN, resolve=10 * MIN,
        source=Source.PATROL_DISCOVERY,
    )  # fmt: skip
    d.dispute = incident(d.works, Category.DISPUTE, local(d2, 9, 5), priority=Priority.P1, lat=26.672, lng=119.535)
    d.traffic = incident(
        d.works, Category.TRAFFIC, local(d2, 10, 0), status=IncidentStatus.CANCELLED, lat=26.672, lng=119.535
    )
    d.rescue = incident(
        d.lake, Category.WATER_RESCUE, local(d1, 15, 0), priority=Priority.P1, dispatch=MIN, arrive=3 * MIN,
        lat=26.652, lng=119.575,
    )  # fmt: skip
    d.earlier = incident(d.plaza, Category.FIGHT, local(d.day - timedelta(days=3), 21, 0), dispatch=MIN, arrive=MIN)
    rollups.rebuild()
    return d


def test_incidents_by_category_and_priority_with_the_previous_period(data):
    result = figures.incidents_by_kind(data.staff, data.period, Scope())
    assert result["total"] == 6
    assert result["previous_total"] == 1
    by_category = {c["value"]: (c["count"], c["previous"]) for c in result["categories"]}
    assert by_category[Category.FIGHT] == (1, 1)
    assert by_category[Category.THEFT] == (1, 0)
    assert by_category[Category.WATER_RESCUE] == (1, 0)
    assert by_category[Category.FRAUD] == (0, 0)
    by_priority = {p["value"]: p["count"] for p in result["priorities"]}
    assert by_priority == {Priority.P1: 2, Priority.P2: 3, Priority.P3: 1, Priority.P4: 0}
    by_circle = {c["label"]: c["count"] for c in result["circles"]}
    assert by_circle == {"平安商业圈": 3, "和谐工业圈": 2, "绿色生态圈": 1}


def test_a_commander_counts_only_the_own_station_even_with_an_empty_scope(data):
    result = figures.incidents_by_kind(data.commander, data.period, Scope())
    assert result["total"] == 5
    assert {c["label"] for c in result["circles"]} == {"平安商业圈", "和谐工业圈"}
    other = figures.incidents_by_kind(data.commander, data.period, Scope(station_id=data.b.pk))
    assert other["total"] == 0
    assert figures.intervals(data.commander, data.period, Scope(station_id=data.b.pk))["overall"]["travel"]["n"] == 0


def test_heat_grid_puts_each_incident_at_its_local_hour_and_weekday(data):
    result = figures.heat_grid(data.staff, data.period, Scope(circle_id=data.plaza.pk))
    d1, d2 = data.day.isoweekday(), (data.day + timedelta(days=1)).isoweekday()
    grid = result["grid"]
    # occurred one minute before the report: 22:09, 23:09 on D and 23:29 on D+1
    assert grid[d1 - 1][22] == 1
    assert grid[d1 - 1][23] == 1
    assert grid[d2 - 1][23] == 1
    assert sum(map(sum, grid)) == 3
    assert result["max"] == 1


def test_intervals_per_circle_are_nearest_rank_and_an_arrival_without_dispatch_has_no_travel_time(data):
    result = figures.intervals(data.staff, data.period, Scope())
    plaza = next(c for c in result["circles"] if c["id"] == data.plaza.pk)
    # travel: fight 6, theft 10 (the drunk was found by a patrol: no dispatch, no travel time)
    assert plaza["travel"]["n"] == 2
    assert plaza["travel"]["median"] == 6 * 60
    assert plaza["travel"]["p90"] == 10 * 60
    # queue: 2, 4
    assert (plaza["queue"]["median"], plaza["queue"]["p90"]) == (120, 240)
    # response (report -> arrival): 8, 14, and 1 for the drunk
    assert plaza["response"]["n"] == 3
    assert (plaza["response"]["median"], plaza["response"]["p90"]) == (8 * 60, 14 * 60)
    # on scene: 30, 20, 10
    assert (plaza["on_scene"]["median"], plaza["on_scene"]["p90"]) == (20 * 60, 30 * 60)
    works = next(c for c in result["circles"] if c["id"] == data.works.pk)
    assert works["travel"]["n"] == 0 and works["travel"]["median"] is None
    # overall travel: 6, 10 and the lake's 3
    assert result["overall"]["travel"]["n"] == 3
    assert result["overall"]["travel"]["median"] == 6 * 60


def test_backlog_counts_open_incidents_by_age_since_the_report(data):
    now = timezone.now().replace(microsecond=700_000)
    IncidentFactory(station=data.a, circle=data.plaza, reported_at=now - 30 * MIN)
    IncidentFactory(station=data.a, circle=data.plaza, reported_at=now - 2 * timedelta(hours=1))
    IncidentFactory(station=data.a, circle=data.plaza, reported_at=now)  # after now's whole second: still counted
    result = figures.backlog(data.staff, data.period, Scope(), now=now)
    counts = [b["count"] for b in result["buckets"]]
    # the dispute reported on D (over a week ago) and the incident dispatched on D (the lake's rescue is on scene)
    assert counts == [2, 1, 0, 0, 3]
    assert result["total"] == 6
    # as of the whole second, in local time; the links' times likewise
    assert result["as_of"] == now.replace(microsecond=0).astimezone(rollups.local_zone()).isoformat()
    one_hour_ago = (now.replace(microsecond=0) - timedelta(hours=1)).astimezone(rollups.local_zone()).isoformat()
    assert result["buckets"][0]["url"].endswith("&reported_after=" + one_hour_ago.replace("+", "%2B"))


def test_teams_on_duty_patrol_hours_and_the_share_of_patrol_and_response_time(data):
    team = TeamFactory(station=data.a, circle=data.plaza, duty_state=DutyState.RESPONDING)
    TeamFactory(station=data.b, circle=data.lake, duty_state=DutyState.PATROLLING)
    start = data.period.start
    ShiftFactory(team=team, starts_at=start + timedelta(hours=8), ends_at=start + timedelta(hours=12))
    ShiftFactory(team=team, starts_at=start - timedelta(hours=2), ends_at=start + timedelta(hours=1))  # 1 h inside
    TeamStateChange.objects.create(
        team=team, from_state="off_duty", to_state="patrolling", at=start - timedelta(hours=1)
    )
    TeamStateChange.objects.create(
        team=team, from_state="patrolling", to_state="responding", at=start + timedelta(hours=3)
    )
    TeamStateChange.objects.create(
        team=team, from_state="responding", to_state="off_duty", at=start + timedelta(hours=4)
    )
    result = figures.teams(data.commander, data.period, Scope(station_id=data.a.pk))
    assert result["on_duty"] == 1
    assert (result["patrolling"], result["responding"]) == (0, 1)
    assert result["shift_hours"] == 5.0
    assert (result["patrol_hours"], result["response_hours"]) == (3.0, 1.0)
    assert result["patrol_share_pct"] == 75.0


_STATES = tuple(DutyState.values)
_TENTH = timedelta(minutes=6)  # times on tenths of an hour: the figures' rounding has no tie to break
#: a change's time in tenths of an hour from the period's start; often one of a few, for changes at the same time
_AT = st.one_of(st.integers(-100, 900), st.sampled_from([-3, 0, 7]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    teams=st.lists(
        st.tuples(
            st.sampled_from(_STATES),  # the state now
            st.lists(st.tuples(_AT, st.sampled_from(_STATES)), max_size=6),  # the log
            st.lists(st.tuples(st.integers(-100, 900), st.integers(1, 150)), max_size=3),  # shifts: start, length
            st.booleans(),  # the commander's station (else the other one's: not counted)
        ),
        min_size=1,
        max_size=4,
    ),
    now=st.integers(-50, 900),  # in tenths of an hour from the period's start (before it, in it, after it)
)
@example(  # two changes at one time before the period: the later-made one is the state at its start
    teams=[("off_duty", [(-3, DutyState.RESPONDING), (-3, DutyState.PATROLLING)], [], True)], now=900
)
def test_teams_time_in_state_and_shift_hours_equal_a_walk_through_each_log(data, teams, now):
    """The database's time in each state (a team's last change before the period, then each change in it until
    the next, or the end) and clipped shift hours, against a walk through every tenth of an hour."""
    PatrolShift.objects.all().delete()  # (the examples share the fixture's transaction)
    PatrolTeam.objects.all().delete()  # with their logs
    start = data.period.start
    end = min(data.period.end, start + now * _TENTH)
    states, shift_tenths, tenths = Counter(), 0, Counter()
    for state_now, log, shifts, own in teams:
        team = TeamFactory(station=data.a if own else data.b, duty_state=state_now)
        changes = [
            TeamStateChange.objects.create(team=team, from_state="off_duty", to_state=to, at=start + at * _TENTH)
            for at, to in log
        ]
        for at, length in shifts:
            ShiftFactory(team=team, starts_at=start + at * _TENTH, ends_at=start + (at + length) * _TENTH)
        if not own:
            continue
        states[state_now] += 1
        moment = start
        while moment < end:  # the state at each tenth: the last change at or before it (the later-made on a tie)
            done = [c for c in changes if c.at <= moment]
            if done:
                tenths[max(done, key=lambda c: (c.at, c.pk)).to_state] += 1
            shift_tenths += sum(start + at * _TENTH <= moment < start + (at + n) * _TENTH for at, n in shifts)
            moment += _TENTH
    result = figures.teams(data.commander, data.period, Scope(), now=start + now * _TENTH)
    assert {s["value"]: s["count"] for s in result["states"]} == {state: states[state] for state in _STATES}
    patrol = tenths[DutyState.PATROLLING] + tenths[DutyState.RETURNING]
    response = tenths[DutyState.RESPONDING] + tenths[DutyState.ON_SCENE]
    assert (result["patrol_hours"], result["response_hours"]) == (patrol / 10, response / 10)
    assert result["shift_hours"] == shift_tenths / 10
    assert result["patrol_share_pct"] == (round(patrol / (patrol + response) * 100, 1) if patrol + response else None)


def test_tips_and_hazards(data):
    at = data.period.start + timedelta(hours=5)
    TipFactory(station=data.a, received_at=at)
    TipFactory(station=data.a, received_at=at, status=TipStatus.VERIFIED)
    TipFactory(station=data.a, received_at=at, status=TipStatus.CONVERTED, incident=data.dispute)
    TipFactory(station=data.b, received_at=at, status=TipStatus.CONVERTED, incident=data.rescue)
    TipFactory(station=data.a, received_at=data.period.end + timedelta(hours=1))
    assert figures.tips(data.commander, data.period, Scope()) == {
        "received": 3,
        "verified": 2,
        "converted": 1,
        "conversion_pct": 33.3,
    }
    today = timezone.localdate()
    HazardFactory(station=data.a, due_date=today - timedelta(days=1))
    HazardFactory(station=data.a, due_date=today + timedelta(days=1))
    HazardFactory(station=data.b, due_date=today - timedelta(days=1))
    result = figures.hazards(data.commander, data.period, Scope(), today=today)
    assert (result["open"], result["overdue"]) == (2, 1)


def test_hotspots_rank_grid_cells(data):
    result = figures.hotspots(data.staff, data.period, Scope())
    top = result["cells"][0]
    assert top["count"] == 3  # the plaza's three incidents share a point
    assert top["cell"] == rollups.geo.grid_cell(26.66, 119.55)
    min_lng, min_lat, max_lng, max_lat = top["bbox"]
    assert min_lat <= 26.66 <= max_lat and min_lng <= 119.55 <= max_lng


def test_hotspots_keep_the_busiest_cells_counting_the_partial_days_too(data):
    """The top cells are picked by the database over whole days; partial days can change which they are."""
    plaza, works = rollups.geo.grid_cell(26.66, 119.55), rollups.geo.grid_cell(26.672, 119.535)
    top = figures.hotspots(data.staff, data.period, Scope(), limit=2)["cells"]
    assert [(c["cell"], c["count"]) for c in top] == [(plaza, 3), (works, 2)]
    assert [c["cell"] for c in figures.hotspots(data.staff, data.period, Scope(), limit=1)["cells"]] == [plaza]
    # [D 22:00, D+2 00:00): on the whole day D+1 the works lead (2 to 1), but D's last two hours add the plaza's 2
    period = figures.Period(local(data.day, 22), local(data.day + timedelta(days=2), 0))
    top = figures.hotspots(data.staff, period, Scope(), limit=1)["cells"]
    assert [(c["cell"], c["count"]) for c in top] == [(plaza, 3)]
    rows = figures.day_rows(data.staff, period, Scope(), cells=1)
    assert [(cell, n) for _field, _c, _w, cell, n, _low, _high in rows["cells"]] == [(plaza, 3)]


def test_a_custom_range_with_partial_days_reads_the_raw_table_for_them(data):
    """[D 22:00, D+1 23:15): D's 22:09 and 23:09, D+1's 09:04 and 09:59; outside: D+1's 23:29, D's 14:59."""
    start = local(data.day, 22, 0)
    end = local(data.day + timedelta(days=1), 23, 15)
    period = figures.Period(start, end)
    assert period.whole_days() is None
    assert figures.incidents_by_kind(data.staff, period, Scope())["total"] == 4
    wide = figures.Period(local(data.day, 22, 0), local(data.day + timedelta(days=2), 9, 30))
    assert wide.whole_days() == (data.day + timedelta(days=1), data.day + timedelta(days=2))
    # D 22:09, 23:09; all of D+1 (drunk 23:29, dispute 09:04, traffic 09:59); D+2 until 09:30: nothing
    assert figures.incidents_by_kind(data.staff, wide, Scope())["total"] == 5
    heat = figures.heat_grid(data.staff, wide, Scope())
    assert sum(map(sum, heat["grid"])) == 5


def test_a_five_year_range_is_summed_from_the_rollups_with_its_previous_five_years(data, django_assert_num_queries):
    """A custom range of years reads as many statements as a week, and every day of it counts."""
    today = timezone.localdate()
    years_ago = local(today - timedelta(days=3 * 365), 8)
    IncidentFactory(station=data.a, circle=data.works, category=Category.THEFT, occurred_at=years_ago)
    long_ago = local(today - timedelta(days=7 * 365), 8)
    before = IncidentFactory(station=data.b, circle=data.lake, category=Category.FRAUD, occurred_at=long_ago)
    rollups.rebuild()
    period = date_period(today - timedelta(days=5 * 365 - 1), today)
    assert period.whole_days() == (today - timedelta(days=5 * 365 - 1), today + timedelta(days=1))
    sees_all_stations(data.staff)
    with django_assert_num_queries(2):  # this range and the previous one in one statement, the circles
        kinds = figures.incidents_by_kind(data.staff, period, Scope())
    assert kinds["total"] == 8  # the six of the fixture's three days, the earlier fight and the one three years ago
    assert kinds["previous_total"] == 1  # `before`
    by_category = {c["value"]: (c["count"], c["previous"]) for c in kinds["categories"]}
    assert by_category[Category.THEFT] == (2, 0)
    assert by_category[Category.FRAUD] == (0, 1)
    assert {c["label"]: c["count"] for c in kinds["circles"]} == {"平安商业圈": 4, "和谐工业圈": 3, "绿色生态圈": 1}
    heat = figures.heat_grid(data.staff, period, Scope())
    assert sum(map(sum, heat["grid"])) == 8
    assert heat["grid"][years_ago.isoweekday() - 1][8] == 1
    assert sum(c["count"] for c in figures.hotspots(data.staff, period, Scope(), limit=100)["cells"]) == 8
    # a commander's five years are the own station's only
    assert figures.incidents_by_kind(data.commander, period, Scope())["previous_total"] == 0
    assert before.station_id == data.b.pk


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(tuple(rollups.INTERVALS)),
        st.dictionaries(st.integers(0, len(rollups.BUCKET_EDGES) - 1), st.integers(1, 50), min_size=1, max_size=30),
        max_size=4,
    ),
    st.sampled_from(["day", "week"]),
)
def test_interval_percentiles_are_the_nearest_rank_of_the_values_the_histograms_hold(data, histograms, span):
    """The database's percentiles (over the rows of each circle and of them all) against a sorted list's."""
    IncidentBinRollup.objects.all().delete()
    day = rollups.span_start(span, data.day)
    rows = []
    for name, histogram in histograms.items():
        for bucket, n in histogram.items():  # split between the plaza and the works, as per-circle rows are
            for circle, part in ((data.plaza, n // 2), (data.works, n - n // 2)):
                if part:
                    rows.append((circle, name, bucket, part))
    IncidentBinRollup.objects.bulk_create(
        IncidentBinRollup(
            span=span,
            day=day,
            weekday=0,
            station=circle.station,
            circle=circle,
            measure=name,
            bin=str(bucket),
            count=n,
        )
        for circle, name, bucket, n in rows
    )
    result = figures.intervals(data.staff, date_period(day, day + timedelta(days=40)), Scope())

    def expected(values: list[int], p: int) -> int | None:
        values = sorted(values)
        return values[max(math.ceil(p / 100 * len(values)), 1) - 1] if values else None

    for name in rollups.INTERVALS:
        everyone = []
        for circle in (data.plaza, data.works):
            values = [rollups.bucket_floor(b) for c, m, b, n in rows if c == circle and m == name for _ in range(n)]
            everyone += values
            figure = next(c for c in result["circles"] if c["id"] == circle.pk)[name]
            assert (figure["n"], figure["median"], figure["p90"]) == (
                len(values),
                *(expected(values, p) for p in (50, 90)),
            )
        overall = result["overall"][name]
        assert (overall["n"], overall["median"], overall["p90"]) == (
            len(everyone),
            expected(everyone, 50),
            expected(everyone, 90),
        )


def test_days_subtracted_from_a_piece_leave_no_figure_of_nothing_behind(data, monkeypatch):
    """A cover that adds the day before the range and takes it away again (as `rollups.cover` does with a longer
    span) gives the range's own figures: the lake's rescue on D leaves no hotspot and no interval counting nothing."""

    def figures_of(period):
        return (
            figures.incidents_by_kind(data.staff, period, Scope()),
            figures.heat_grid(data.staff, period, Scope()),
            figures.intervals(data.staff, period, Scope()),
            figures.hotspots(data.staff, period, Scope(), limit=100),
        )

    d1, d2 = data.day + timedelta(days=1), data.day + timedelta(days=2)
    expected = figures_of(date_period(d1, d2))
    assert expected[2]["circles"][-1]["queue"]["n"] == 0  # the lake: nothing on D+1 and D+2
    day_before = timedelta(days=1)
    monkeypatch.setattr(rollups, "cover", lambda a, b: (("day", a - day_before, b, 1), ("day", a - day_before, a, -1)))
    assert figures_of(date_period(d1, d2)) == expected


def test_partial_days_only_give_the_same_percentiles_and_counts_as_the_rollups(data):
    """[D 22:00, D+1 00:00) is read from the incident table alone (as VALUES beside no rollup piece): the plaza's
    fight and theft, and an incident of no circle, which counts in the totals and the overall times only."""
    start = local(data.day, 22)
    IncidentFactory(
        station=data.a, circle=None, category=Category.FIGHT, occurred_at=start + 20 * MIN,
        reported_at=start + 21 * MIN, first_dispatched_at=start + 24 * MIN, first_arrived_at=start + 30 * MIN,
        status=IncidentStatus.ON_SCENE,
    )  # fmt: skip
    period = figures.Period(start, start + timedelta(hours=2))
    assert period.whole_days() is None and period.pieces == ()
    kinds = figures.incidents_by_kind(data.staff, period, Scope())
    assert (kinds["total"], kinds["previous_total"]) == (3, 0)
    assert {c["label"]: c["count"] for c in kinds["circles"]} == {"平安商业圈": 2, "和谐工业圈": 0, "绿色生态圈": 0}
    spans = figures.intervals(data.staff, period, Scope())
    plaza = next(c for c in spans["circles"] if c["id"] == data.plaza.pk)
    assert (plaza["travel"]["n"], plaza["travel"]["median"], plaza["travel"]["p90"]) == (2, 6 * 60, 10 * 60)
    # overall travel: 6 and 10 (plaza) and 6 (no circle): median 6, p90 10
    assert (spans["overall"]["travel"]["n"], spans["overall"]["travel"]["median"]) == (3, 6 * 60)
    assert spans["overall"]["queue"]["p90"] == 4 * 60
    # the incidents of no circle are summed apart from all of them, never in their place (whatever the rows' order)
    rows = figures.day_rows(data.staff, period, Scope(), ("intervals",))["intervals"]
    travel = {(level, circle): n for _f, circle, level, name, n, _m, _p in rows if name == "travel"}
    assert travel == {(0, data.plaza.pk): 2, (0, None): 1, (1, None): 3}
    for rows_in_order in (rows, rows[::-1]):
        again = figures.intervals(data.staff, period, Scope(), rows={"intervals": rows_in_order})
        assert again["overall"]["travel"]["n"] == 3
    heat = figures.heat_grid(data.staff, period, Scope())
    assert heat["grid"][data.day.isoweekday() - 1][22] == 2 and sum(map(sum, heat["grid"])) == 3


def test_a_range_of_whole_and_partial_days_reads_both_in_one_statement(data, django_assert_num_queries):
    """[D 22:00, D+2 00:00): D's last two hours from the incident table, D+1 from the rollups, summed together."""
    period = figures.Period(local(data.day, 22), local(data.day + timedelta(days=2), 0))
    sees_all_stations(data.staff)
    with django_assert_num_queries(1 + 1):  # the raw rows of the partial day, then one statement for all
        spans = figures.day_rows(data.staff, period, Scope(), ("intervals",))
    found = {(row[1], row[3]): row[4:] for row in spans["intervals"] if row[2] == 0}
    # plaza response: 8 and 14 (D), 1 (the drunk, D+1): median 8, p90 14
    assert found[data.plaza.pk, "response"] == (3, rollups.bucket_of(8 * 60), rollups.bucket_of(14 * 60))


def test_fields_with_nothing_to_read_stay_empty_beside_those_read(data):
    """Two hours of a day with incidents but no interval (the works' dispute is still open and the traffic incident was
    cancelled): the cells are read, the intervals stay empty rather than taking the cells' rows."""
    period = figures.Period(local(data.day + timedelta(days=1), 9), local(data.day + timedelta(days=1), 11))
    rows = figures.day_rows(data.staff, period, Scope(), ("intervals", "cells"))
    assert rows["intervals"] == []
    assert [(cell, n) for _field, _c, _w, cell, n, _low, _high in rows["cells"]] == [
        (rollups.geo.grid_cell(26.672, 119.535), 2)
    ]
