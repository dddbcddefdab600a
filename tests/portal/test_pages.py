"""The home page and the map page, as the server renders them."""

import json
import re
from html.parser import HTMLParser

import pytest

from patrols.choices import PostKind
from tests.factories import CameraFactory, CircleFactory, PostFactory, TeamFactory, square


class _Scripts(HTMLParser):
    """Collects each <script>'s attributes and body."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._current: dict | None = None
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script":
            self._current = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._current is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._current = None


def _assert_no_inline_script(html: str) -> dict[str, object]:
    """Every script is a file or JSON data; no on* handler attributes. Returns the JSON data by id."""
    parser = _Scripts()
    parser.feed(html)
    data = {}
    for attrs, body in parser.scripts:
        if attrs.get("type") == "application/json":
            data[attrs["id"]] = json.loads(body)
        else:
            assert attrs.get("src"), f"inline script: {body[:80]!r}"
            assert not body.strip()
    assert not parser.handlers, f"inline event handlers: {parser.handlers}"
    return data


@pytest.fixture
def scoped_network(station, other_station):
    own = CircleFactory(station=station, name="平安商业圈", boundary=square(119.55, 26.66), colour="#1565c0")
    other = CircleFactory(station=other_station, name="绿色生态圈", boundary=square(119.57, 26.67))
    PostFactory(station=station, name="90后警务室", kind=PostKind.POLICE_OFFICE)
    PostFactory(station=station, name="广场岗亭")
    PostFactory(station=other_station, name="东湖岗亭")
    CameraFactory(station=station)
    CameraFactory(station=other_station)
    TeamFactory(station=station, circle=own, name="环东方伟业广场商圈巡防队")
    TeamFactory(station=other_station, circle=other, name="环东湖巡防队")
    return own, other


@pytest.mark.django_db
class HomePageTests:
    def test_a_commander_sees_their_own_circles_teams_and_counts(self, client, commander, scoped_network):
        own, other = scoped_network
        client.force_login(commander)
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        assert own.name in html and own.get_absolute_url() in html and own.colour in html
        assert other.name not in html
        assert "环东方伟业广场商圈巡防队" in html and "环东湖巡防队" not in html
        assert re.search(r'id="post-count">\s*2\s*<', html)
        assert re.search(r'id="camera-count">\s*1\s*<', html)
        assert 'href="/map/"' in html

    def test_sub_bureau_staff_see_every_circle(self, client, staff_user, scoped_network):
        client.force_login(staff_user)
        html = client.get("/").content.decode()
        assert all(circle.name in html for circle in scoped_network)
        assert re.search(r'id="post-count">\s*3\s*<', html)

    def test_the_home_page_has_no_inline_script(self, client, commander, scoped_network):
        client.force_login(commander)
        _assert_no_inline_script(client.get("/").content.decode())

    def test_the_home_page_query_count_does_not_grow_with_the_rows(
        self, client, commander, station, scoped_network, django_assert_max_num_queries
    ):
        client.force_login(commander)
        client.get("/")  # warm the session and the role cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as before:
            client.get("/")
        for n in range(5):
            circle = CircleFactory(station=station, boundary=square(119.45 + n * 0.02, 26.60))
            TeamFactory(station=station, circle=circle)
        with django_assert_max_num_queries(len(before)):
            client.get("/")


@pytest.mark.django_db
class MapPageTests:
    def test_the_map_page_passes_the_layer_urls_and_tile_settings_as_json(self, client, commander):
        client.force_login(commander)
        response = client.get("/map/")
        assert response.status_code == 200
        data = _assert_no_inline_script(response.content.decode())
        config, settings = data["map-config"], data["map-settings"]
        assert config["layers"] == {
            "circles": "/api/v1/circles/?format=geojson",
            "posts": "/api/v1/patrol-posts/?format=geojson",
            "cameras": "/api/v1/cameras/?format=geojson",
            "teams": "/api/v1/teams/?format=geojson",
        }
        assert set(config["postSymbols"]) == set(PostKind.values)
        assert settings["tileUrl"] and "center" in settings
        html = response.content.decode()
        assert 'id="map"' in html
        assert "leaflet/leaflet.js" in html and "portal/js/map.js" in html

    def test_the_map_legend_lists_every_kind_of_post(self, client, commander):
        client.force_login(commander)
        html = client.get("/map/").content.decode()
        for kind in PostKind.values:
            assert f'data-kind="{kind}"' in html

    def test_the_map_page_speaks_english_when_asked(self, client, commander):
        from django.conf import settings

        client.force_login(commander)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get("/map/")
        data = _assert_no_inline_script(response.content.decode())
        assert data["map-config"]["layerNames"]["circles"] == "Patrol circles"
        assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/"])
def test_the_log_in_page_has_no_inline_script(client, url):
    _assert_no_inline_script(client.get(url).content.decode())
