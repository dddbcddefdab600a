"""(g) Importing incidents from a CSV file: the portal's import service against a bare COPY and `bulk_create`.

The file (100,000 rows; quick: 20,000) is made from the same generator as the bench data
(`generate_incidents`), spread over the same years, with its stage times and an external reference
per row, so it lands in days that already hold incidents and their rollups. Each call runs in a
transaction that is rolled back, so the database stays as it was (a VACUUM at the end clears the
dead rows).

- portal: `incidents.imports.incident_import` on the file's bytes: parse, check every row, place by
  point, number from the locked counters, COPY, batch record, rollups.
- floor: a bare COPY (binary, as the portal's) of the same rows, already parsed, placed and numbered,
  into the incident table.
- naive: `bulk_create` of the same rows as Incident objects, 1,000 per batch (no checks, no rollups).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.db import connection, transaction

from bench.harness import compare, ratio
from bench.scenarios.common import per_second
from bench.scenarios.common import row as _row
from incidents.bulk import copy_rows
from incidents.imports import incident_import
from incidents.management.commands.generate_incidents import Generator
from incidents.models import Incident
from patrols.models import PatrolCircle

FULL_ROWS = 100_000
QUICK_ROWS = 20_000
#: the stage columns of the file and the generator's fields they come from
STAGES = {
    "dispatched_at": "first_dispatched_at",
    "arrived_at": "first_arrived_at",
    "resolved_at": "resolved_at",
    "closed_at": "closed_at",
}
HEADER = [
    "occurred_at", "reported_at", "category", "priority", "source", "summary", "address", "lat", "lng",
    "external_ref", *STAGES,
]  # fmt: skip
#: far above any real sequence, so the floor's and the naive baseline's numbers never collide with the data's
SEQUENCE_BASE = 5_000_000


def _when(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ") if moment is not None else ""


def make_file(count: int, years: float) -> tuple[bytes, list[dict]]:
    """(the CSV file's bytes, the generator's rows it was made from, renumbered for the baselines)."""
    circles = list(PatrolCircle.objects.filter(is_active=True).select_related("station__sub_bureau"))
    generator = Generator(circles=circles, years=years, seed=8)
    rows = list(generator.rows(count))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for index, r in enumerate(rows):
        r["external_ref"] = f"BENCH-{index:07d}"
        r["sequence"] = SEQUENCE_BASE + index
        r["number"] = f"BENCH-{r['year']}-{r['sequence']}"
        writer.writerow(
            [
                _when(r["occurred_at"]), _when(r["reported_at"]), r["category"], r["priority"], r["source"],
                r["summary"], r["address"], r["lat"], r["lng"], r["external_ref"],
                *(_when(r[name]) for name in STAGES.values()),
            ]
        )  # fmt: skip
    return out.getvalue().encode("utf-8"), rows


def _rolled_back(fn):
    def call():
        with transaction.atomic():
            written = fn()
            transaction.set_rollback(True)
        return written

    return call


def import_csv(ctx) -> list[dict]:
    count = QUICK_ROWS if ctx["count"] <= 20_000 else FULL_ROWS
    data, rows = make_file(count, ctx["years"])
    user = ctx["user"]
    fields = [f.attname for f in Incident._meta.concrete_fields if not f.primary_key]
    values = [[r.get(name, "") if name != "import_batch_id" else None for name in fields] for r in rows]
    table = connection.ops.quote_name(Incident._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Incident._meta.get_field(n).column) for n in fields)

    def portal():
        result = incident_import(by=user, file=io.BytesIO(data), file_name="bench.csv")
        assert result.rows == count, result
        return result.rows

    def floor():
        # the same COPY (binary) the portal writes with, so that the two differ only by the portal's own work
        return copy_rows(table, columns, values)

    def naive():
        created = Incident.objects.bulk_create([Incident(**dict(zip(fields, v, strict=True))) for v in values], 1000)
        return len(created)

    variants = {"portal": _rolled_back(portal), "floor": _rolled_back(floor), "naive": _rolled_back(naive)}
    before = Incident.objects.count()
    # whole-file calls of a second or more: a few rounds say enough, and tracemalloc would slow them tenfold
    res = compare(variants, rounds=min(ctx["rounds"], 5), warmup=1, memory=False)
    assert Incident.objects.count() == before, "an import variant left rows behind"
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    p, f, n = res["portal"], res["floor"], res["naive"]
    rate = per_second(count, p)
    goals = {"≥ 4× faster than bulk_create": ratio(n.p50, p.p50) >= 4, "≥ 70,000 rows/s": rate >= 70_000}
    name = f"(g) import {count:,} incidents from CSV"
    return [
        _row(
            name,
            "portal",
            p,
            vs_floor=ratio(p.p50, f.p50),
            naive_over_portal=ratio(n.p50, p.p50),
            rows_per_s=rate,
            goals=goals,
        ),
        _row(name, "floor (bare COPY)", f, rows_per_s=per_second(count, f)),
        _row(name, "naive (bulk_create)", n, rows_per_s=per_second(count, n)),
    ]
