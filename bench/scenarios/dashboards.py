"""(c) every dashboard panel against the same SQL run directly and against the raw-table aggregate."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.harness import compare, ratio
from bench.scenarios.common import expect
from bench.scenarios.common import row as _row
from incidents.models import Incident
from portal import geo
from portal.dashboards import figures

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


def _periods(ctx) -> list[tuple[str, figures.Period, bool]]:
    """(label, period, with the naive baseline): the presets, and a custom range of the last five years.

    The custom range is whole days (the rollups only); its naive baseline (percentiles over every incident
    of five years: seconds a call at a million incidents) is left out.
    """
    today = timezone.localdate()
    custom = figures.date_period(today - timedelta(days=5 * 365 - 1), today)
    presets = [(key, figures.preset_period(key), True) for key in ctx["dashboard_periods"]]
    return [*presets, ("custom 5 years", custom, False)]


def dashboards(ctx) -> list[dict]:
    user = ctx["user"]
    out = []
    for key, period, with_naive in _periods(ctx):
        scope = figures.Scope()
        naive = _naive_panels(user, period) if with_naive else {}
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

            res = compare({"portal": portal, "floor": floor}, rounds=ctx["rounds"])
            p, f = res["portal"], res["floor"]
            naive_res = None
            if panel in naive:  # in rounds of its own: its scans of the incident table, between the portal's calls
                # and the floor's, would cool the caches they share, and cost the portal's Python more than the floor
                naive_res = compare({"portal": portal, "naive": naive[panel]}, rounds=ctx["rounds"])
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
                    naive_over_portal=ratio(naive_res["naive"].p50, naive_res["portal"].p50) if naive_res else None,
                    goals={"≤ 20 ms p95": p.p95 <= 20, "≤ 1.25× floor": ratio(p.p50, f.p50) <= 1.25},
                )
            )
            out.append(_row(name, "floor", f))
            if naive_res:
                out.append(_row(name, "naive", naive_res["naive"]))
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
