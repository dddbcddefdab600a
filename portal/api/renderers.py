"""Renderers of the API: GeoJSON for located resources, and CSV/XLSX for exports.

GeoJSON (RFC 7946): `?format=geojson` or `Accept: application/geo+json`. A serialized row becomes a
Feature: its `geometry` field when it has one (areas, routes), else a Point from its `lat`/`lng`;
every other field goes to `properties`. Coordinates are (lon, lat) with at most 7 decimals. A page
of a paginated list becomes a FeatureCollection that keeps the page's links (`next`, `previous`,
...) as foreign members.

CSV and XLSX are chosen the same way (`?format=csv|xlsx`); the viewset builds the file itself
(`portal.api.exports`) and these classes only let content negotiation pick the format.
"""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer, JSONRenderer

from portal.geo import DECIMALS


def _round(value):
    return round(value, DECIMALS) if isinstance(value, float) else value


def to_feature(item: dict) -> dict:
    properties = dict(item)
    geometry = properties.pop("geometry", None)
    lat, lng = properties.pop("lat", None), properties.pop("lng", None)
    if geometry is None and lat is not None and lng is not None:
        geometry = {"type": "Point", "coordinates": [_round(lng), _round(lat)]}
    feature = {"type": "Feature", "geometry": geometry, "properties": properties}
    if "id" in properties:
        feature["id"] = properties["id"]
    return feature


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and (response.status_code >= 400 or response.status_code == 304):
            return super().render(data, "application/json", renderer_context)
        if isinstance(data, list):
            data = {"type": "FeatureCollection", "features": [to_feature(i) for i in data]}
        elif isinstance(data, dict) and "results" in data:
            links = {k: v for k, v in data.items() if k != "results"}
            data = {"type": "FeatureCollection", "features": [to_feature(i) for i in data["results"]], **links}
        elif isinstance(data, dict):
            data = to_feature(data)
        return super().render(data, accepted_media_type, renderer_context)


class ExportRenderer(BaseRenderer):
    """A format the viewset answers with a file of its own making; anything else it gets is JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data, "application/json", renderer_context)


class CSVRenderer(ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(ExportRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
