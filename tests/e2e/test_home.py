"""The home page: a summary of the user's scope."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


class HomePageTests:
    def test_a_commander_sees_their_circles_teams_and_counts(self, page, login, network):
        login(page, "wuliting")
        assert urlsplit(page.url).path == "/"
        cards = page.locator(".circle-card")
        assert sorted(cards.locator("a").all_inner_texts()) == sorted(c.name for c in network.own["circles"])
        assert "绿色生态圈" not in page.content()
        assert page.locator("#post-count").inner_text() == "3"
        assert page.locator("#camera-count").inner_text() == "2"
        teams = page.locator("#teams [data-team]")
        assert teams.count() == 2
        assert page.locator("#teams [data-state=responding]").count() == 1

    def test_a_circle_card_leads_to_the_circles_page(self, page, login, network):
        login(page, "wuliting")
        circle = network.own["circles"][0]
        link = page.locator(f".circle-card[data-circle='{circle.pk}'] a")
        assert link.get_attribute("href") == circle.get_absolute_url()

    def test_the_map_button_opens_the_map(self, page, login, network):
        login(page, "wuliting")
        page.click("#open-map")
        page.wait_for_url("**/map/")
        page.wait_for_selector("#map[data-ready='1']", state="attached")
