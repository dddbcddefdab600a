"""The map page in a real browser: a commander sees their own station's circles, posts, cameras and teams."""

import pytest

from tests.e2e.conftest import wait_for_map

pytestmark = pytest.mark.browser


class MapPageTests:
    def test_a_commander_sees_only_their_stations_layers_drawn(self, page, login, network, browser_log):
        login(page, "wuliting")
        page.goto("/map/")
        counts = wait_for_map(page)

        assert counts == {"circles": 2, "posts": 3, "cameras": 2, "teams": 2}
        assert page.get_attribute("#map", "data-loaded") == "circles,posts,cameras,teams"
        # Circles are SVG polygons; each camera is a dot with its coverage (a circle or a sector).
        assert page.locator("path.circle-area").count() == 2
        assert page.locator("path.camera-marker").count() == 2
        assert page.locator("path.camera-coverage").count() == 2
        assert page.locator("path.camera-sector").count() == 1
        post_titles = sorted(page.locator(".post-icon").evaluate_all("els => els.map(e => e.title)"))
        assert post_titles == sorted(post.name for post in network.own["posts"])
        assert page.locator(".post-icon.post-police_office").count() == 1
        team_titles = sorted(page.locator(".team-icon").evaluate_all("els => els.map(e => e.title)"))
        assert team_titles == sorted(team.name for team in network.own["teams"])
        assert page.locator(".team-icon.team-responding").count() == 1
        assert page.locator(".team-icon.team-patrolling").count() == 1

        html = page.content()
        for row in (*network.other["posts"], *network.other["teams"]):
            assert row.name not in html
        browser_log.assert_clean()

    def test_circles_keep_their_colours(self, page, login, network):
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        strokes = set(page.locator("path.circle-area").evaluate_all("els => els.map(e => e.getAttribute('stroke'))"))
        assert strokes == {circle.colour for circle in network.own["circles"]}

    def test_the_vector_layers_show_although_the_tiles_cannot_load(self, page, login, network):
        """Tiles come from the internet, which the test blocks: the circles are drawn all the same."""
        login(page, "wuliting")
        page.goto("/map/")
        counts = wait_for_map(page)
        assert counts["circles"] == 2
        page.wait_for_selector("img.leaflet-tile", state="attached")
        assert page.locator("path.circle-area").first.is_visible()

    def test_the_map_fits_the_users_circles(self, page, login, network):
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        inside = page.evaluate(
            "() => window.portalMap.map.getBounds().contains(window.portalMap.layers.circles.getBounds())"
        )
        assert inside is True

    def test_sub_bureau_staff_see_every_station(self, page, login, network):
        login(page, "bureau")
        page.goto("/map/")
        assert wait_for_map(page) == {"circles": 3, "posts": 4, "cameras": 3, "teams": 3}

    def test_a_post_opens_a_popup_with_its_name_and_kind(self, page, login, network):
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        page.locator('.post-icon[title="学雷锋服务站"]').click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "学雷锋服务站" in popup.inner_text()
        assert popup.locator("a").get_attribute("href") == network.own["posts"][2].get_absolute_url()

    def test_a_layer_can_be_switched_off_in_the_layer_control(self, page, login, network):
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        assert page.locator(".post-icon").count() == 3
        page.locator(".leaflet-control-layers").hover()
        page.locator(".leaflet-control-layers-overlays input").nth(1).uncheck()
        assert page.locator(".post-icon").count() == 0
        assert page.locator("path.circle-area").count() == 2

    def test_the_legend_names_each_kind_of_post_and_duty_state(self, page, login, network):
        login(page, "wuliting")
        page.goto("/map/")
        assert page.locator("#map-legend [data-kind]").count() == 5
        assert page.locator("#map-legend [data-state]").count() == 5
