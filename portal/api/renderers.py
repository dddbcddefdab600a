"""Renderers of the API: JSON (by orjson), GeoJSON for located resources, and CSV/XLSX for exports.

JSON is rendered by orjson: the JSON DRF's own renderer makes of the same data (compact separators,
UTF-8, U+2028/U+2029 escaped, times in ISO 8601 with "Z" for UTC, the other types DRF knows through
DRF's encoder) in a fraction of the time. An indented answer (`Accept: application/json; indent=4`,
the browsable API) and anything orjson refuses (an integer beyond 64 bits) go through DRF's renderer.
One difference: a float that is NaN or infinite is written as null (DRF's strict renderer fails).

GeoJSON (RFC 7946): `?format=geojson` or `Accept: application/geo+json`. A serialized row becomes a
Feature: its `geometry` field when it has one (areas, routes), else a Point from its `lat`/`lng`;
every other field goes to `properties`. Coordinates are (lon, lat) with at most 7 decimals. A page
of a paginated list becomes a FeatureCollection that keeps the page's links (`next`, `previous`,
...) as foreign members.

CSV and XLSX are chosen the same way (`?format=csv|xlsx`); the viewset builds the file itself
(`portal.api.exports`) and these classes only let content negotiation pick the format.
"""

from __future__ import annotations

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from portal.geo import DECIMALS

#: dict keys that aren't strings as json.dumps writes them; times as DRF's encoder does (ISO 8601, "Z" for
#: UTC; tests/api/test_renderers.py compares the two)
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
#: what orjson doesn't know natively (lazy translations, times, decimals, ...): as DRF encodes it
_drf_default = JSONEncoder().default


class PortalJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, by orjson (see the module docstring)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.ensure_ascii or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_drf_default, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:  # U+2028, U+2029: JavaScript-safe, as DRF
            body = body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
        return body


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


class GeoJSONRenderer(PortalJSONRenderer):
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
        return PortalJSONRenderer().render(data, "application/json", renderer_context)


class CSVRenderer(ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(ExportRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
