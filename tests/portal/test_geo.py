"""portal.geo: validation of points and areas, point-in-polygon, distances."""

import pytest
from django.core.exceptions import ValidationError

from portal import geo
from tests.factories import square


class PointValidationTests:
    def test_a_point_inside_the_bounds_is_rounded_to_seven_decimals(self):
        assert geo.validate_point(26.661234567891, 119.551234567891) == (26.6612346, 119.5512346)

    @pytest.mark.parametrize(
        ("lat", "lng", "code"),
        [
            ("x", 119.55, "invalid"),
            (None, 119.55, "invalid"),
            (95, 119.55, "range"),
            (26.66, 200, "range"),
            (float("nan"), 119.55, "range"),
            (39.9, 116.4, "bounds"),
        ],
    )
    def test_a_bad_point_is_refused_with_a_reason(self, lat, lng, code):
        with pytest.raises(ValidationError) as error:
            geo.validate_point(lat, lng)
        assert error.value.code == code


class AreaValidationTests:
    def test_a_valid_polygon_is_normalised(self):
        area = geo.validate_area(square(119.55, 26.66))
        assert area["type"] == "Polygon"
        assert area["coordinates"][0][0] == area["coordinates"][0][-1]

    def test_a_feature_wrapping_a_multipolygon_is_accepted(self):
        multi = {
            "type": "MultiPolygon",
            "coordinates": [square(119.55, 26.66)["coordinates"], square(119.58, 26.66)["coordinates"]],
        }
        assert geo.validate_area({"type": "Feature", "geometry": multi, "properties": {}})["type"] == "MultiPolygon"

    def test_an_open_ring_is_refused(self):
        ring = square(119.55, 26.66)["coordinates"][0][:-1]
        with pytest.raises(ValidationError, match="closed"):
            geo.validate_area({"type": "Polygon", "coordinates": [ring]})

    def test_a_self_intersecting_bow_tie_is_refused(self):
        bow = [[119.54, 26.65], [119.56, 26.67], [119.56, 26.65], [119.54, 26.67], [119.54, 26.65]]
        with pytest.raises(ValidationError) as error:
            geo.validate_area({"type": "Polygon", "coordinates": [bow]})
        assert error.value.code == "invalid_shape"

    def test_an_area_outside_the_sub_bureau_is_refused(self):
        with pytest.raises(ValidationError) as error:
            geo.validate_area(square(116.4, 39.9))
        assert error.value.code == "bounds"

    @pytest.mark.parametrize(
        "value",
        [
            None,
            "text",
            {"type": "Point", "coordinates": [119.55, 26.66]},
            {"type": "Polygon", "coordinates": []},
            {"type": "Polygon", "coordinates": [[[119.5, 26.6], [119.51, 26.6]]]},
            {"type": "Polygon", "coordinates": [[["a", "b"]] * 4]},
        ],
    )
    def test_anything_but_a_polygon_is_refused(self, value):
        with pytest.raises(ValidationError):
            geo.validate_area(value)

    def test_a_route_must_be_a_line_of_two_points_or_more(self):
        assert geo.validate_line({"type": "LineString", "coordinates": [[119.55, 26.66], [119.56, 26.66]]})
        with pytest.raises(ValidationError):
            geo.validate_line({"type": "LineString", "coordinates": [[119.55, 26.66]]})


class ComputationTests:
    def test_point_in_polygon_including_the_border(self):
        area = square(119.55, 26.66, half=0.01)
        assert geo.contains(area, 26.66, 119.55)
        assert geo.contains(area, 26.65, 119.55)  # on the southern edge
        assert not geo.contains(area, 26.70, 119.55)

    def test_distance_in_metres_matches_a_known_value(self):
        # one thousandth of a degree of latitude is about 111.2 m everywhere
        assert geo.distance_m(26.660, 119.55, 26.661, 119.55) == pytest.approx(111.2, abs=0.5)
        # Ningde East Lake to the plaza, about 3.3 km on a map
        assert geo.distance_m(26.6600, 119.5300, 26.6600, 119.5633) == pytest.approx(3311, rel=0.01)

    def test_bbox_parsing_refuses_malformed_and_inverted_boxes(self):
        assert geo.parse_bbox("119.5,26.6,119.6,26.7") == (119.5, 26.6, 119.6, 26.7)
        for bad in ["1,2,3", "a,b,c,d", "119.6,26.6,119.5,26.7", "0,0,0,200", "nan,1,2,3"]:
            with pytest.raises(ValidationError):
                geo.parse_bbox(bad)

    def test_route_length_in_metres(self):
        line = {"type": "LineString", "coordinates": [[119.55, 26.660], [119.55, 26.661], [119.55, 26.662]]}
        assert geo.line_length_m(line) == pytest.approx(222.4, abs=1)

    def test_an_area_within_another(self):
        assert geo.area_within(square(119.55, 26.66, 0.001), square(119.55, 26.66, 0.01))
        assert not geo.area_within(square(119.56, 26.66, 0.01), square(119.55, 26.66, 0.01))


def test_nothing_but_the_geo_module_imports_shapely():
    """One place for every spatial computation: moving to PostGIS must touch only portal/geo.py."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("portal", "patrols", "incidents", "partyorg", "alerts", "bench")
        for path in (root / app).rglob("*.py")
        if "shapely" in path.read_text(encoding="utf-8") and path.name != "geo.py"
    ]
    assert offenders == []
