"""(a) the incident list and its peak memory (e), (b) the incremental sync walk."""

from __future__ import annotations

import random
from datetime import timedelta

import orjson
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import baselines
from bench.harness import compare, ratio
from bench.scenarios.common import QueryCountError, expect, per_second
from bench.scenarios.common import row as _row
from incidents.models import Incident
from portal.api.pagination import PortalCursorPagination

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
            rows_per_s=per_second(n, p),
            goals={"≤ 2× floor": ratio(p.p50, f.p50) <= 2, "1 query per page beyond auth": p.data_queries == pages},
        ),
        _row(name, "floor", f, rows_per_s=per_second(n, f)),
        _row(name, "naive", nv, rows_per_s=per_second(n, nv)),
    ]
