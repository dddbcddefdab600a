"""(d) the map incident layer for a viewport holding 10,000 and 100,000 incidents.

The portal answers a crowded viewport with clusters counted in SQL (incidents.views.incident); the
floor is the same SQL through a raw cursor and orjson, checked to give the same answer; the naive
baseline draws one GeoJSON Feature per row in view, through a serializer, and nothing else.
"""

from __future__ import annotations

import gzip
import math

import orjson
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from rest_framework.renderers import JSONRenderer

from bench import baselines
from bench.harness import compare, ratio
from bench.scenarios.common import expect
from bench.scenarios.common import row as _row
from incidents.choices import Category, IncidentStatus, Priority
from incidents.models import Incident
from patrols.models import PatrolCircle
from portal import geo

# --- (d) the map layer -----------------------------------------------------------------------------------

#: the points in view the scenario measures, on the full 1,000,000-incident data
TARGETS = (10_000, 100_000)
FULL_COUNT = 1_000_000
#: the width of the map the viewport is shown on: the zoom asked for is the one that fits the box in it
SCREEN_PX = 1024


def _centre() -> tuple[float, float]:
    """(lng, lat) of the middle of the active circles, where the incidents crowd."""
    boxes = [geo.bbox(c.boundary) for c in PatrolCircle.objects.filter(is_active=True)] or [geo.bounds()]
    return (
        (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2,
        (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2,
    )


def _in_view(since, box) -> int:
    return Incident.objects.filter(occurred_at__gte=since).in_bbox(*box).count()


def viewport(target: int) -> tuple[str, tuple[float, float, float, float], int]:
    """(period, box, points in view): the shortest period whose whole area holds the target, and the box
    around the circles' middle, shrunk by bisection until it holds the target (within 2 %)."""
    from incidents.views.incident import PERIODS

    now = timezone.now()
    bounds = geo.bounds()
    cx, cy = _centre()
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]

    def box(scale):
        return (
            round(max(bounds[0], cx - scale * width), 7),
            round(max(bounds[1], cy - scale * height), 7),
            round(min(bounds[2], cx + scale * width), 7),
            round(min(bounds[3], cy + scale * height), 7),
        )

    longest = list(PERIODS)[-1]
    period = next((key for key, span in PERIODS.items() if _in_view(now - span, bounds) >= target), longest)
    since = now - PERIODS[period]
    low, high = 0.0, 1.0
    best = (box(high), _in_view(since, box(high)))
    for _ in range(30):
        middle = (low + high) / 2
        count = _in_view(since, box(middle))
        if abs(count - target) < abs(best[1] - target):
            best = (box(middle), count)
        if abs(count - target) <= target * 0.02:
            break
        low, high = (middle, high) if count < target else (low, middle)
    return period, best[0], best[1]


def _floor_response(since, box, zoom):
    """The portal's answer by hand: the same SQL through a raw cursor, the same document through orjson."""
    from incidents.views.incident import POINT_LIMIT

    table = Incident._meta.db_table
    columns = "id, number, summary, category, priority, status, occurred_at, lat, lng"
    where = "occurred_at >= %s AND lat >= %s AND lat <= %s AND lng >= %s AND lng <= %s"
    args = [since, box[1], box[3], box[0], box[2]]
    clusters = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} LIMIT {POINT_LIMIT + 1}", args)
        points = cursor.fetchall()
        if len(points) > POINT_LIMIT:
            width, height = geo.cluster_cell(zoom)
            cursor.execute(
                f"SELECT FLOOR(lng / %s), FLOOR(lat / %s), category, COUNT(*), SUM(lat), SUM(lng), MIN(lat), "
                f"MAX(lat), MIN(lng), MAX(lng), MIN(id) FROM {table} WHERE {where} GROUP BY 1, 2, 3",
                [width, height, *args],
            )
            cells = {}
            for x, y, category, n, slat, slng, lat0, lat1, lng0, lng1, first in cursor.fetchall():
                cell = cells.setdefault((int(x), int(y)), [0, {}, [], [], [lng0, lat0, lng1, lat1], first])
                cell[0] += n
                cell[1][category] = n
                cell[2].append(slat)
                cell[3].append(slng)
                b = cell[4]
                b[0], b[1], b[2], b[3] = min(b[0], lng0), min(b[1], lat0), max(b[2], lng1), max(b[3], lat1)
                cell[5] = min(cell[5], first)
            lone = [c[5] for c in cells.values() if c[0] == 1]
            points = []
            if lone:
                cursor.execute(f"SELECT {columns} FROM {table} WHERE id = ANY(%s)", [lone])
                points = cursor.fetchall()
            clusters = [
                {
                    "type": "Feature",
                    "id": f"cluster:{x}:{y}",
                    "bbox": [round(v, 7) for v in c[4]],
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(math.fsum(c[3]) / c[0], 7), round(math.fsum(c[2]) / c[0], 7)],
                    },
                    "properties": {
                        "cluster": True,
                        "count": c[0],
                        "label": ngettext("%(count)s incident", "%(count)s incidents", c[0]) % {"count": c[0]},
                        "categories": dict(sorted(c[1].items(), key=lambda item: (-item[1], item[0]))),
                    },
                }
                for (x, y), c in sorted(cells.items())
                if c[0] > 1
            ]
    categories = {k: str(v) for k, v in Category.choices}
    statuses = {k: str(v) for k, v in IncidentStatus.choices}
    priorities = {k: str(v) for k, v in Priority.choices}
    zone = timezone.get_current_timezone()
    points.sort(key=lambda r: (r[6], r[0]), reverse=True)
    features = clusters + [
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
        for r in points
    ]
    return orjson.dumps(
        {
            "type": "FeatureCollection",
            "total": sum(c["properties"]["count"] for c in clusters) + len(points),
            "clustered": bool(clusters),
            "zoom": zoom,
            "features": features,
        }
    )


def _same(portal: dict, floor: dict) -> bool:
    """Whether two answers agree, coordinates within 1e-6°: PostgreSQL's SUM of floats (a centroid) may differ
    in its last digit with the order it adds the rows in (a parallel aggregate changes it)."""

    def split(document):
        coordinates = []
        for feature in document["features"]:
            coordinates.append(feature["geometry"].pop("coordinates") + feature.pop("bbox", []))
        return document, coordinates

    (a, a_coords), (b, b_coords) = split(portal), split(floor)
    return (
        a == b
        and all(len(x) == len(y) for x, y in zip(a_coords, b_coords, strict=True))
        and all(abs(u - v) <= 1e-6 for x, y in zip(a_coords, b_coords, strict=True) for u, v in zip(x, y, strict=True))
    )


def map_layer(ctx) -> list[dict]:
    from incidents.views.incident import PERIODS, VIEWPORT_PX

    client: Client = ctx["session_client"]
    user = ctx["user"]
    scale = min(1.0, ctx["count"] / FULL_COUNT)
    out = []
    for full_target in TARGETS:
        target = max(1, round(full_target * scale))
        period, box, in_view = viewport(target)
        since = timezone.now() - PERIODS[period]
        zoom = min(geo.zoom_to_fit(box, SCREEN_PX), geo.zoom_to_fit(box, VIEWPORT_PX))
        bbox_param = ",".join(f"{v:.7f}" for v in box)
        url = reverse("incidents:incident_geojson") + f"?period={period}&zoom={zoom}&bbox={bbox_param}"

        def portal(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            return response.content

        def floor(since=since, box=box, zoom=zoom):
            return _floor_response(since, box, zoom)

        naive_answer = {}  # the last answer, for its size: one more call would take as long as a round

        def naive(since=since, box=box, last=naive_answer):
            qs = Incident.objects.visible_to(user).filter(occurred_at__gte=since).in_bbox(*box)
            features = baselines.NaiveFeatureSerializer(qs.order_by("-occurred_at", "-pk"), many=True).data
            last["body"] = JSONRenderer().render({"type": "FeatureCollection", "features": features})
            return last["body"]

        # The answers agree before anything is timed (the period's start moves with the clock: one `since`).
        body = portal()
        document = orjson.loads(body)
        floor_doc = orjson.loads(_floor_response(timezone.now() - PERIODS[period], box, zoom))
        expect(_same(orjson.loads(body), floor_doc), "map layer: the floor's answer differs from the portal's")
        expect(document["total"] == in_view, f"map layer: {document['total']} counted, {in_view} in view")
        res = compare({"portal": portal, "floor": floor}, rounds=ctx["rounds"])
        # One Feature per row through a serializer takes tens of seconds at 100,000 rows: a few separate
        # rounds, without warm-up or the memory peak (tracemalloc slows it several times over).
        naive_rounds = max(2, ctx["rounds"] // 20)
        nv = compare({"naive": naive}, rounds=naive_rounds, warmup=0, memory=False)["naive"]
        p, f = res["portal"], res["floor"]
        expect(p.data_queries <= 3, f"map layer: {p.data_queries} queries beyond the session, expected at most 3")
        clusters = [x for x in document["features"] if x["properties"].get("cluster")]
        gz = len(gzip.compress(body, 6))
        floor_body, naive_body = _floor_response(since, box, zoom), naive_answer["body"]
        scaled = "" if scale == 1 else f", targets scaled ×{scale:g} to the data"
        name = (
            f"(d) map layer, {target:,} points in view{scaled} "
            f"({period}, {in_view:,} in the box, zoom {zoom}; naive in {naive_rounds} separate rounds)"
        )
        out.append(
            _row(
                name,
                "portal",
                p,
                vs_floor=ratio(p.p50, f.p50),
                naive_over_portal=ratio(nv.p50, p.p50),
                features=len(document["features"]),
                clusters=len(clusters),
                bytes=len(body),
                gzip_bytes=gz,
                goals={
                    "≤ 300 kB gzipped": gz <= 300_000,
                    "≤ 2× floor": ratio(p.p50, f.p50) <= 2,
                    "every incident in view drawn or counted": document["total"] == in_view,
                },
            )
        )
        out.append(_row(name, "floor", f, bytes=len(floor_body), gzip_bytes=len(gzip.compress(floor_body, 6))))
        out.append(_row(name, "naive", nv, bytes=len(naive_body), gzip_bytes=len(gzip.compress(naive_body, 6))))
    return out
