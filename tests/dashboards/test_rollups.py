"""The rollups always equal a from-scratch recomputation, whatever happens to the incidents (property-based)."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incidents import rollups, services
from incidents.choices import Category, Priority, Source
from incidents.models import Incident, IncidentBinRollup, IncidentRollup
from portal.roles import Role
from tests.factories import CircleFactory, IncidentFactory, StationFactory, TeamFactory, square, user_with_role

POINTS = [(26.66, 119.55), (26.6612, 119.5523), (26.672, 119.535), (26.652, 119.575), (26.70, 119.60)]


COUNT_COLUMNS = ("span", "day", "weekday", "station_id", "circle_id", "category", "priority", "count")
BIN_COLUMNS = ("span", "day", "weekday", "station_id", "circle_id", "measure", "bin", "count")


def stored() -> tuple[list, list]:
    counts = sorted(IncidentRollup.objects.values_list(*COUNT_COLUMNS), key=repr)
    bins = sorted(IncidentBinRollup.objects.values_list(*BIN_COLUMNS), key=repr)
    return counts, bins


def with_longer_spans(days: list[tuple], *, keeps_weekday) -> list[tuple]:
    """Day rows (day, weekday, station, circle, a, b, n) and the week, month, quarter and year rows that sum them."""
    sums: Counter = Counter()
    for day, weekday, station_id, circle_id, a, b, n in days:
        sums["day", day, weekday, station_id, circle_id, a, b] += n
        kept = weekday if keeps_weekday(a) else 0
        for span, start in (
            ("week", day - timedelta(days=day.weekday())),
            ("month", day.replace(day=1)),
            ("quarter", day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)),
            ("year", day.replace(month=1, day=1)),
        ):
            sums[span, start, kept, station_id, circle_id, a, b] += n
    return sorted(((*key, n) for key, n in sums.items()), key=repr)


def recomputed() -> tuple[list, list]:
    """The rollups counted anew from the incidents (days by the rollups' own `Aggregate`, longer spans here)."""
    counts, bins = rollups.Aggregate().add_all(rollups.raw_rows(Incident.objects.all())).rows()
    return (
        with_longer_spans(
            [(r.day, r.weekday, r.station_id, r.circle_id, r.category, r.priority, r.count) for r in counts],
            keeps_weekday=lambda _category: False,
        ),
        with_longer_spans(
            [(r.day, r.weekday, r.station_id, r.circle_id, r.measure, r.bin, r.count) for r in bins],
            keeps_weekday=lambda measure: measure == rollups.HOUR,
        ),
    )


@pytest.fixture
def network(db):
    a = StationFactory(name="五里亭派出所", code="wlt", lat=26.661, lng=119.552)
    b = StationFactory(name="东湖派出所", code="dh", lat=26.652, lng=119.575)
    plaza = CircleFactory(station=a, name="平安商业圈", boundary=square(119.55, 26.66))
    works = CircleFactory(station=a, name="和谐工业圈", boundary=square(119.535, 26.672, 0.004))
    lake = CircleFactory(station=b, name="绿色生态圈", boundary=square(119.575, 26.652))
    teams = [TeamFactory(station=c.station, circle=c) for c in (plaza, works, lake)]
    user = user_with_role(Role.SUB_BUREAU_STAFF, username="bureau", station=None)
    return {"stations": [a, b], "circles": [plaza, works, lake], "teams": teams, "user": user}


step = st.tuples(
    st.just("step"),
    st.integers(0, 20),
    st.sampled_from(["dispatch", "en_route", "arrive", "resolve", "close", "cancel", "transfer"]),
    st.integers(0, 2),
)
op = st.one_of(
    st.tuples(
        st.just("report"),
        st.sampled_from(range(len(POINTS))),
        st.integers(0, 96),
        st.sampled_from(Category.values),
        st.sampled_from(Priority.values),
    ),
    st.tuples(st.just("raw"), st.sampled_from(range(len(POINTS))), st.integers(0, 96)),
    st.tuples(st.just("edit"), st.integers(0, 20), st.integers(0, 96), st.sampled_from(Category.values)),
    st.tuples(st.just("move"), st.integers(0, 20), st.sampled_from(range(len(POINTS)))),
    step,
    step,  # transitions twice as often (drawn directly: filtering the others out made Hypothesis give up)
    st.tuples(st.just("delete"), st.integers(0, 20)),
)


def apply(network, operation) -> None:
    user, now = network["user"], timezone.now()
    kind = operation[0]
    incidents = list(Incident.objects.order_by("pk"))
    pick = (lambda i: incidents[i % len(incidents)]) if incidents else None
    if kind == "report":
        _k, point, hours, category, priority = operation
        lat, lng = POINTS[point]
        services.incident_report(
            by=user, category=category, priority=priority, source=Source.CALL_110, lat=lat, lng=lng,
            occurred_at=now - timedelta(hours=hours), summary="测试",
        )  # fmt: skip
    elif kind == "raw":  # a generated incident (no events): only these can be deleted
        _k, point, hours = operation
        lat, lng = POINTS[point]
        circle = next((c for c in network["circles"] if c.contains(lat, lng)), None)
        station = circle.station if circle else network["stations"][0]
        incident = IncidentFactory(
            station=station, circle=circle, lat=lat, lng=lng, reported_at=now - timedelta(hours=hours)
        )
        rollups.refresh([rollups.key_of(incident)])  # what a bulk load does for the days it wrote
    elif not incidents:
        return
    elif kind == "edit":
        _k, index, hours, category = operation
        incident = pick(index)
        occurred = min(incident.reported_at, now - timedelta(hours=hours))
        services.incident_update(
            incident=incident, by=user, expected_version=incident.version, occurred_at=occurred, category=category
        )
    elif kind == "move":
        _k, index, point = operation
        incident = pick(index)
        lat, lng = POINTS[point]
        services.incident_update(incident=incident, by=user, expected_version=incident.version, lat=lat, lng=lng)
    elif kind == "step":
        _k, index, step, team = operation
        incident, team = pick(index), network["teams"][team]
        if step == "dispatch":
            services.incident_dispatch(incident=incident, team=team, by=user, override=True)
        elif step == "en_route":
            services.incident_mark_en_route(incident=incident, by=user)
        elif step == "arrive":
            services.incident_arrive(incident=incident, team=team, by=user, override=True)
        elif step == "resolve":
            services.incident_resolve(incident=incident, by=user, outcome="处置完毕")
        elif step == "close":
            services.incident_close(incident=incident, by=user)
        else:
            reason = "重复报警"
            (services.incident_cancel if step == "cancel" else services.incident_transfer)(
                incident=incident, by=user, reason=reason
            )
    elif kind == "delete":
        incident = pick(operation[1])
        if not incident.events.exists():
            incident.delete()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(op, min_size=1, max_size=14))
# whole lifecycles, moves between days and stations, and deletes, always tried besides the random ones
@example(
    operations=[
        ("report", 0, 2, "fight", "P2"),
        ("report", 2, 30, "theft", "P3"),
        ("step", 0, "dispatch", 0),
        ("step", 0, "en_route", 0),
        ("step", 0, "arrive", 0),
        ("step", 1, "arrive", 1),
        ("step", 0, "resolve", 0),
        ("step", 0, "close", 0),
        ("edit", 1, 60, "dispute"),
        ("move", 1, 3),
        ("step", 1, "resolve", 0),
    ]
)
@example(operations=[("raw", 0, 5), ("raw", 3, 50), ("report", 1, 1, "fraud", "P1"), ("delete", 0), ("delete", 1)])
@example(operations=[("report", 0, 0, "fight", "P1"), ("step", 0, "dispatch", 2), ("step", 0, "cancel", 0)])
def test_rollups_equal_a_recomputation_after_any_sequence_of_changes(network, operations):
    savepoint = transaction.savepoint()
    try:
        for operation in operations:
            # a refused step (an illegal transition, say) changes nothing, rollups included
            with contextlib.suppress(ValidationError):
                apply(network, operation)
        assert stored() == recomputed()
        rollups.rebuild()
        assert stored() == recomputed()
    finally:
        transaction.savepoint_rollback(savepoint)


def test_an_edit_moving_an_incident_to_another_day_updates_both_days(network):
    user, now = network["user"], timezone.now()
    incident = services.incident_report(
        by=user, category=Category.FIGHT, priority=Priority.P2, source=Source.CALL_110, lat=26.66, lng=119.55,
        occurred_at=now - timedelta(minutes=5), summary="测试",
    )  # fmt: skip
    services.incident_update(
        incident=incident, by=user, expected_version=incident.version, occurred_at=now - timedelta(days=3)
    )
    days = set(IncidentBinRollup.objects.filter(span="day").values_list("day", flat=True))
    assert days == {rollups.local_day(now - timedelta(days=3))}


def test_a_refused_write_leaves_the_rollups_as_they_were(network):
    user = network["user"]
    incident = services.incident_report(
        by=user, category=Category.FIGHT, priority=Priority.P2, source=Source.CALL_110, lat=26.66, lng=119.55,
        occurred_at=timezone.now(), summary="测试",
    )  # fmt: skip
    before = stored()
    with pytest.raises(ValidationError):
        services.incident_close(incident=incident, by=user)
    assert stored() == before


def test_rebuild_rollups_command(network):
    IncidentFactory(station=network["stations"][0], circle=network["circles"][0])
    assert IncidentRollup.objects.count() == 0
    call_command("rebuild_rollups")
    assert stored() == recomputed() and IncidentRollup.objects.filter(span="day").count() == 1
    call_command("rebuild_rollups", since=str(timezone.localdate()))
    assert stored() == recomputed()
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("rebuild_rollups", since="yesterday")


def test_generate_incidents_writes_plausible_incidents_and_their_rollups(network):
    call_command("generate_incidents", count=300, years=0.5, seed=3)
    assert Incident.objects.count() == 300
    assert stored() == recomputed()
    # every row satisfies the model's constraints (checked by the database) and the numbers are distinct
    assert Incident.objects.values("number").distinct().count() == 300
    assert Incident.objects.filter(first_dispatched_at__isnull=True, first_arrived_at__isnull=False).exists()


@pytest.mark.parametrize("count", [0, -5])
def test_generate_incidents_refuses_a_non_positive_count(network, count):
    with pytest.raises(CommandError, match="--count must be a positive number"):
        call_command("generate_incidents", count=count)
    assert Incident.objects.count() == 0
