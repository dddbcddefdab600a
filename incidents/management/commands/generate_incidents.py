"""`manage.py generate_incidents --count 1000000 --years 5`: fill the database with synthetic incidents.

For measurements (dashboards, benchmarks), not for the demo: the rows are raw incidents with their
stage times, status, circle and station, but **no timeline events, assignments, persons or audit
entries** (nothing the dashboards' figures read). On PostgreSQL they are written with COPY
(psycopg 3 `cursor.copy`), about a million in well under a minute; on SQLite with `bulk_create` in
chunks. The rollups are rebuilt for the days written at the end.

The shape follows the sub-bureau: three circles (the stations' active circles; at least one
needed, run `seed_demo` first), twelve categories weighted per kind of circle, a night peak in the
commercial circle (the plaza) and busier weekends there, daytime peaks in the industrial one,
summer afternoons at the lake; queue, travel and on-scene times drawn from log-normal
distributions; patrol discoveries arrive without a dispatch; P4 requests are settled without
anyone sent. Deterministic for a given --seed.
"""

from __future__ import annotations

import math
import random
import time as clock
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from incidents import bulk, rollups
from incidents.choices import Category, IncidentStatus, Priority, Source
from incidents.models import Incident, IncidentBinRollup, IncidentCounter, IncidentRollup
from incidents.services import incident_number
from patrols.choices import CircleKind
from patrols.models import PatrolCircle
from portal import geo

C = Category
CATEGORY_WEIGHTS = {
    CircleKind.COMMERCIAL: {
        C.DISPUTE: 18, C.DRUNK_DISORDERLY: 16, C.FIGHT: 12, C.THEFT: 14, C.FRAUD: 8, C.MISSING_PERSON: 5,
        C.TRAFFIC: 9, C.ECOLOGICAL_WILDLIFE: 0.5, C.WATER_RESCUE: 0.5, C.FIRE_HAZARD: 3, C.HELP_REQUEST: 10,
        C.OTHER: 4,
    },
    CircleKind.INDUSTRIAL: {
        C.DISPUTE: 22, C.DRUNK_DISORDERLY: 4, C.FIGHT: 6, C.THEFT: 10, C.FRAUD: 10, C.MISSING_PERSON: 3,
        C.TRAFFIC: 16, C.ECOLOGICAL_WILDLIFE: 1, C.WATER_RESCUE: 0.5, C.FIRE_HAZARD: 8, C.HELP_REQUEST: 15,
        C.OTHER: 4,
    },
    CircleKind.ECOLOGICAL: {
        C.DISPUTE: 6, C.DRUNK_DISORDERLY: 2, C.FIGHT: 2, C.THEFT: 5, C.FRAUD: 2, C.MISSING_PERSON: 10,
        C.TRAFFIC: 5, C.ECOLOGICAL_WILDLIFE: 25, C.WATER_RESCUE: 15, C.FIRE_HAZARD: 6, C.HELP_REQUEST: 18,
        C.OTHER: 4,
    },
}  # fmt: skip
# relative weight of each local hour 0..23
HOUR_WEIGHTS = {
    CircleKind.COMMERCIAL: [9, 7, 5, 3, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5, 6, 8, 10, 12, 14, 15, 13],
    CircleKind.INDUSTRIAL: [2, 1, 1, 1, 1, 2, 4, 7, 9, 8, 7, 7, 6, 7, 8, 8, 9, 9, 7, 5, 4, 3, 3, 2],
    CircleKind.ECOLOGICAL: [1, 1, 1, 1, 1, 2, 4, 6, 7, 8, 9, 10, 10, 11, 12, 12, 11, 9, 7, 5, 3, 2, 1, 1],
}
# relative weight of each ISO weekday Monday..Sunday
WEEKDAY_WEIGHTS = {
    CircleKind.COMMERCIAL: [0.9, 0.9, 0.95, 1.0, 1.3, 1.5, 1.2],
    CircleKind.INDUSTRIAL: [1.1, 1.1, 1.1, 1.1, 1.0, 0.8, 0.7],
    CircleKind.ECOLOGICAL: [0.8, 0.8, 0.8, 0.9, 1.0, 1.5, 1.5],
}
CIRCLE_SHARE = {CircleKind.COMMERCIAL: 0.45, CircleKind.INDUSTRIAL: 0.35, CircleKind.ECOLOGICAL: 0.20}
PRIORITY_WEIGHTS = {Priority.P1: 6, Priority.P2: 24, Priority.P3: 55, Priority.P4: 15}
SOURCE_WEIGHTS = {
    Source.CALL_110: 55, Source.PATROL_DISCOVERY: 15, Source.INFORMANT_TIP: 6, Source.WALK_IN: 8,
    Source.CHAT_GROUP: 6, Source.CAMERA: 6, Source.ONLINE: 4,
}  # fmt: skip
OUTSIDE_SHARE = 0.03  # incidents outside every circle (the station's area)

#: the fields a generated row sets (the others get their defaults: see `incidents.bulk.insert_rows`)
FIELDS = (
    "number", "year", "sequence", "category", "priority", "source", "status", "occurred_at", "reported_at",
    "address", "circle_id", "station_id", "placement_override_reason", "summary", "description", "outcome",
    "reported_by_id", "first_dispatched_at", "first_arrived_at", "resolved_at", "closed_at", "version",
    "created_at", "updated_at", "lat", "lng",
)  # fmt: skip


class Command(BaseCommand):
    help = "Fill the database with synthetic raw incidents (no timeline events), then rebuild the rollups."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000, help="How many incidents (default 100000).")
        parser.add_argument("--years", type=float, default=1.0, help="Spread over this many years up to now.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same incidents).")
        parser.add_argument("--batch", type=int, default=50_000, help="Rows per COPY or bulk_create chunk.")

    def handle(self, *args, count: int, years: float, seed: int, batch: int, **options):
        if count <= 0:
            raise CommandError("--count must be a positive number of incidents.")
        if not (0 < years <= 50):
            raise CommandError("--years must be more than 0 and at most 50.")
        if batch <= 0:
            raise CommandError("--batch must be positive.")
        circles = list(PatrolCircle.objects.filter(is_active=True).select_related("station__sub_bureau"))
        if not circles:
            raise CommandError("No patrol circle to place incidents in: run `manage.py seed_demo` first.")
        started = clock.monotonic()
        generator = Generator(circles=circles, years=years, seed=seed)
        with transaction.atomic():
            written = generator.write(count, batch=batch, out=self.stdout)
            first_day = rollups.local_day(generator.start)
            self.stdout.write(f"Rebuilding the rollups from {first_day} …")
            rollups.rebuild(since=first_day)
            if connection.vendor == "postgresql":
                # fresh statistics, or the planner keeps estimating from the table's old size
                with connection.cursor() as cursor:
                    for model in (Incident, IncidentRollup, IncidentBinRollup):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{written} incidents written in {clock.monotonic() - started:.1f} s "
                f"({'COPY' if connection.vendor == 'postgresql' else 'bulk_create'}); rollups rebuilt."
            )
        )


class Generator:
    def __init__(self, *, circles: list[PatrolCircle], years: float, seed: int):
        self.rng = random.Random(seed)
        self.circles = circles
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=round(365.25 * years))
        self.zone = rollups.local_zone()
        kinds = [c.kind if c.kind in CIRCLE_SHARE else CircleKind.COMMERCIAL for c in circles]
        weights = [CIRCLE_SHARE[k] / kinds.count(k) for k in kinds]
        self.circle_weights = weights
        self.kinds = kinds
        self.points = {c.pk: self._points(c) for c in circles}
        self.prefix = circles[0].station.sub_bureau.code
        self.days = (self.now - self.start).days
        self.counters: dict[int, int] = dict(IncidentCounter.objects.values_list("year", "last"))
        self.categories = {k: (list(w), list(w.values())) for k, w in CATEGORY_WEIGHTS.items()}

    def _points(self, circle: PatrolCircle, n: int = 400) -> list[tuple[float, float]]:
        """Points inside the circle: a third clustered round a few hot spots, the rest spread out."""
        min_lng, min_lat, max_lng, max_lat = geo.bbox(circle.boundary)
        spread = []
        tries = 0
        while len(spread) < n and tries < n * 50:
            tries += 1
            lat, lng = self.rng.uniform(min_lat, max_lat), self.rng.uniform(min_lng, max_lng)
            if geo.contains(circle.boundary, lat, lng):
                spread.append((round(lat, 7), round(lng, 7)))
        if not spread:
            lat, lng = geo.centroid(circle.boundary)
            spread = [(lat, lng)]
        hot = self.rng.sample(spread, min(4, len(spread)))
        clustered = []
        for _ in range(n // 2):
            lat, lng = self.rng.choice(hot)
            lat, lng = round(lat + self.rng.gauss(0, 0.0006), 7), round(lng + self.rng.gauss(0, 0.0006), 7)
            if geo.contains(circle.boundary, lat, lng):
                clustered.append((lat, lng))
        return spread + clustered

    def _moment(self, kind: str) -> datetime:
        """A local day (weighted by weekday) and an hour (weighted by the circle's hours)."""
        rng = self.rng
        weekday_w = WEEKDAY_WEIGHTS[kind]
        while True:
            day = (self.start + timedelta(days=rng.randrange(self.days + 1))).astimezone(self.zone).date()
            if rng.random() * 1.5 <= weekday_w[day.weekday()]:
                break
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS[kind])[0]
        return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=self.zone)

    def _row(self) -> dict | None:
        rng = self.rng
        index = rng.choices(range(len(self.circles)), weights=self.circle_weights)[0]
        circle, kind = self.circles[index], self.kinds[index]
        occurred = self._moment(kind)
        reported = occurred + timedelta(seconds=int(rng.expovariate(1 / 300)))
        if reported > self.now - timedelta(minutes=5) or occurred < self.start:
            return None
        names, weights = self.categories[kind]
        category = rng.choices(names, weights=weights)[0]
        priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
        source = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0]
        dispatched = arrived = resolved = closed = None
        cancelled = False
        if source == Source.PATROL_DISCOVERY:  # on the scene at once: no dispatch, so no travel time
            arrived = reported + timedelta(seconds=rng.randint(0, 120))
        elif priority == Priority.P4:  # settled at the desk: nobody sent
            resolved = reported + timedelta(seconds=int(rng.lognormvariate(math.log(900), 0.6)))
        else:
            dispatched = reported + timedelta(seconds=int(rng.lognormvariate(math.log(90), 0.7)))
            if rng.random() < 0.03:
                cancelled = True
            else:
                arrived = dispatched + timedelta(seconds=int(rng.lognormvariate(math.log(420), 0.5)))
        if arrived is not None:
            resolved = arrived + timedelta(seconds=int(rng.lognormvariate(math.log(1800), 0.8)))
        if resolved is not None:
            closed = resolved + timedelta(hours=rng.uniform(2, 72))
        # nothing in the future: what hasn't happened yet by now stays empty
        stages = {"first_dispatched_at": dispatched, "first_arrived_at": arrived, "resolved_at": resolved}
        stages = {k: (v if v is not None and v <= self.now else None) for k, v in stages.items()}
        closed = closed if closed is not None and closed <= self.now and stages["resolved_at"] else None
        if cancelled:
            status = IncidentStatus.CANCELLED
        elif closed:
            status = IncidentStatus.CLOSED
        elif stages["resolved_at"]:
            status = IncidentStatus.RESOLVED
        elif stages["first_arrived_at"]:
            status = IncidentStatus.ON_SCENE
        elif stages["first_dispatched_at"]:
            status = IncidentStatus.DISPATCHED
        else:
            status = IncidentStatus.REPORTED
        lat, lng = rng.choice(self.points[circle.pk])
        year = reported.astimezone(self.zone).year
        sequence = self.counters.get(year, 0) + 1
        self.counters[year] = sequence
        return {
            "number": incident_number(prefix=self.prefix, year=year, sequence=sequence),
            "year": year,
            "sequence": sequence,
            "category": category,
            "priority": priority,
            "source": source,
            "status": status,
            "occurred_at": occurred,
            "reported_at": reported,
            "address": "",
            "circle_id": None if rng.random() < OUTSIDE_SHARE else circle.pk,
            "station_id": circle.station_id,
            "placement_override_reason": "",
            "summary": f"{Category(category).label} #{sequence}",
            "description": "",
            "outcome": "",
            "reported_by_id": None,
            **stages,
            "closed_at": closed,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
            "lat": lat,
            "lng": lng,
        }

    def rows(self, count: int):
        made = 0
        while made < count:
            row = self._row()
            if row is not None:
                made += 1
                yield row

    def write(self, count: int, *, batch: int, out) -> int:
        names = list(FIELDS)
        written = 0
        chunk: list[dict] = []
        for row in self.rows(count):
            chunk.append(row)
            if len(chunk) >= batch:
                written += self._flush(chunk, names)
                chunk = []
                out.write(f"  {written} …")
        written += self._flush(chunk, names)
        for year, last in self.counters.items():
            IncidentCounter.objects.update_or_create(year=year, defaults={"last": last})
        return written

    def _flush(self, chunk: list[dict], names: list[str]) -> int:
        if not chunk:
            return 0
        return bulk.insert_rows(Incident, names, ([row[name] for name in names] for row in chunk))
