"""The read-only API behind the map: GeoJSON layers (RFC 7946), scoped to the user's station."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patrols.choices import CircleKind, DutyState, PostKind
from patrols.models import PatrolCircle
from portal.roles import Role
from tests.factories import (
    CameraFactory,
    CircleFactory,
    MemberFactory,
    PostFactory,
    TeamFactory,
    UserFactory,
    square,
    user_with_role,
)

LAYERS = {
    "circles": "/api/v1/circles/",
    "posts": "/api/v1/patrol-posts/",
    "cameras": "/api/v1/cameras/",
    "teams": "/api/v1/teams/",
}
GEOJSON = "?format=geojson"


@pytest.fixture
def network(station, other_station):
    """Each station has a circle with a team, a post and a camera, all inside its circle."""
    own_circle = CircleFactory(station=station, name="平安商业圈", boundary=square(119.55, 26.66))
    other_circle = CircleFactory(
        station=other_station,
        name="绿色生态圈",
        kind=CircleKind.ECOLOGICAL,
        boundary=square(119.57, 26.67),
        colour="#2e7d32",
    )
    own_post = PostFactory(station=station, name="90后警务室", kind=PostKind.POLICE_OFFICE, lat=26.661, lng=119.551)
    other_post = PostFactory(station=other_station, name="东湖岗亭", lat=26.671, lng=119.571)
    own_camera = CameraFactory(
        station=station, name="广场出口探头", lat=26.659, lng=119.549, bearing=90, field_of_view=60
    )
    other_camera = CameraFactory(station=other_station, name="湿地公园探头", lat=26.669, lng=119.569)
    own_team = TeamFactory(station=station, circle=own_circle, name="环东方伟业广场商圈巡防队", base_post=own_post)
    other_team = TeamFactory(station=other_station, circle=other_circle, name="环东湖巡防队")
    return {
        "own": {"circles": own_circle, "posts": own_post, "cameras": own_camera, "teams": own_team},
        "other": {"circles": other_circle, "posts": other_post, "cameras": other_camera, "teams": other_team},
    }


def _ids(body: dict) -> set[int]:
    return {feature["id"] for feature in body["features"]}


def _positions(geometry: dict):
    """Every [lon, lat] position of a Point, Polygon or MultiPolygon."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        yield coords
    elif geometry["type"] == "Polygon":
        for ring in coords:
            yield from ring
    elif geometry["type"] == "MultiPolygon":
        for polygon in coords:
            for ring in polygon:
                yield from ring


def _decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


@pytest.mark.django_db
class GeoJSONLayerTests:
    @pytest.mark.parametrize("layer", LAYERS)
    def test_each_layer_is_a_feature_collection(self, client, staff_user, network, layer):
        client.force_login(staff_user)
        response = client.get(LAYERS[layer] + GEOJSON)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/geo+json")
        body = response.json()
        assert body["type"] == "FeatureCollection"
        assert "crs" not in body  # RFC 7946 dropped it: WGS84 is implied
        assert len(body["features"]) == 2
        for feature in body["features"]:
            assert feature["type"] == "Feature"
            assert feature["id"] == feature["properties"]["id"]
            assert "lat" not in feature["properties"] and "lng" not in feature["properties"]

    def test_circles_are_polygons_with_the_popup_details(self, client, staff_user, network):
        client.force_login(staff_user)
        body = client.get(LAYERS["circles"] + GEOJSON).json()
        feature = next(f for f in body["features"] if f["id"] == network["own"]["circles"].pk)
        assert feature["geometry"]["type"] == "Polygon"
        props = feature["properties"]
        assert props["name"] == "平安商业圈"
        assert props["colour"] == "#1565c0"
        assert props["kind"] == CircleKind.COMMERCIAL
        assert props["focus"] and props["brand"] and props["kind_label"]
        assert props["url"] == network["own"]["circles"].get_absolute_url()

    def test_positions_are_longitude_first(self, client, staff_user, network):
        """RFC 7946 order is [longitude, latitude]: near Ningde that is [119.5…, 26.6…]."""
        client.force_login(staff_user)
        for url in LAYERS.values():
            for feature in client.get(url + GEOJSON).json()["features"]:
                if feature["geometry"] is None:
                    continue
                for lng, lat in _positions(feature["geometry"]):
                    assert 119.4 < lng < 119.7
                    assert 26.5 < lat < 26.8

    def test_a_post_is_a_point_at_its_place(self, client, staff_user, network):
        client.force_login(staff_user)
        body = client.get(LAYERS["posts"] + GEOJSON).json()
        feature = next(f for f in body["features"] if f["id"] == network["own"]["posts"].pk)
        assert feature["geometry"] == {"type": "Point", "coordinates": [119.551, 26.661]}
        assert feature["properties"]["kind"] == PostKind.POLICE_OFFICE
        assert feature["properties"]["circle"] == network["own"]["circles"].pk

    def test_coordinates_have_at_most_seven_decimals(self, client, staff_user, station):
        """Points are rounded by the renderer, areas when they are validated on save."""
        PostFactory(station=station, lat=26.661234567891, lng=119.551234567891)
        circle = PatrolCircle(
            station=station,
            name="和谐工业圈",
            kind=CircleKind.INDUSTRIAL,
            boundary=square(119.551234567891, 26.661234567891),
        )
        circle.full_clean()
        circle.save()
        client.force_login(staff_user)
        for url in (LAYERS["posts"], LAYERS["circles"]):
            for feature in client.get(url + GEOJSON).json()["features"]:
                for position in _positions(feature["geometry"]):
                    assert all(_decimals(v) <= 7 for v in position), position

    def test_cameras_carry_their_coverage_and_field_of_view(self, client, staff_user, network):
        client.force_login(staff_user)
        body = client.get(LAYERS["cameras"] + GEOJSON).json()
        by_id = {f["id"]: f["properties"] for f in body["features"]}
        own = by_id[network["own"]["cameras"].pk]
        assert (own["coverage_radius_m"], own["bearing"], own["field_of_view"]) == (60, 90, 60)
        other = by_id[network["other"]["cameras"].pk]
        assert other["bearing"] is None and other["field_of_view"] is None

    def test_a_team_is_shown_at_its_last_position_else_at_its_base_post_else_nowhere(
        self, client, staff_user, network
    ):
        client.force_login(staff_user)
        body = client.get(LAYERS["teams"] + GEOJSON).json()
        by_id = {f["id"]: f for f in body["features"]}
        based = by_id[network["own"]["teams"].pk]
        assert based["geometry"]["coordinates"] == [119.551, 26.661]
        assert based["properties"]["duty_state"] == DutyState.OFF_DUTY
        assert based["properties"]["duty_state_label"]
        assert by_id[network["other"]["teams"].pk]["geometry"] is None

        from patrols.services import team_report_position

        team_report_position(team=network["other"]["teams"], lat=26.672, lng=119.572)
        body = client.get(LAYERS["teams"] + GEOJSON).json()
        moved = next(f for f in body["features"] if f["id"] == network["other"]["teams"].pk)
        assert moved["geometry"] == {"type": "Point", "coordinates": [119.572, 26.672]}

    @pytest.mark.parametrize("layer", LAYERS)
    def test_the_geo_json_accept_header_works_like_the_format_parameter(self, client, staff_user, network, layer):
        client.force_login(staff_user)
        by_header = client.get(LAYERS[layer], HTTP_ACCEPT="application/geo+json")
        assert by_header.status_code == 200
        assert by_header["Content-Type"].startswith("application/geo+json")
        assert json.loads(by_header.content) == client.get(LAYERS[layer] + GEOJSON).json()

    def test_a_single_row_is_a_feature(self, client, staff_user, network):
        client.force_login(staff_user)
        circle = network["own"]["circles"]
        body = client.get(f"{LAYERS['circles']}{circle.pk}/{GEOJSON}").json()
        assert body["type"] == "Feature"
        assert body["id"] == circle.pk
        assert body["geometry"]["type"] == "Polygon"

    def test_a_geo_json_layer_comes_whole_without_pages(self, client, staff_user, station):
        for n in range(5):
            PostFactory(station=station, name=f"岗亭{n}")
        client.force_login(staff_user)
        body = client.get(LAYERS["posts"] + GEOJSON + "&page_size=2").json()
        assert len(body["features"]) == 5


@pytest.mark.django_db
class ScopeTests:
    @pytest.mark.parametrize("layer", LAYERS)
    def test_a_commander_sees_only_their_own_stations_features(self, client, commander, network, layer):
        client.force_login(commander)
        body = client.get(LAYERS[layer] + GEOJSON).json()
        assert _ids(body) == {network["own"][layer].pk}

    @pytest.mark.parametrize("layer", LAYERS)
    def test_the_other_stations_commander_sees_only_theirs(self, client, other_commander, network, layer):
        client.force_login(other_commander)
        body = client.get(LAYERS[layer] + GEOJSON).json()
        assert _ids(body) == {network["other"][layer].pk}

    @pytest.mark.parametrize("layer", LAYERS)
    def test_sub_bureau_staff_see_every_station(self, client, staff_user, network, layer):
        client.force_login(staff_user)
        body = client.get(LAYERS[layer] + GEOJSON).json()
        assert _ids(body) == {network["own"][layer].pk, network["other"][layer].pk}

    @pytest.mark.parametrize("layer", LAYERS)
    def test_another_stations_row_answers_404(self, client, commander, network, layer):
        client.force_login(commander)
        other = network["other"][layer]
        assert client.get(f"{LAYERS[layer]}{other.pk}/{GEOJSON}").status_code == 404
        assert client.get(f"{LAYERS[layer]}{other.pk}/").status_code == 404
        assert client.get(f"{LAYERS[layer]}{network['own'][layer].pk}/").status_code == 200

    @pytest.mark.parametrize("layer", LAYERS)
    def test_an_anonymous_client_is_refused(self, client, network, layer):
        response = client.get(LAYERS[layer] + GEOJSON)
        assert response.status_code in (401, 403)
        assert "features" not in response.content.decode()

    def test_a_user_without_a_role_is_refused(self, client, station, network):
        client.force_login(UserFactory(username="norole", station=station))
        assert client.get(LAYERS["circles"] + GEOJSON).status_code == 403

    def test_a_user_without_a_station_sees_an_empty_layer(self, client, network):
        client.force_login(user_with_role(Role.DUTY_OFFICER, username="nostation", station=None))
        body = client.get(LAYERS["circles"] + GEOJSON).json()
        assert body == {"type": "FeatureCollection", "features": []}


@pytest.mark.django_db
class JSONListTests:
    def test_the_plain_json_list_is_cursor_paginated(self, client, staff_user, station):
        for n in range(3):
            PostFactory(station=station, name=f"岗亭{n}")
        client.force_login(staff_user)
        first = client.get(LAYERS["posts"] + "?page_size=2").json()
        assert set(first) == {"next", "previous", "results"}  # no count: a cursor never runs COUNT(*)
        assert len(first["results"]) == 2
        assert "cursor=" in first["next"]
        assert first["previous"] is None
        second = client.get(first["next"]).json()
        assert len(second["results"]) == 1
        assert second["next"] is None
        seen = [row["id"] for row in first["results"] + second["results"]]
        assert len(set(seen)) == 3

    def test_the_json_list_gives_points_as_lat_and_lng(self, client, commander, network):
        client.force_login(commander)
        row = client.get(LAYERS["posts"]).json()["results"][0]
        assert (row["lat"], row["lng"]) == (26.661, 119.551)

    def test_member_phones_are_masked(self, client, commander, station):
        MemberFactory(station=station, name="王警官", phone="13812345678")
        client.force_login(commander)
        response = client.get("/api/v1/members/")
        assert response.status_code == 200
        row = response.json()["results"][0]
        assert row["phone"] == "138****5678"
        assert "13812345678" not in response.content.decode()

    @pytest.mark.parametrize("layer", LAYERS)
    def test_a_layers_query_count_does_not_grow_with_its_rows(self, client, staff_user, station, layer):
        """No N+1: ten rows cost as many queries as one."""
        client.force_login(staff_user)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(LAYERS[layer] + GEOJSON).status_code == 200
            return len(captured)

        _make(layer, station, 0)
        one = queries()
        for n in range(1, 10):
            _make(layer, station, n)
        assert queries() == one


def _make(layer: str, station, n: int):
    if layer == "circles":
        return CircleFactory(station=station, boundary=square(119.45 + n * 0.02, 26.60))
    if layer == "posts":
        return PostFactory(station=station)
    if layer == "cameras":
        return CameraFactory(station=station)
    post = PostFactory(station=station)
    return TeamFactory(station=station, base_post=post)
