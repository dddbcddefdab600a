"""GeoJSON (RFC 7946) rendering of any located resource: `?format=geojson` or `Accept: application/geo+json`.

A serialized row becomes a Feature: its `geometry` field when it has one (areas, routes), else a
Point from its `lat`/`lng`; every other field goes to `properties`. Coordinates are (lon, lat) with
at most 7 decimals (the geo module rounds them on save).
"""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from portal.geo import DECIMALS


def to_feature(item: dict) -> dict:
    properties = dict(item)
    geometry = properties.pop("geometry", None)
    lat, lng = properties.pop("lat", None), properties.pop("lng", None)
    if geometry is None and lat is not None and lng is not None:
        geometry = {"type": "Point", "coordinates": [round(lng, DECIMALS), round(lat, DECIMALS)]}
    feature = {"type": "Feature", "geometry": geometry, "properties": properties}
    if "id" in properties:
        feature["id"] = properties["id"]
    return feature


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            return super().render(data, "application/json", renderer_context)
        if isinstance(data, list):
            data = {"type": "FeatureCollection", "features": [to_feature(i) for i in data]}
        elif isinstance(data, dict) and "results" in data:
            links = {k: v for k, v in data.items() if k != "results"}
            data = {"type": "FeatureCollection", "features": [to_feature(i) for i in data["results"]], **links}
        elif isinstance(data, dict):
            data = to_feature(data)
        return super().render(data, accepted_media_type, renderer_context)
