"""The floors (raw SQL + orjson: what the hardware and PostgreSQL allow) and the naive baselines (what the
usual Django REST framework code does) that every scenario is measured against.

The floors produce the same rows and fields as the portal (ids, number, codes and their labels, times,
text, circle and station, the point, the row's URL) in one SQL statement, serialised by orjson: no
model instances, no serializer, no middleware. The naive baselines are written the way the DRF
tutorial writes them: a ModelSerializer with nested serializers for station and circle, page-number
(offset) pagination with its COUNT(*), and `select_related` (so they are naive, not careless: no N+1).
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from django.db import connection
from django.http import HttpResponse
from rest_framework import generics, pagination, serializers

from incidents.choices import Category, IncidentStatus, Priority, Source
from incidents.models import Incident
from patrols.models import PatrolCircle, Station

# --- the floor -------------------------------------------------------------------------------------

COLUMNS = (
    "i.id, i.number, i.status, i.category, i.priority, i.source, i.occurred_at, i.reported_at, i.summary, "
    "i.description, i.address, i.outcome, i.placement_override_reason, i.first_dispatched_at, "
    "i.first_arrived_at, i.resolved_at, i.closed_at, i.version, i.created_at, i.updated_at, i.lat, i.lng, "
    "c.id, c.name, s.id, s.code, s.name"
)
FROM = (
    f"FROM {Incident._meta.db_table} i JOIN {Station._meta.db_table} s ON s.id = i.station_id "
    f"LEFT JOIN {PatrolCircle._meta.db_table} c ON c.id = i.circle_id"
)
_LABELS = {
    "status": dict(IncidentStatus.choices),
    "category": dict(Category.choices),
    "priority": dict(Priority.choices),
    "source": dict(Source.choices),
}


def _labels() -> dict[str, dict[str, str]]:
    """The choice labels in the active language (translated once per call, as the portal does per row)."""
    return {field: {k: str(v) for k, v in choices.items()} for field, choices in _LABELS.items()}


def _row(r: tuple, labels: dict, base: str) -> dict:
    return {
        "id": r[0],
        "url": f"{base}{r[0]}/",
        "number": r[1],
        "status": r[2],
        "status_label": labels["status"].get(r[2], r[2]),
        "category": r[3],
        "category_label": labels["category"].get(r[3], r[3]),
        "priority": r[4],
        "priority_label": labels["priority"].get(r[4], r[4]),
        "source": r[5],
        "source_label": labels["source"].get(r[5], r[5]),
        "occurred_at": r[6],
        "reported_at": r[7],
        "summary": r[8],
        "description": r[9],
        "address": r[10],
        "outcome": r[11],
        "circle": {"id": r[22], "name": r[23]} if r[22] is not None else None,
        "station": {"id": r[24], "code": r[25], "name": r[26]},
        "placement_override_reason": r[12],
        "first_dispatched_at": r[13],
        "first_arrived_at": r[14],
        "resolved_at": r[15],
        "closed_at": r[16],
        "version": r[17],
        "created_at": r[18],
        "updated_at": r[19],
        "lat": r[20],
        "lng": r[21],
    }


def floor_page(
    *, size: int = 100, after: tuple | None = None, order: str = "reported_at", desc: bool = True, since=None
):
    """One keyset page: (JSON bytes, the last row's key or None). `since`: updated_at >= since (a sync walk)."""
    where, params = [], []
    if since is not None:
        where.append("i.updated_at >= %s")
        params.append(since)
    if after is not None:
        where.append(f"(i.{order}, i.id) {'<' if desc else '>'} (%s, %s)")
        params.extend(after)
    direction = "DESC" if desc else "ASC"
    sql = (
        f"SELECT {COLUMNS} {FROM} {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY i.{order} {direction}, i.id {direction} LIMIT {int(size) + 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    more = len(rows) > size
    rows = rows[:size]
    labels = _labels()
    results = [_row(r, labels, "http://testserver/api/v1/incidents/") for r in rows]
    key = None
    if more and rows:
        last = results[-1]
        key = (last[order], last["id"])
    body = orjson.dumps({"next": key is not None, "results": results}, option=orjson.OPT_NAIVE_UTC)
    return body, key


def floor_list_view(request):
    """The floor as an HTTP endpoint (for the HTTP runs): no authentication, no middleware work of its own."""
    body, _key = floor_page(size=int(request.GET.get("page_size") or 100))
    return HttpResponse(body, content_type="application/json")


def floor_sync(*, since: datetime, size: int = 500) -> int:
    """Walk every row changed since `since` in (updated_at, id) order, keyset pages of `size`: rows seen."""
    seen, after = 0, None
    while True:
        body, after = floor_page(size=size, after=after, order="updated_at", desc=False, since=since)
        seen += body.count(b'"number":')
        if after is None:
            return seen


# --- the naive baseline ------------------------------------------------------------------------------


class NaiveCircleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PatrolCircle
        fields = ["id", "name"]


class NaiveStationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ["id", "code", "name"]


class NaiveIncidentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="incident-detail")
    status_label = serializers.CharField(source="get_status_display")
    category_label = serializers.CharField(source="get_category_display")
    priority_label = serializers.CharField(source="get_priority_display")
    source_label = serializers.CharField(source="get_source_display")
    circle = NaiveCircleSerializer(allow_null=True)
    station = NaiveStationSerializer()

    class Meta:
        model = Incident
        fields = [
            "id", "url", "number", "status", "status_label", "category", "category_label", "priority",
            "priority_label", "source", "source_label", "occurred_at", "reported_at", "summary", "description",
            "address", "outcome", "circle", "station", "placement_override_reason", "first_dispatched_at",
            "first_arrived_at", "resolved_at", "closed_at", "version", "created_at", "updated_at", "lat", "lng",
        ]  # fmt: skip


class NaivePagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class NaiveIncidentList(generics.ListAPIView):
    """`/bench/naive/incidents/?page=N[&updated_since=ISO]`: the tutorial's list (offset pages, COUNT(*))."""

    serializer_class = NaiveIncidentSerializer
    pagination_class = NaivePagination
    filter_backends = []

    def get_queryset(self):
        qs = Incident.objects.visible_to(self.request.user).select_related("circle", "station")
        since = self.request.query_params.get("updated_since")
        if since:
            return qs.filter(updated_at__gte=datetime.fromisoformat(since)).order_by("updated_at", "pk")
        return qs.order_by("-reported_at", "-pk")


class NaiveFeatureSerializer(serializers.ModelSerializer):
    """One GeoJSON Feature per row, built by a serializer (the naive map layer)."""

    class Meta:
        model = Incident
        fields = ["id", "number", "summary", "category", "priority", "status", "occurred_at", "lat", "lng"]

    def to_representation(self, instance):
        properties = super().to_representation(instance)
        lat, lng = properties.pop("lat"), properties.pop("lng")
        return {
            "type": "Feature",
            "id": properties.pop("id"),
            "geometry": {"type": "Point", "coordinates": [round(lng, 7), round(lat, 7)]},
            "properties": {
                **properties,
                "category_label": instance.get_category_display(),
                "priority_label": instance.get_priority_display(),
                "status_label": instance.get_status_display(),
                "url": instance.get_absolute_url(),
            },
        }


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
