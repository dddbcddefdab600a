"""Longer rollup spans (week, month, quarter, year): ranges cut into whole spans sum to what their days give."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from incidents import rollups, services
from incidents.choices import Category, Priority, Source
from incidents.models import IncidentBinRollup, IncidentRollup
from portal.dashboards import figures
from portal.dashboards.figures import Scope, date_period
from portal.roles import Role
from tests.dashboards.test_rollups import COUNT_COLUMNS, recomputed, stored
from tests.factories import CircleFactory, StationFactory, square, user_with_role

DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@given(first=DAYS, length=st.integers(min_value=0, max_value=3000))
def test_pieces_cover_the_range_in_whole_spans_without_overlap(first, length):
    last = first + timedelta(days=length)
    pieces = rollups.pieces(first, last)
    # in order, contiguous, exactly the range
    assert [a for _span, a, _b in pieces[:1]] == ([first] if length else [])
    assert all(b == a2 for (_s, _a, b), (_s2, a2, _b2) in zip(pieces, pieces[1:], strict=False))
    assert (pieces[-1][2] if pieces else first) == last
    for span, a, b in pieces:
        assert a < b
        assert rollups.span_start(span, a) == a and rollups.span_start(span, b) == b  # whole spans only
    # the fewest: never two pieces of one span side by side, never a whole longer span left in days or weeks
    assert all(s != s2 for (s, _a, _b), (s2, _a2, _b2) in zip(pieces, pieces[1:], strict=False))
    longer = {
        "day": ("week", "month", "quarter", "year"),
        "week": ("month", "quarter", "year"),
        "month": ("quarter", "year"),
        "quarter": ("year",),
        "year": (),
    }
    for span, a, b in pieces:
        for unit in longer[span]:
            begin = a if rollups.span_start(unit, a) == a else rollups.span_after(unit, rollups.span_start(unit, a))
            assert rollups.span_after(unit, begin) > b, (span, a, b, unit)
    assert len(pieces) <= 11  # days, weeks, days, months, quarters, years, quarters, months, days, weeks, days


def _days(span: str, first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days)]


@given(first=DAYS, length=st.integers(min_value=0, max_value=3000))
def test_a_cover_adds_and_subtracts_whole_spans_to_exactly_the_range_reading_no_more_than_the_pieces(first, length):
    """Each day of the range counted once and every other day not at all, in whole spans; never more rows read."""
    last = first + timedelta(days=length)
    cover = rollups.cover(first, last)
    counted = Counter()
    for span, a, b, sign in cover:
        assert a < b and sign in (1, -1)
        assert rollups.span_start(span, a) == a and rollups.span_start(span, b) == b  # whole spans only
        for day in _days(span, a, b):
            counted[day] += sign
    assert +counted == Counter(_days("day", first, last)) and -counted == Counter()
    assert rollups._rows_read(cover) <= rollups._rows_read(tuple((*p, 1) for p in rollups.pieces(first, last)))


def test_a_ragged_range_is_a_longer_span_less_the_days_outside_it():
    # 2 December to the end of November five years on: December less its first day, five years less a December
    assert rollups.cover(date(2021, 12, 2), date(2026, 12, 1)) == (
        ("month", date(2021, 12, 1), date(2022, 1, 1), 1),
        ("day", date(2021, 12, 1), date(2021, 12, 2), -1),
        ("year", date(2022, 1, 1), date(2027, 1, 1), 1),
        ("month", date(2026, 12, 1), date(2027, 1, 1), -1),
    )
    assert rollups.cover(date(2026, 11, 1), date(2026, 12, 1)) == (("month", date(2026, 11, 1), date(2026, 12, 1), 1),)


@pytest.fixture
def years_of_incidents(db):
    station = StationFactory(name="五里亭派出所", code="wlt", lat=26.661, lng=119.552)
    other = StationFactory(name="东湖派出所", code="dh", lat=26.652, lng=119.575)
    CircleFactory(station=station, name="平安商业圈", boundary=square(119.55, 26.66))
    CircleFactory(station=other, name="绿色生态圈", boundary=square(119.575, 26.652))
    call_command("generate_incidents", count=600, years=2.5, seed=11)
    return user_with_role(Role.SUB_BUREAU_STAFF, username="bureau", station=None)


def _figures(user, period):
    rows = figures.day_rows(user, period, Scope())
    return (
        figures.incidents_by_kind(user, period, Scope()),
        figures.heat_grid(user, period, Scope(), rows=rows),
        figures.intervals(user, period, Scope(), rows=rows),
        figures.hotspots(user, period, Scope(), limit=1000),
    )


def test_every_figure_over_long_spans_equals_the_same_figure_summed_from_days(years_of_incidents, monkeypatch):
    assert IncidentBinRollup.objects.filter(span="year").exists()
    assert IncidentRollup.objects.filter(span="month").exists()
    today = timezone.localdate()
    draw = random.Random(3)
    ranges = [(today - timedelta(days=5 * 365 - 1), today), (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))]
    ranges += [
        (first, first + timedelta(days=draw.randrange(0, 900)))
        for first in (today - timedelta(days=draw.randrange(0, 1000)) for _ in range(8))
    ]
    periods = [date_period(first, last) for first, last in ranges]
    with_spans = [_figures(years_of_incidents, period) for period in periods]
    monkeypatch.setattr(rollups, "cover", lambda first, last: (("day", first, last, 1),) if first < last else ())
    from_days = [_figures(years_of_incidents, period) for period in periods]
    for period, spans, days in zip(periods, with_spans, from_days, strict=True):
        assert spans == days, period
    assert with_spans[0][0]["total"] == 600  # five years back hold every incident of the last two and a half


def test_an_edit_moving_an_incident_to_another_year_moves_it_in_every_span(years_of_incidents):
    now = timezone.now()
    then = now - timedelta(days=730)
    incident = services.incident_report(
        by=years_of_incidents, category=Category.FIGHT, priority=Priority.P2, source=Source.CALL_110,
        lat=26.66, lng=119.55, occurred_at=then, summary="测试",
    )  # fmt: skip
    spans = {span: rollups.span_start(span, rollups.local_day(then)) for span in ("week", "month", "quarter", "year")}

    def totals():
        return {
            span: sum(IncidentRollup.objects.filter(span=span, day=start).values_list("count", flat=True))
            for span, start in spans.items()
        }

    before = totals()
    services.incident_update(
        incident=incident, by=years_of_incidents, expected_version=incident.version, occurred_at=now
    )
    assert totals() == {span: n - 1 for span, n in before.items()}
    this_year = rollups.span_start("year", rollups.local_day(now))
    assert IncidentRollup.objects.filter(span="year", day=this_year, category=Category.FIGHT).exists()
    assert stored() == recomputed()


def test_spans_that_drifted_from_their_days_are_remade_rather_than_going_below_zero(years_of_incidents):
    now = timezone.now()
    incident = services.incident_report(
        by=years_of_incidents, category=Category.FIGHT, priority=Priority.P2, source=Source.CALL_110,
        lat=26.66, lng=119.55, occurred_at=now, summary="测试",
    )  # fmt: skip
    week = rollups.span_start("week", rollups.local_day(now))
    # the incident's station's week changed around the portal (another station's rows of the week, if the generated
    # incidents put any there, are not this station's to remake)
    drifted = IncidentRollup.objects.filter(span="week", day=week, station_id=incident.station_id)
    drifted.update(count=0)
    # moving the incident away takes one from a week row that holds none: the week is summed anew instead
    services.incident_update(
        incident=incident,
        by=years_of_incidents,
        expected_version=incident.version,
        occurred_at=now - timedelta(days=9),
    )
    counts, _bins = recomputed()
    expected = sorted(row for row in counts if row[:2] == ("week", week) and row[3] == incident.station_id)
    assert sorted(drifted.values_list(*COUNT_COLUMNS)) == expected
