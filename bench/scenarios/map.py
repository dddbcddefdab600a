"""(d) the map incident layer for a viewport."""

from __future__ import annotations

import gzip

import orjson
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
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
