"""Keeping the dashboards' rollup tables (`incidents.models.rollup`) current, and rebuilding them.

The unit of work is one (local day, station): `refresh` recomputes every rollup row of the given
pairs from the incidents themselves, so the rows always equal a from-scratch recomputation (the
property tests check exactly that). It runs inside the writing transaction, so a rolled-back
write leaves the rollups as they were; on PostgreSQL an advisory lock per (day, station), held to
the end of the transaction, makes a concurrent writer of the same day wait and then recompute
with this one's rows committed (on SQLite the write transaction already serialises writers).

Where incidents change:
- `incidents.services` calls `remember(incident)` when it locks an incident (the day and station
  it counted in before the change) and `incident_changed(incident)` with every timeline event it
  writes (create, edit, transitions): both the old and the new (day, station) are recomputed;
- a deleted incident (only raw, generated incidents can be: the timeline of a recorded one is
  append-only) is handled by a `post_delete` receiver registered in `incidents.models.rollup`;
- bulk loads (`incidents.demo`, `generate_incidents`) bypass all of that and call `rebuild`
  (or `refresh` for the days they touched) at the end; `deferred()` batches many changes into
  one refresh per (day, station).

Day rows are counted from the incidents (`Aggregate`); the week, month, quarter and year rows are sums of
day rows (a quarter of months, a year of quarters), made in SQL by `roll_up` wherever day rows change, in the same
transaction. `pieces` cuts a range of days into the fewest such spans for the dashboards to sum.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Q

from portal import geo

from . import bulk
from .models import Incident, IncidentBinRollup, IncidentRollup
from .models.rollup import Span

Key = tuple[date, int]  # (local day, station id)

#: the intervals the dashboards report (DESIGN.md): name -> (start field, end field)
INTERVALS: dict[str, tuple[str, str]] = {
    "queue": ("reported_at", "first_dispatched_at"),
    "travel": ("first_dispatched_at", "first_arrived_at"),
    "response": ("reported_at", "first_arrived_at"),
    "on_scene": ("first_arrived_at", "resolved_at"),
}


def _edges() -> list[int]:
    edges = list(range(0, 600, 10))  # 10 s up to 10 minutes
    edges += range(600, 3600, 60)  # 1 minute up to an hour
    edges += range(3600, 4 * 3600, 300)  # 5 minutes up to 4 hours
    edges += range(4 * 3600, 24 * 3600, 1800)  # 30 minutes up to a day
    edges += range(24 * 3600, 7 * 24 * 3600 + 1, 6 * 3600)  # 6 hours up to a week, then one open bucket
    return edges


#: lower edges (seconds) of the histogram buckets; bucket i holds [BUCKET_EDGES[i], BUCKET_EDGES[i + 1])
BUCKET_EDGES: list[int] = _edges()


def bucket_of(seconds: float) -> int:
    return max(bisect_right(BUCKET_EDGES, seconds) - 1, 0)


def bucket_floor(index: int) -> int:
    """The lower edge of a bucket in seconds: what a percentile read from the histograms reports."""
    return BUCKET_EDGES[index]


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def key_of(incident: Incident) -> Key:
    return local_day(incident.occurred_at), incident.station_id


# --- spans -----------------------------------------------------------------------------------------

#: the longer spans in the order they are made, each summed from the rows of a shorter one
ROLLED_UP: tuple[tuple[str, str], ...] = (
    (Span.WEEK.value, Span.DAY.value),
    (Span.MONTH.value, Span.DAY.value),
    (Span.QUARTER.value, Span.MONTH.value),
    (Span.YEAR.value, Span.QUARTER.value),
)


def span_start(span: str, day: date) -> date:
    """The first day of the span holding `day` (weeks begin on Monday)."""
    if span == Span.WEEK:
        return day - timedelta(days=day.weekday())
    if span == Span.MONTH:
        return day.replace(day=1)
    if span == Span.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if span == Span.YEAR:
        return day.replace(month=1, day=1)
    return day


def span_after(span: str, start: date) -> date:
    """The first day after the span that begins on `start`."""
    if span == Span.WEEK:
        return start + timedelta(days=7)
    if span == Span.MONTH:
        return (start + timedelta(days=32)).replace(day=1)
    if span == Span.QUARTER:
        return (start + timedelta(days=93)).replace(day=1)
    if span == Span.YEAR:
        return start.replace(year=start.year + 1)
    return start + timedelta(days=1)


def pieces(
    first: date,
    last: date,
    spans: tuple[str, ...] = (Span.YEAR.value, Span.QUARTER.value, Span.MONTH.value, Span.WEEK.value),
) -> list[tuple[str, date, date]]:
    """The days [first, last) as the fewest whole (span, from, to) pieces: whole years, quarters, months, weeks, days.

    The rows of a piece are those of its span with `from <= day < to`; the pieces are in order and don't overlap.
    """
    if first >= last:
        return []
    if not spans:
        return [(Span.DAY.value, first, last)]
    span, rest = spans[0], spans[1:]
    begin = span_start(span, first)
    if begin < first:
        begin = span_after(span, begin)
    end = span_start(span, last)
    if begin >= end:
        return pieces(first, last, rest)
    return [*pieces(first, begin, rest), (span, begin, end), *pieces(end, last, rest)]


#: a piece of days to sum, as `cover` gives them: (span, from, to, sign), the rows of `span` with from <= day < to,
#: added (sign 1) or subtracted (-1)
Piece = tuple[str, date, date, int]

#: about how many rows a unit of each span holds beside a day's (the bench's data: 650, 1,200, 1,700, 2,000 and
#: 2,250 bin rows a day, week, month, quarter and year): what `cover` weighs its pieces by
_UNIT_ROWS = {Span.DAY.value: 2, Span.WEEK.value: 4, Span.MONTH.value: 5, Span.QUARTER.value: 6, Span.YEAR.value: 7}
_LONGER_FIRST = (Span.YEAR.value, Span.QUARTER.value, Span.MONTH.value, Span.WEEK.value)
_MONTHS_IN = {Span.MONTH.value: 1, Span.QUARTER.value: 3, Span.YEAR.value: 12}


def _units(span: str, first: date, last: date) -> int:
    """Whole units of `span` in [first, last) (both the span's starts)."""
    if span in _MONTHS_IN:
        return ((last.year - first.year) * 12 + last.month - first.month) // _MONTHS_IN[span]
    return (last - first).days // (7 if span == Span.WEEK else 1)


def _rows_read(pieces: tuple[Piece, ...]) -> int:
    return sum(_UNIT_ROWS[span] * _units(span, first, last) for span, first, last, _sign in pieces)


def _less(pieces: tuple[Piece, ...]) -> tuple[Piece, ...]:
    return tuple((span, first, last, -sign) for span, first, last, sign in pieces)


def _joined(pieces: Iterable[Piece]) -> tuple[Piece, ...]:
    """`pieces` with each run of adjoining pieces of one span and sign made one."""
    joined: list[Piece] = []
    for span, first, last, sign in pieces:
        if joined and joined[-1][0] == span and joined[-1][3] == sign and joined[-1][2] == first:
            first = joined.pop()[1]
        joined.append((span, first, last, sign))
    return tuple(joined)


@lru_cache(maxsize=1024)
def cover(first: date, last: date, spans: tuple[str, ...] = _LONGER_FIRST) -> tuple[Piece, ...]:
    """The days [first, last) as pieces whose rows, added or subtracted, sum to exactly those days' rows.

    As `pieces`, but a ragged end may be a longer span less the days outside the range where that reads fewer
    rows (`_UNIT_ROWS`): the 4 days, 3 weeks and 5 days from 2 December to the year's end are December less its
    first day; January to November are the year less December (which, in the future, holds nothing yet).
    """
    if first >= last:
        return ()
    if not spans:
        return ((Span.DAY.value, first, last, 1),)
    span, rest = spans[0], spans[1:]
    begin = span_start(span, first)
    begin_after = span_after(span, begin)
    if begin != first and last <= begin_after:  # inside one unit of the span: in shorter pieces, or the unit less
        options = [
            cover(first, last, rest),
            ((span, begin, begin_after, 1), *_less(cover(begin, first, rest)), *_less(cover(last, begin_after, rest))),
        ]
        return _joined(min(options, key=_rows_read))
    low = first if begin == first else begin_after
    high = span_start(span, last)
    left = right = ()
    if low > first:  # the days before the first whole unit: in shorter pieces, or that unit less its first days
        left, less = cover(first, low, rest), _less(cover(begin, first, rest))
        if _rows_read(((span, begin, low, 1), *less)) < _rows_read(left):
            left, low = less, begin
    if high < last:  # the days after the last whole unit: in shorter pieces, or their unit less its last days
        high_after = span_after(span, high)
        right, less = cover(high, last, rest), _less(cover(last, high_after, rest))
        if _rows_read(((span, high, high_after, 1), *less)) < _rows_read(right):
            right, high = less, high_after
    middle = ((span, low, high, 1),) if low < high else ()
    # or none of this span (a week across the end of a month it does not fill, say)
    return min((_joined((*left, *middle, *right)), cover(first, last, rest)), key=_rows_read)


# --- aggregation ------------------------------------------------------------------------------------

RAW_FIELDS = (
    "station_id",
    "circle_id",
    "category",
    "priority",
    "occurred_at",
    "lat",
    "lng",
    *dict.fromkeys(field for pair in INTERVALS.values() for field in pair),
)
_STAGE_INDEX = {name: RAW_FIELDS.index(name) for name in RAW_FIELDS}
COUNT_FIELDS = ("day", "weekday", "station_id", "circle_id", "category", "priority", "count")
BIN_FIELDS = ("day", "weekday", "station_id", "circle_id", "measure", "bin", "count")

#: the IncidentBinRollup measures: the local hour, the map grid cell, and each interval's histogram bucket
HOUR, CELL = "hour", "cell"
MEASURES = (HOUR, CELL, *INTERVALS)
# the (measure, bin) keys, made once: an import counts millions of them
_HOUR_BINS = [(HOUR, str(hour)) for hour in range(24)]
_INTERVAL_BINS = {name: [(name, str(index)) for index in range(len(BUCKET_EDGES))] for name in INTERVALS}
_INTERVAL_ENDS = [(name, _STAGE_INDEX[start], _STAGE_INDEX[end]) for name, (start, end) in INTERVALS.items()]


class Aggregate:
    """Rollup rows being built from raw incident rows (tuples of RAW_FIELDS).

    Also used by the dashboards for the partial days at the ends of a custom range, so that those
    are counted exactly the way the rollups count.
    """

    def __init__(self) -> None:
        self.counts: Counter = Counter()  # (day, station, circle, category, priority) -> n
        self.days: dict[tuple, Counter] = {}  # (day, station, circle) -> {(measure, bin): n}

    def add(self, row: tuple) -> None:
        station_id, circle_id, category, priority, occurred_at, lat, lng = row[:7]
        local = occurred_at.astimezone(local_zone())
        day = local.date()
        self.counts[day, station_id, circle_id, category, priority] += 1
        entry = self.days.get((day, station_id, circle_id))
        if entry is None:
            entry = self.days[day, station_id, circle_id] = Counter()
        entry[_HOUR_BINS[local.hour]] += 1
        entry[CELL, geo.grid_cell(lat, lng)] += 1
        for name, start, end in _INTERVAL_ENDS:
            begun, ended = row[start], row[end]
            if begun is not None and ended is not None:
                entry[_INTERVAL_BINS[name][bucket_of((ended - begun).total_seconds())]] += 1

    def add_all(self, rows: Iterable[tuple]) -> Aggregate:
        for row in rows:
            self.add(row)
        return self

    def count_values(self) -> Iterator[tuple]:
        """The IncidentRollup rows as tuples of COUNT_FIELDS."""
        for (day, station_id, circle_id, category, priority), n in self.counts.items():
            yield day, day.isoweekday(), station_id, circle_id, category, priority, n

    def bin_values(self) -> Iterator[tuple]:
        """The IncidentBinRollup rows as tuples of BIN_FIELDS."""
        for (day, station_id, circle_id), entry in self.days.items():
            weekday = day.isoweekday()
            for (measure, bin_), n in entry.items():
                yield day, weekday, station_id, circle_id, measure, bin_, n

    def rows(self) -> tuple[list[IncidentRollup], list[IncidentBinRollup]]:
        counts = [IncidentRollup(**dict(zip(COUNT_FIELDS, values, strict=True))) for values in self.count_values()]
        bins = [IncidentBinRollup(**dict(zip(BIN_FIELDS, values, strict=True))) for values in self.bin_values()]
        return counts, bins

    def add_saved(self, where: Q) -> tuple[list[int], list[int]]:
        """Add the stored rollup rows under `where` that these rows also count in; returns their ids.

        The stored rows of other combinations stay as they are: only the returned ones are to be
        replaced by these (`add_new`).
        """
        counts, days = [], []
        for pk, day, station_id, circle_id, category, priority, n in IncidentRollup.objects.filter(where).values_list(
            "pk", "day", "station_id", "circle_id", "category", "priority", "count"
        ):
            key = (day, station_id, circle_id, category, priority)
            if key in self.counts:
                self.counts[key] += n
                counts.append(pk)
        for pk, day, station_id, circle_id, measure, bin_, n in IncidentBinRollup.objects.filter(where).values_list(
            "pk", "day", "station_id", "circle_id", "measure", "bin", "count"
        ):
            entry = self.days.get((day, station_id, circle_id))
            if entry is not None and (measure, bin_) in entry:
                entry[measure, bin_] += n
                days.append(pk)
        return counts, days

    def save(self, batch_size: int = 5000) -> None:
        # straight from tuples (COPY on PostgreSQL): a year's rollups are tens of thousands of rows
        bulk.insert_rows(IncidentRollup, COUNT_FIELDS, self.count_values(), batch_size=batch_size)
        bulk.insert_rows(IncidentBinRollup, BIN_FIELDS, self.bin_values(), batch_size=batch_size)


def raw_rows(queryset) -> Iterator[tuple]:
    return queryset.order_by().values_list(*RAW_FIELDS).iterator(chunk_size=20_000)


# --- keeping them current -----------------------------------------------------------------------


def _lock(keys: list[Key]) -> None:
    if connection.vendor != "postgresql":
        return
    # one round trip for all of them, taken in the keys' order (PostgreSQL runs a volatile function of the
    # select list after the ORDER BY), so that two writers of overlapping keys can't deadlock
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k.station, k.day) FROM unnest(%s::int[], %s::int[]) WITH ORDINALITY "
            "AS k(station, day, n) ORDER BY k.n",
            [[station_id for _day, station_id in keys], [day.toordinal() for day, _station_id in keys]],
        )


def _keys_q(keys: Iterable[Key], *, day_field: str | None) -> Q:
    if day_field is not None:  # one IN list per station: a year of days stays one short condition
        by_station: dict[int, list[date]] = defaultdict(list)
        for day, station_id in sorted(set(keys)):
            by_station[station_id].append(day)
        q = Q(pk__in=[])
        for station_id, days in by_station.items():
            q |= Q(**{f"{day_field}__in": days, "station_id": station_id})
        return q
    by_day: dict[date, set[int]] = defaultdict(set)
    for day, station_id in keys:
        by_day[day].add(station_id)
    q = Q(pk__in=[])
    for day, stations in by_day.items():
        q |= Q(occurred_at__gte=day_start(day), occurred_at__lt=day_start(day + timedelta(days=1))) & Q(
            station_id__in=sorted(stations)
        )
    return q


@transaction.atomic
def refresh(keys: Iterable[Key]) -> None:
    """Recompute the rollup rows of these (local day, station) pairs from the incidents."""
    keys = sorted(set(keys))
    if not keys:
        return
    if _deferral.keys is not None:
        _deferral.keys.update(keys)
        return
    _lock(keys)
    aggregate = Aggregate().add_all(raw_rows(Incident.objects.filter(_keys_q(keys, day_field=None))))
    where = _keys_q(keys, day_field="day") & Q(span=Span.DAY)
    # a few days (an incident's change): their difference is added to the longer spans; more: remade
    stored = _stored_days(where) if len(keys) <= DIFFERENCE_KEYS else None
    IncidentRollup.objects.filter(where).delete()
    IncidentBinRollup.objects.filter(where).delete()
    aggregate.save()
    if stored is None:
        roll_up(keys)
    else:
        _add_difference(stored, (list(aggregate.count_values()), list(aggregate.bin_values())), keys)


@transaction.atomic
def add_new(aggregate: Aggregate) -> None:
    """Count incidents just inserted in bulk (an Aggregate of their RAW_FIELDS rows) into the rollups.

    For bulk inserts such as imports: rather than reading every incident of the days touched again
    (`refresh`), each rollup row the new incidents count in becomes its stored value plus their
    share, which is exactly what a recount gives because the incidents are new; the other rows
    stay. Same locks as `refresh`.
    """
    keys = sorted({(day, station_id) for day, station_id, _circle_id in aggregate.days})
    if not keys:
        return
    if _deferral.keys is not None:  # a refresh of these keys follows anyway
        _deferral.keys.update(keys)
        return
    _lock(keys)
    # a short condition that covers the keys (add_saved takes only the rows of the keys themselves):
    # an exact per-key condition for a year of days is a query psycopg takes a second to even send
    days_touched = [day for day, _station_id in keys]
    covering = Q(
        span=Span.DAY, day__gte=min(days_touched), day__lte=max(days_touched), station_id__in={s for _d, s in keys}
    )
    counts, days = aggregate.add_saved(covering)
    for model, pks in ((IncidentRollup, counts), (IncidentBinRollup, days)):
        if connection.vendor == "postgresql":  # one array parameter rather than thousands of placeholders
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [pks])
            continue
        for start in range(0, len(pks), 10_000):
            model.objects.filter(pk__in=pks[start : start + 10_000]).delete()
    aggregate.save()
    roll_up(keys)


#: the first day of the week, month, quarter or year holding `day`, in each database's SQL
_SPAN_START_SQL = {
    "postgresql": {
        Span.WEEK: "CAST(DATE_TRUNC('week', day) AS date)",
        Span.MONTH: "CAST(DATE_TRUNC('month', day) AS date)",
        Span.QUARTER: "CAST(DATE_TRUNC('quarter', day) AS date)",
        Span.YEAR: "CAST(DATE_TRUNC('year', day) AS date)",
    },
    "sqlite": {
        Span.WEEK: "date(day, 'weekday 0', '-6 days')",
        Span.MONTH: "date(day, 'start of month')",
        Span.QUARTER: "date(day, 'start of month', "
        "'-' || ((CAST(strftime('%%m', day) AS INTEGER) - 1) %% 3) || ' months')",  # (%% for the parameters)
        Span.YEAR: "date(day, 'start of year')",
    },
}
#: per rollup table: the columns a longer span keeps besides its station, and the value of its first column
#: (after the circle) whose rows keep their days' weekday (only the hours: the heat grid); the others get 0
_ROLLED = (
    (IncidentRollup, ("circle_id", "category", "priority"), None),
    (IncidentBinRollup, ("circle_id", "measure", "bin"), HOUR),
)


def _weekday_sql(fields: tuple[str, ...], keeps: str | None) -> str:
    """A longer span's weekday in SQL (see `_ROLLED`)."""
    return "0" if keeps is None else f"CASE WHEN {fields[1]} = '{keeps}' THEN weekday ELSE 0 END"


#: days of `roll_up`'s keys further apart than this are rolled up apart
_RUN_GAP_DAYS = 62


def roll_up(keys: Iterable[Key]) -> None:
    """Remake the longer spans' rows of the stations of `keys` that hold any of their days, from the days.

    Every such span from the first to the last day of a run of nearby days of `keys` is summed anew from the
    rows a span down (weeks and months from days, quarters from months, years from quarters): a handful of
    statements a run, whatever the number of days.
    """
    keys = sorted(keys)
    # days far apart (an incident moved by a year) are remade apart: not every span between them
    runs, start = [], 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index][0] - keys[index - 1][0] > timedelta(days=_RUN_GAP_DAYS):
            runs.append(keys[start:index])
            start = index
    for run in runs:
        roll_up_between(run[0][0], run[-1][0], {station_id for _day, station_id in run})


def roll_up_between(low: date, high: date, station_ids: Iterable[int]) -> None:
    """Remake every week, month, quarter and year row of these stations that holds a day from `low` to `high`."""
    stations = sorted(station_ids)
    starts = _SPAN_START_SQL[connection.vendor]
    among = ", ".join(["%s"] * len(stations))
    ranges = {span: (span_start(span, low), span_after(span, span_start(span, high))) for span, _from in ROLLED_UP}
    with connection.cursor() as cursor:
        for model, fields, keeps in _ROLLED:
            table, columns = connection.ops.quote_name(model._meta.db_table), ", ".join(fields)
            weekday = _weekday_sql(fields, keeps)
            cursor.execute(
                f"DELETE FROM {table} WHERE station_id IN ({among}) AND ("
                + " OR ".join(["span = %s AND day >= %s AND day < %s"] * len(ranges))
                + ")",
                [*stations, *(value for span, (start, end) in ranges.items() for value in (span, start, end))],
            )
            for span, source in ROLLED_UP:
                start, end = ranges[span]
                cursor.execute(
                    f'INSERT INTO {table} (span, day, weekday, station_id, {columns}, "count") '
                    f'SELECT %s, {starts[span]}, {weekday}, station_id, {columns}, SUM("count") FROM {table} '
                    f"WHERE span = %s AND station_id IN ({among}) AND day >= %s AND day < %s "
                    "GROUP BY 2, 3, 4, 5, 6, 7",
                    [span, source, *stations, start, end],
                )


#: `refresh` of at most this many (day, station) keys adds the difference of their days to the longer spans
DIFFERENCE_KEYS = 8


def _stored_days(where: Q) -> tuple[list[tuple], list[tuple]]:
    """The stored day rows under `where` of both tables, as tuples of COUNT_FIELDS and BIN_FIELDS."""
    return (
        list(IncidentRollup.objects.filter(where).values_list(*COUNT_FIELDS)),
        list(IncidentBinRollup.objects.filter(where).values_list(*BIN_FIELDS)),
    )


def _add_difference(before: tuple[list, list], after: tuple[list, list], keys: list[Key]) -> None:
    """Bring the longer spans of `keys`' days from their day rows `before` to `after`, by the difference.

    Three statements a table: the rows that change are updated, the new ones inserted, the emptied ones
    deleted. A longer span that would go below zero (rows changed around the portal) is remade instead.
    """
    spans = [span for span, _source in ROLLED_UP]
    for (model, columns, keeps), old, new in zip(_ROLLED, before, after, strict=True):
        difference: Counter = Counter()
        for rows, sign in ((new, 1), (old, -1)):
            for day, weekday, station_id, circle_id, a, b, n in rows:
                kept = weekday if a == keeps else 0  # (as `_weekday_sql`)
                for span in spans:
                    difference[span, span_start(span, day), kept, station_id, circle_id, a, b] += sign * n
        values = [(*key, n) for key, n in difference.items() if n]
        if not values:
            continue
        try:
            with transaction.atomic():
                _apply_difference(model, columns, values)
        except IntegrityError:  # a count below zero: the stored spans were not the days' sums
            roll_up(keys)  # (both tables)
            return


def _apply_difference(model, columns: tuple[str, ...], values: list[tuple]) -> None:
    """Add the differences `values` ((span, day, weekday, station, *columns, difference) rows) to `model`'s rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ("span", "day", "weekday", "station_id", *columns)
    # (the circle typed: a list of NULL circles alone would be text to PostgreSQL)
    row = "(" + ", ".join("CAST(%s AS BIGINT)" if name == "circle_id" else "%s" for name in (*names, "d")) + ")"
    with_values = f"WITH v ({', '.join(names)}, d) AS (VALUES {', '.join([row] * len(values))}) "
    params = [value for values_row in values for value in values_row]
    same = " AND ".join(
        [f"t.{name} = v.{name}" for name in names if name != "circle_id"]
        + ["(t.circle_id = v.circle_id OR t.circle_id IS NULL AND v.circle_id IS NULL)"]
    )
    # the spans changed, to delete those left empty
    stations = sorted({station_id for _span, _day, _weekday, station_id, *_rest in values})
    spans = sorted({(span, day) for span, day, *_rest in values})
    emptied = " OR ".join(["span = %s AND day = %s"] * len(spans))
    with connection.cursor() as cursor:
        cursor.execute(f'{with_values}UPDATE {table} AS t SET "count" = t."count" + v.d FROM v WHERE {same}', params)
        cursor.execute(
            f'{with_values}INSERT INTO {table} ({", ".join(names)}, "count") SELECT {", ".join(names)}, d FROM v '
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {same})",
            params,
        )
        cursor.execute(
            f'DELETE FROM {table} WHERE "count" = 0 AND station_id IN ({", ".join(["%s"] * len(stations))}) '
            f"AND ({emptied})",
            [*stations, *(value for pair in spans for value in pair)],
        )


def remember(incident: Incident) -> None:
    """Note the (day, station) an incident counts in before a service changes it."""
    incident._rollup_before = key_of(incident)


def incident_changed(incident: Incident) -> None:
    """Bring the rollups in line with a created or changed incident (its old and new day and station)."""
    keys = {key_of(incident)}
    before = getattr(incident, "_rollup_before", None)
    if before is not None:
        keys.add(before)
    done = (incident.version, frozenset(keys))
    if getattr(incident, "_rollup_done", None) == done:
        return  # a second event of the same change (e.g. "reported" and "override")
    refresh(keys)
    incident._rollup_done = done


def incident_deleted(incident: Incident) -> None:
    refresh([key_of(incident)])


class _Deferral(threading.local):
    keys: set[Key] | None = None


_deferral = _Deferral()


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the refreshes asked for inside, and do each (day, station) once at the end."""
    if _deferral.keys is not None:  # nested: the outer one refreshes
        yield
        return
    _deferral.keys = set()
    try:
        yield
        keys = _deferral.keys
    finally:
        _deferral.keys = None
    refresh(keys)


@transaction.atomic
def rebuild(since: date | None = None) -> int:
    """Drop and recompute the rollups of every day from `since` (local date; None: all). Returns incidents read."""
    from patrols.models import Station

    incidents = Incident.objects.all()
    counts, days = IncidentRollup.objects.filter(span=Span.DAY), IncidentBinRollup.objects.filter(span=Span.DAY)
    if since is not None:
        incidents = incidents.filter(occurred_at__gte=day_start(since))
        counts, days = counts.filter(day__gte=since), days.filter(day__gte=since)
    counts.delete()
    days.delete()
    aggregate = Aggregate()
    n = 0
    for row in raw_rows(incidents):
        aggregate.add(row)
        n += 1
    aggregate.save()
    # the longer spans from `since` on, to the last of any row (a stale longer span goes too)
    days = [
        day
        for model in (IncidentRollup, IncidentBinRollup)
        for day in model.objects.aggregate(first=Min("day"), last=Max("day")).values()
        if day is not None and (since is None or day >= since)
    ]
    if since is not None:
        days.append(since)
    if days:
        roll_up_between(min(days), max(days), Station.objects.values_list("pk", flat=True))
    return n


def refresh_days(days: Iterable[date]) -> None:
    """Recompute whole days for every station (after a bulk load touching them)."""
    from patrols.models import Station

    station_ids = list(Station.objects.values_list("pk", flat=True))
    refresh([(day, station_id) for day in set(days) for station_id in station_ids])
