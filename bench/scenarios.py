"""The in-process scenarios: each returns rows of the report (portal, floor, naive, goals, checks).

A scenario measures the portal's own code path through Django's test client (every middleware, the
token authentication, DRF's content negotiation, rendering) against its floor and its naive baseline
(`bench.baselines`). Query counts are asserted (a regression fails the run); times are only reported.
"""

from __future__ import annotations

import gzip
import random
from datetime import timedelta

import orjson
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from bench import baselines
from bench.harness import compare, ratio
from incidents.choices import Category, IncidentStatus, Priority
from incidents.models import Incident
from patrols.models import PatrolCircle
from portal import geo
from portal.api.pagination import PortalCursorPagination
from portal.dashboards import figures


class QueryCountError(AssertionError):
    pass


#: the query counts that regressed in this run (the runner fails at the end, after writing the results)
FAILURES: list[str] = []


def expect(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


def _row(scenario, variant, m, **extra) -> dict:
    return {"scenario": scenario, "variant": variant, **m.as_dict(), **extra}


# --- (a) the incident list, and (e) its peak memory ---------------------------------------------------


def incident_list(ctx) -> list[dict]:
    client: Client = ctx["client"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ctx['token']}"}
    total = Incident.objects.count()
    deep = min(total - 101, ctx["deep_offset"])
    key = Incident.objects.order_by("-reported_at", "-pk").values_list("reported_at", "pk")[deep - 1]
    cursor = PortalCursorPagination.encode_cursor({"k": [key[0].isoformat(), key[1]], "o": "-reported_at,-pk"})
    out = []
    for label, portal_url, naive_url, after in (
        ("first page", "/api/v1/incidents/?page_size=100", "/bench/naive/incidents/?page_size=100", None),
        (
            f"page at row {deep:,}",
            f"/api/v1/incidents/?page_size=100&cursor={cursor}",
            f"/bench/naive/incidents/?page_size=100&page={deep // 100 + 1}",
            key,
        ),
    ):

        def portal(url=portal_url):
            response = client.get(url, **auth)
            assert response.status_code == 200, response.content[:300]
            return response.content

        def naive(url=naive_url):
            response = client.get(url, **auth)
            assert response.status_code == 200, response.content[:300]
            return response.content

        def floor(after=after):
            return baselines.floor_page(size=100, after=after)[0]

        assert len(orjson.loads(portal())["results"]) == 100
        assert len(orjson.loads(naive())["results"]) == 100
        assert len(orjson.loads(floor())["results"]) == 100
        res = compare({"portal": portal, "floor": floor, "naive": naive}, rounds=ctx["rounds"])
        p, f, n = res["portal"], res["floor"], res["naive"]
        expect(
            p.data_queries == 1,
            f"incident list ({label}): {p.data_queries} queries beyond authentication, expected 1",
        )
        goals = {
            "p50 ≤ 1.8× floor": ratio(p.p50, f.p50) <= 1.8,
            "≥ 3× faster than naive": ratio(n.p50, p.p50) >= 3,
            "1 query per page beyond auth": p.data_queries == 1,
            "peak memory ≤ 1.5× floor": ratio(p.peak_kib, f.peak_kib) <= 1.5,
        }
        name = f"(a) incident list, 100 rows, {label}"
        out.append(
            _row(
                name,
                "portal",
                p,
                vs_floor=ratio(p.p50, f.p50),
                naive_over_portal=ratio(n.p50, p.p50),
                mem_vs_floor=ratio(p.peak_kib, f.peak_kib),
                bytes=len(portal()),
                goals=goals,
            )
        )
        out.append(_row(name, "floor", f, bytes=len(floor())))
        out.append(_row(name, "naive", n, bytes=len(naive())))
    return out


# --- (b) incremental sync -------------------------------------------------------------------------------


def prepare_sync(n: int, *, seed: int = 7) -> timezone.datetime:
    """Mark `n` random incidents as changed after a moment `since`, all settled (older than 5 s): `since`."""
    latest = Incident.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    since = latest + timedelta(milliseconds=1)
    now = timezone.now()
    if now - since < timedelta(seconds=30):
        since = now - timedelta(seconds=30)  # a fresh load: its rows are older still, then
        since = max(since, latest + timedelta(milliseconds=1))
    window_ms = int(((now - timedelta(seconds=5)) - since).total_seconds() * 1000)
    if window_ms <= 1000:
        raise QueryCountError("no time window for the sync scenario; run again")
    ids = list(Incident.objects.values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, min(n, len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Incident._meta.db_table} SET updated_at = %s::timestamptz "
            f"+ (random() * %s) * interval '1 millisecond' WHERE id = ANY(%s)",
            [since, window_ms, chosen],
        )
        cursor.execute(f"ANALYZE {Incident._meta.db_table}")
    return since


def incremental_sync(ctx) -> list[dict]:
    client: Client = ctx["client"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ctx['token']}"}
    n = ctx["sync_rows"]
    since = prepare_sync(n)
    stamp = baselines.utc(since)

    def portal():
        url, seen = f"/api/v1/incidents/?page_size=500&updated_since={stamp}", 0
        while url:
            response = client.get(url, **auth)
            assert response.status_code == 200, response.content[:300]
            body = orjson.loads(response.content)
            seen += len(body["results"])
            url = body["next"]
        return seen

    def naive():
        page, seen = 1, 0
        while True:
            response = client.get(f"/bench/naive/incidents/?page_size=500&updated_since={stamp}&page={page}", **auth)
            assert response.status_code == 200, response.content[:300]
            body = orjson.loads(response.content)
            seen += len(body["results"])
            if not body["next"]:
                return seen
            page += 1

    def floor():
        return baselines.floor_sync(since=since, size=500)

    for fn in (portal, naive, floor):
        seen = fn()
        if seen != n:
            raise QueryCountError(f"sync walk {fn.__name__} saw {seen} rows, expected {n}")
    res = compare(
        {"portal": portal, "floor": floor, "naive": naive}, rounds=ctx["sync_rounds"], warmup=0, memory=False
    )
    p, f, nv = res["portal"], res["floor"], res["naive"]
    pages = -(-n // 500)
    expect(
        p.data_queries == pages,
        f"sync walk: {p.data_queries} queries beyond authentication for {pages} pages, expected one per page",
    )
    name = f"(b) incremental sync of {n:,} changed incidents (pages of 500)"
    return [
        _row(
            name,
            "portal",
            p,
            vs_floor=ratio(p.p50, f.p50),
            naive_over_portal=ratio(nv.p50, p.p50),
            rows_per_s=round(n / (p.p50 / 1000)),
            goals={"≤ 2× floor": ratio(p.p50, f.p50) <= 2, "1 query per page beyond auth": p.data_queries == pages},
        ),
        _row(name, "floor", f, rows_per_s=round(n / (f.p50 / 1000))),
        _row(name, "naive", nv, rows_per_s=round(n / (nv.p50 / 1000))),
    ]


# --- (c) dashboards ----------------------------------------------------------------------------------------

ZONE = "Asia/Shanghai"


def _naive_panels(user, period) -> dict:
    """Each rollup-backed panel computed over the raw incident table (what the rollups replace)."""
    table = Incident._meta.db_table
    between = "occurred_at >= %s AND occurred_at < %s"
    span = [period.start, period.end]

    def sql(query, params):
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def kinds():
        rows = []
        for p in (period, period.previous()):
            rows.append(
                list(
                    Incident.objects.visible_to(user)
                    .occurred_between(p.start, p.end)
                    .order_by()
                    .values_list("circle_id", "category", "priority")
                    .annotate(n=Count("pk"))
                )
            )
        return rows

    def heat():
        return sql(
            f"SELECT extract(isodow FROM occurred_at AT TIME ZONE '{ZONE}'), "
            f"extract(hour FROM occurred_at AT TIME ZONE '{ZONE}'), count(*) FROM {table} WHERE {between} "
            "GROUP BY 1, 2",
            span,
        )

    def intervals():
        parts = {
            "queue": "first_dispatched_at - reported_at",
            "travel": "first_arrived_at - first_dispatched_at",
            "response": "first_arrived_at - reported_at",
            "on_scene": "resolved_at - first_arrived_at",
        }
        cols = ", ".join(
            f"percentile_disc({q}) WITHIN GROUP (ORDER BY extract(epoch FROM {expr}))"
            for expr in parts.values()
            for q in (0.5, 0.9)
        )
        return sql(f"SELECT circle_id, {cols} FROM {table} WHERE {between} GROUP BY ROLLUP (circle_id)", span)

    def hotspots():
        cell = geo.GRID_CELL_E7
        return sql(
            f"SELECT floor(round(lat * 1e7) / {cell})::bigint, floor(round(lng * 1e7) / {cell})::bigint, count(*) "
            f"FROM {table} WHERE {between} GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10",
            span,
        )

    return {"incidents_by_kind": kinds, "heat_grid": heat, "intervals": intervals, "hotspots": hotspots}


PANELS = (
    "incidents_by_kind",
    "heat_grid",
    "intervals",
    "backlog",
    "teams",
    "tips",
    "mediation",
    "hazards",
    "alerts",
    "hotspots",
    "party",
)


def dashboards(ctx) -> list[dict]:
    user = ctx["user"]
    out = []
    for key in ctx["dashboard_periods"]:
        period = figures.preset_period(key)
        scope = figures.Scope()
        naive = _naive_panels(user, period)
        for panel in PANELS:
            fn = getattr(figures, panel)

            def portal(fn=fn, period=period, scope=scope):
                return fn(user, period, scope)

            portal()  # once first: what a panel caches per process (table names) is not read again
            with CaptureQueriesContext(connection) as captured:
                portal()
            statements = [q["sql"] for q in captured.captured_queries]

            def floor(statements=statements):
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
                        cursor.fetchall()

            variants = {"portal": portal, "floor": floor}
            if panel in naive:
                variants["naive"] = naive[panel]
            res = compare(variants, rounds=ctx["rounds"])
            p, f = res["portal"], res["floor"]
            expect(
                p.queries == len(statements),
                f"dashboard panel {panel}: {p.queries} queries, the capture saw {len(statements)}",
            )
            expect(
                p.queries <= ctx["panel_query_limit"].get(panel, 6),
                f"dashboard panel {panel}: {p.queries} queries",
            )
            name = f"(c) dashboard panel {panel}, period {key}"
            out.append(
                _row(
                    name,
                    "portal",
                    p,
                    vs_floor=ratio(p.p50, f.p50),
                    p95_vs_floor=ratio(p.p95, f.p95),
                    naive_over_portal=ratio(res["naive"].p50, p.p50) if "naive" in res else None,
                    goals={"≤ 20 ms p95": p.p95 <= 20, "≤ 1.25× floor": ratio(p.p50, f.p50) <= 1.25},
                )
            )
            out.append(_row(name, "floor", f))
            if "naive" in res:
                out.append(_row(name, "naive", res["naive"]))
    # the whole page (the goal: under 150 ms), alone: it has no floor of its own
    page_client: Client = ctx["session_client"]
    for url_name in ("dashboards:commander", "dashboards:overview"):
        url = reverse(url_name) + "?period=30d"

        def page(url=url):
            response = page_client.get(url)
            assert response.status_code == 200, response.status_code
            return response.content

        res = compare({"portal": page}, rounds=max(5, ctx["rounds"] // 3), warmup=1)
        p = res["portal"]
        out.append(
            _row(f"(c) dashboard page {url_name} (30d)", "portal", p, goals={"whole page < 150 ms p95": p.p95 < 150})
        )
    return out


# --- (d) the map layer -----------------------------------------------------------------------------------


def _viewport() -> tuple[float, float, float, float]:
    boxes = [geo.bbox(c.boundary) for c in PatrolCircle.objects.filter(is_active=True)]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def map_layer(ctx) -> list[dict]:
    from incidents.views.incident import GEOJSON_CAP, PERIODS

    client: Client = ctx["session_client"]
    user = ctx["user"]
    bbox = _viewport()
    bbox_param = ",".join(f"{v:.7f}" for v in bbox)
    categories = {k: str(v) for k, v in Category.choices}
    statuses = {k: str(v) for k, v in IncidentStatus.choices}
    priorities = {k: str(v) for k, v in Priority.choices}
    table = Incident._meta.db_table
    out = []
    for period in ("7d", "30d"):
        url = reverse("incidents:incident_geojson") + f"?period={period}&bbox={bbox_param}"
        since = timezone.now() - PERIODS[period]
        in_view = Incident.objects.filter(occurred_at__gte=since).in_bbox(*bbox).count()

        def portal(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            return response.content

        def floor(since=since):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, number, summary, category, priority, status, occurred_at, lat, lng FROM {table} "
                    "WHERE occurred_at >= %s AND lat >= %s AND lat <= %s AND lng >= %s AND lng <= %s "
                    f"ORDER BY occurred_at DESC, id DESC LIMIT {GEOJSON_CAP}",
                    [since, bbox[1], bbox[3], bbox[0], bbox[2]],
                )
                rows = cursor.fetchall()
            zone = timezone.get_current_timezone()
            return orjson.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": r[0],
                            "geometry": {"type": "Point", "coordinates": [round(r[8], 7), round(r[7], 7)]},
                            "properties": {
                                "number": r[1],
                                "summary": r[2],
                                "category": r[3],
                                "category_label": categories.get(r[3], r[3]),
                                "priority": r[4],
                                "priority_label": priorities.get(r[4], r[4]),
                                "status": r[5],
                                "status_label": statuses.get(r[5], r[5]),
                                "occurred_at": r[6].astimezone(zone).isoformat(),
                                "url": f"/incidents/{r[0]}/",
                            },
                        }
                        for r in rows
                    ],
                }
            )

        def naive(since=since):
            qs = (
                Incident.objects.visible_to(user)
                .filter(occurred_at__gte=since)
                .in_bbox(*bbox)
                .order_by("-occurred_at", "-pk")[:GEOJSON_CAP]
            )
            features = baselines.NaiveFeatureSerializer(qs, many=True).data
            return JSONRenderer().render({"type": "FeatureCollection", "features": features})

        res = compare({"portal": portal, "floor": floor, "naive": naive}, rounds=ctx["rounds"])
        p, f, nv = res["portal"], res["floor"], res["naive"]
        body = portal()
        features = len(orjson.loads(body)["features"])
        gz = len(gzip.compress(body, 6))
        expect(p.data_queries == 1, f"map layer: {p.data_queries} queries beyond the session, expected 1")
        name = f"(d) map layer, viewport of the 3 circles, {period} ({in_view:,} points in view)"
        out.append(
            _row(
                name,
                "portal",
                p,
                vs_floor=ratio(p.p50, f.p50),
                naive_over_portal=ratio(nv.p50, p.p50),
                features=features,
                bytes=len(body),
                gzip_bytes=gz,
                goals={
                    "≤ 300 kB gzipped": gz <= 300_000,
                    "≤ 2× floor": ratio(p.p50, f.p50) <= 2,
                    "every point in view drawn (or clustered)": features >= in_view,
                },
            )
        )
        out.append(_row(name, "floor", f, bytes=len(floor()), gzip_bytes=len(gzip.compress(floor(), 6))))
        out.append(_row(name, "naive", nv, bytes=len(naive()), gzip_bytes=len(gzip.compress(naive(), 6))))
    return out


SCENARIOS = {"list": incident_list, "sync": incremental_sync, "dashboards": dashboards, "map": map_layer}
