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
from django.db import connection, transaction
from django.db.models import Q

from portal import geo

from .models import Incident, IncidentDayRollup, IncidentRollup

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


class Aggregate:
    """Rollup rows being built from raw incident rows (tuples of RAW_FIELDS).

    Also used by the dashboards for the partial days at the ends of a custom range, so that those
    are counted exactly the way the rollups count.
    """

    def __init__(self) -> None:
        self.counts: Counter = Counter()  # (day, station, circle, category, priority) -> n
        self.days: dict[tuple, dict] = {}  # (day, station, circle) -> {count, hours, cells, intervals}

    def add(self, row: tuple) -> None:
        station_id, circle_id, category, priority, occurred_at, lat, lng = row[:7]
        local = occurred_at.astimezone(local_zone())
        day = local.date()
        self.counts[day, station_id, circle_id, category, priority] += 1
        entry = self.days.get((day, station_id, circle_id))
        if entry is None:
            entry = self.days[day, station_id, circle_id] = {
                "count": 0,
                "hours": [0] * 24,
                "cells": Counter(),
                "intervals": {name: Counter() for name in INTERVALS},
            }
        entry["count"] += 1
        entry["hours"][local.hour] += 1
        entry["cells"][geo.grid_cell(lat, lng)] += 1
        for name, (start, end) in INTERVALS.items():
            begun, ended = row[_STAGE_INDEX[start]], row[_STAGE_INDEX[end]]
            if begun is not None and ended is not None:
                entry["intervals"][name][bucket_of((ended - begun).total_seconds())] += 1

    def add_all(self, rows: Iterable[tuple]) -> Aggregate:
        for row in rows:
            self.add(row)
        return self

    def rows(self) -> tuple[list[IncidentRollup], list[IncidentDayRollup]]:
        counts = [
            IncidentRollup(
                day=day,
                weekday=day.isoweekday(),
                station_id=station_id,
                circle_id=circle_id,
                category=category,
                priority=priority,
                count=n,
            )
            for (day, station_id, circle_id, category, priority), n in self.counts.items()
        ]
        days = [
            IncidentDayRollup(
                day=day,
                weekday=day.isoweekday(),
                station_id=station_id,
                circle_id=circle_id,
                count=entry["count"],
                hours=entry["hours"],
                cells=dict(entry["cells"]),
                intervals={
                    name: {str(index): n for index, n in sorted(histogram.items())}
                    for name, histogram in entry["intervals"].items()
                },
            )
            for (day, station_id, circle_id), entry in self.days.items()
        ]
        return counts, days

    def save(self, batch_size: int = 5000) -> None:
        counts, days = self.rows()
        IncidentRollup.objects.bulk_create(counts, batch_size=batch_size)
        IncidentDayRollup.objects.bulk_create(days, batch_size=batch_size)


def raw_rows(queryset) -> Iterator[tuple]:
    return queryset.order_by().values_list(*RAW_FIELDS).iterator(chunk_size=20_000)


# --- keeping them current -----------------------------------------------------------------------


def _lock(keys: list[Key]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for day, station_id in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [station_id, day.toordinal()])


def _keys_q(keys: Iterable[Key], *, day_field: str | None) -> Q:
    by_day: dict[date, set[int]] = defaultdict(set)
    for day, station_id in keys:
        by_day[day].add(station_id)
    q = Q(pk__in=[])
    for day, stations in by_day.items():
        if day_field is None:
            q |= Q(occurred_at__gte=day_start(day), occurred_at__lt=day_start(day + timedelta(days=1))) & Q(
                station_id__in=sorted(stations)
            )
        else:
            q |= Q(**{day_field: day, "station_id__in": sorted(stations)})
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
    where = _keys_q(keys, day_field="day")
    IncidentRollup.objects.filter(where).delete()
    IncidentDayRollup.objects.filter(where).delete()
    aggregate.save()


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
    incidents = Incident.objects.all()
    counts, days = IncidentRollup.objects.all(), IncidentDayRollup.objects.all()
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
    return n


def refresh_days(days: Iterable[date]) -> None:
    """Recompute whole days for every station (after a bulk load touching them)."""
    from patrols.models import Station

    station_ids = list(Station.objects.values_list("pk", flat=True))
    refresh([(day, station_id) for day in set(days) for station_id in station_ids])
