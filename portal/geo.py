"""Every spatial computation of the portal, in one place.

Points are WGS84 (lat, lng) in fields and forms and (lng, lat) in GeoJSON; areas are GeoJSON
Polygon or MultiPolygon dicts stored in JSON fields. Nothing else in the project imports shapely,
so that moving geometry to PostGIS at city scale touches only this module.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import LineString, Point, shape
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8
DECIMALS = 7
AREA_TYPES = ("Polygon", "MultiPolygon")


def bounds() -> tuple[float, float, float, float]:
    """The sub-bureau's configured bounds: (min lng, min lat, max lng, max lat)."""
    return tuple(settings.GEO_BOUNDS)


def _in_bounds(lng: float, lat: float) -> bool:
    min_lng, min_lat, max_lng, max_lat = bounds()
    return min_lng <= lng <= max_lng and min_lat <= lat <= max_lat


def validate_point(lat, lng) -> tuple[float, float]:
    """Return (lat, lng) rounded to 7 decimals, or raise ValidationError with a clear message."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationError(_("Latitude and longitude must be numbers."), code="invalid") from None
    if not (math.isfinite(lat) and math.isfinite(lng)) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("Latitude must be within ±90 and longitude within ±180."), code="range")
    if not _in_bounds(lng, lat):
        raise ValidationError(
            _("The point (%(lat)s, %(lng)s) is outside the sub-bureau's area."),
            code="bounds",
            params={"lat": round(lat, 5), "lng": round(lng, 5)},
        )
    return round(lat, DECIMALS), round(lng, DECIMALS)


def _check_positions(positions: Iterable) -> list[list[float]]:
    out = []
    for position in positions:
        if not isinstance(position, (list, tuple)) or len(position) < 2:
            raise ValidationError(_("Each position must be a [longitude, latitude] pair."), code="invalid")
        lng, lat = position[0], position[1]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lng, lat)):
            raise ValidationError(_("Coordinates must be numbers."), code="invalid")
        if not (math.isfinite(lng) and math.isfinite(lat)) or not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("Coordinates must be longitude within ±180 and latitude within ±90."), code="range"
            )
        if not _in_bounds(lng, lat):
            raise ValidationError(_("The area reaches outside the sub-bureau's bounds."), code="bounds")
        out.append([round(float(lng), DECIMALS), round(float(lat), DECIMALS)])
    return out


def _check_ring(ring) -> list[list[float]]:
    if not isinstance(ring, (list, tuple)):
        raise ValidationError(_("A polygon ring must be a list of positions."), code="invalid")
    ring = _check_positions(ring)
    if len(ring) < 4:
        raise ValidationError(_("A polygon ring needs at least four positions."), code="ring")
    if ring[0] != ring[-1]:
        raise ValidationError(_("A polygon ring must be closed: its last position must equal its first."), code="ring")
    return ring


def validate_area(value) -> dict:
    """Validate a GeoJSON Polygon or MultiPolygon (also accepts a Feature wrapping one).

    Returns the normalised geometry (7 decimals); raises ValidationError on anything else: wrong
    type, open or short rings, self-intersections, coordinates out of range or out of bounds.
    """
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in AREA_TYPES:
        raise ValidationError(_("The area must be a GeoJSON Polygon or MultiPolygon."), code="type")
    coords = value.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise ValidationError(_("The area has no coordinates."), code="invalid")
    if value["type"] == "Polygon":
        normalised = {"type": "Polygon", "coordinates": [_check_ring(r) for r in coords]}
    else:
        if not all(isinstance(p, list) and p for p in coords):
            raise ValidationError(_("Each polygon of a MultiPolygon must be a list of rings."), code="invalid")
        normalised = {"type": "MultiPolygon", "coordinates": [[_check_ring(r) for r in p] for p in coords]}
    geom = shape(normalised)
    if not geom.is_valid:
        raise ValidationError(
            _("The area is not a valid shape: %(reason)s."),
            code="invalid_shape",
            params={"reason": explain_validity(geom)},
        )
    if geom.area == 0:
        raise ValidationError(_("The area is empty."), code="empty")
    return normalised


def validate_line(value) -> dict:
    """Validate a GeoJSON LineString (a patrol route) inside the bounds."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") != "LineString":
        raise ValidationError(_("The route must be a GeoJSON LineString."), code="type")
    coords = value.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise ValidationError(_("A route needs at least two positions."), code="invalid")
    return {"type": "LineString", "coordinates": _check_positions(coords)}


@lru_cache(maxsize=512)
def _prepared(area_key: str):
    """The area's geometry, prepared (indexed) for many point tests: one per area and process."""
    import json

    import shapely

    geometry = shape(json.loads(area_key))
    shapely.prepare(geometry)
    return geometry


def _key(area: dict) -> str:
    import json

    return json.dumps(area, sort_keys=True, separators=(",", ":"))


def contains(area: dict, lat: float, lng: float) -> bool:
    """Whether the point (lat, lng) lies inside the area (on the border counts as inside)."""
    return _prepared(_key(area)).covers(Point(lng, lat))


def area_within(inner: dict, outer: dict) -> bool:
    """Whether the inner area lies inside the outer one."""
    return _prepared(_key(outer)).covers(shape(inner))


def first_containing(items: Iterable, lat: float, lng: float, attr: str = "boundary"):
    """The first item whose area (attribute `attr`) contains the point, or None."""
    for item in items:
        area = getattr(item, attr)
        if area and contains(area, lat, lng):
            return item
    return None


def first_containing_each(items: Iterable, lats, lngs, attr: str = "boundary") -> list:
    """For many points at once: the first item whose area contains each point (or None), like `first_containing`.

    Vectorised (one shapely call per item over all points) for bulk work such as imports; on the
    border counts as inside, as in `contains`.
    """
    import numpy
    import shapely

    lats, lngs = numpy.asarray(lats, dtype=float), numpy.asarray(lngs, dtype=float)
    found: list = [None] * len(lats)
    todo = numpy.ones(len(lats), dtype=bool)
    for item in items:
        area = getattr(item, attr)
        if not area or not todo.any():
            continue
        hit = todo & shapely.intersects_xy(_prepared(_key(area)), lngs, lats)
        for index in numpy.flatnonzero(hit).tolist():
            found[index] = item
        todo &= ~hit
    return found


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox(area: dict) -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) of an area or line."""
    return tuple(round(v, DECIMALS) for v in shape(area).bounds)


def centroid(area: dict) -> tuple[float, float]:
    """(lat, lng) of an area's representative point (always inside it)."""
    p = shape(area).representative_point()
    return round(p.y, DECIMALS), round(p.x, DECIMALS)


def line_length_m(line: dict) -> float:
    """Length of a LineString in metres, summed over its segments."""
    coords = list(LineString(line["coordinates"]).coords)
    return sum(distance_m(a[1], a[0], b[1], b[0]) for a, b in zip(coords, coords[1:], strict=False))


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse "minlon,minlat,maxlon,maxlat"; raise ValidationError when malformed or inverted."""
    try:
        parts = [float(v) for v in text.split(",")]
    except (AttributeError, ValueError):
        raise ValidationError(_("bbox must be four numbers: minlon,minlat,maxlon,maxlat."), code="invalid") from None
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        raise ValidationError(_("bbox must be four numbers: minlon,minlat,maxlon,maxlat."), code="invalid")
    min_lng, min_lat, max_lng, max_lat = parts
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(_("bbox is out of range or its minimum exceeds its maximum."), code="range")
    return min_lng, min_lat, max_lng, max_lat


# --- map grid cells (dashboards' hotspots) ---------------------------------------------------------

#: the side of a hotspot grid cell in 1e-7 degrees (0.002°: about 220 m north-south near Ningde)
GRID_CELL_E7 = 20_000


def grid_cell(lat: float, lng: float) -> str:
    """The grid cell "row:col" holding a point, computed on integers so that edges are exact."""
    return f"{round(lat * 10**DECIMALS) // GRID_CELL_E7}:{round(lng * 10**DECIMALS) // GRID_CELL_E7}"


def grid_cell_bbox(cell: str) -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) of a cell, edges included, holding exactly its 7-decimal points."""
    row, col = (int(v) for v in cell.split(":"))
    unit = 10**DECIMALS
    return (
        col * GRID_CELL_E7 / unit,
        row * GRID_CELL_E7 / unit,
        (col * GRID_CELL_E7 + GRID_CELL_E7 - 1) / unit,
        (row * GRID_CELL_E7 + GRID_CELL_E7 - 1) / unit,
    )


# --- map clusters (the incidents layer) ----------------------------------------------------------------

#: the map zooms the layer answers for (Leaflet's: 0 shows the world on one 256-pixel tile)
MAX_ZOOM = 20
#: the side of a cluster cell on the screen, in pixels
CLUSTER_CELL_PX = 64


def _lat_scale() -> float:
    """How much shorter a degree of longitude looks than a degree of latitude, at the centre of the bounds.

    Web Mercator stretches latitude by 1/cos(lat); one factor for the whole sub-bureau (a few tens of
    kilometres across) keeps the cells square on the screen and the same wherever the map is panned.
    """
    min_lng, min_lat, max_lng, max_lat = bounds()
    return math.cos(math.radians((min_lat + max_lat) / 2))


def cluster_cell(zoom: int) -> tuple[float, float]:
    """(degrees of longitude, degrees of latitude) of a cluster cell, CLUSTER_CELL_PX pixels square at `zoom`.

    The cells form one grid anchored at (0, 0), so a point falls in the same cell whatever the viewport.
    """
    width = 360 * CLUSTER_CELL_PX / (256 * 2**zoom)
    return width, width * _lat_scale()


def zoom_to_fit(box: tuple[float, float, float, float], pixels: int) -> int:
    """The largest zoom (0 … MAX_ZOOM) at which the box (min lng, min lat, max lng, max lat) fits `pixels` square."""
    min_lng, min_lat, max_lng, max_lat = box
    span = max(max_lng - min_lng, (max_lat - min_lat) / _lat_scale(), 1e-9)
    return max(0, min(MAX_ZOOM, math.floor(math.log2(360 * pixels / (256 * span)))))
