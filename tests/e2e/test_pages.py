"""Pages as a person sees them: language, phone width, and no script blocked or failing."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.e2e.conftest import PHONE, wait_for_map

pytestmark = pytest.mark.browser


class LanguageTests:
    def test_switching_to_english_changes_the_page_language_and_labels(self, page, login, network):
        login(page, "wuliting")
        assert page.get_attribute("html", "lang") == "zh-hans"
        map_link = page.locator("#nav a.nav-link[href='/map/']")
        with translation.override("zh-hans"):
            assert map_link.inner_text().strip() == translation.gettext("Map")

        with page.expect_navigation():
            page.select_option("#language-form select[name=language]", "en")

        assert page.get_attribute("html", "lang") == "en"
        assert page.locator("#nav a.nav-link[href='/map/']").inner_text().strip() == "Map"
        # the choice sticks for the next page
        page.goto("/map/")
        assert page.get_attribute("html", "lang") == "en"

    def test_the_log_in_page_offers_the_language_switch(self, page, live_server, transactional_db):
        page.goto("/accounts/login/")
        assert page.get_attribute("html", "lang") == "zh-hans"
        with page.expect_navigation():
            page.select_option("#language-form select[name=language]", "en")
        assert page.get_attribute("html", "lang") == "en"
        assert page.locator("#login-submit").inner_text().strip() == "Log in"


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url} scrolls sideways: {width}px wide"


class PhoneTests:
    @pytest.mark.parametrize("name", ["home", "map", "patrols:circle_list", "patrols:post_list"])
    def test_pages_fit_a_phone_without_sideways_scrolling(self, open_page, login, network, name):
        try:
            url = reverse(name)
        except NoReverseMatch:
            pytest.skip(f"{name} does not exist yet")
        page = open_page(phone=True)
        login(page, "wuliting")
        page.goto(url)
        if name == "map":
            wait_for_map(page)
        page.wait_for_load_state("load")
        _no_horizontal_scroll(page)

    def test_the_log_in_page_fits_a_phone(self, open_page, live_server, transactional_db):
        page = open_page(phone=True)
        page.goto("/accounts/login/")
        _no_horizontal_scroll(page)
        assert page.locator("#login-submit").is_visible()

    def test_the_navbar_collapses_into_a_menu_button_that_opens(self, open_page, login, network):
        page = open_page(phone=True)
        login(page, "wuliting")
        toggler = page.locator(".navbar-toggler")
        map_link = page.locator("#nav a.nav-link[href='/map/']")
        assert toggler.is_visible()
        assert not map_link.is_visible()
        toggler.click()
        map_link.wait_for(state="visible")
        assert toggler.get_attribute("aria-expanded") == "true"
        map_link.click()
        page.wait_for_url("**/map/")
        wait_for_map(page)

    def test_the_map_fills_the_phone_width_and_its_layers_show(self, open_page, login, network):
        page = open_page(phone=True)
        login(page, "wuliting")
        page.goto("/map/")
        counts = wait_for_map(page)
        assert counts["circles"] == 2
        box = page.locator("#map").bounding_box()
        assert box["width"] >= PHONE["width"] - 20
        assert box["height"] >= 300
        # the legend wraps inside the screen
        legend = page.locator("#map-legend").bounding_box()
        assert legend["x"] >= 0 and legend["x"] + legend["width"] <= PHONE["width"] + 1


class CleanPageTests:
    """No script is blocked by the Content-Security-Policy and none fails."""

    def test_the_home_page_runs_clean(self, page, login, network, browser_log):
        login(page, "wuliting")
        page.goto("/")
        page.wait_for_load_state("load")
        assert page.locator(".circle-card").count() == 2
        assert page.evaluate("window.__cspViolations") == []
        browser_log.assert_clean()

    def test_the_map_page_runs_clean(self, page, login, network, browser_log):
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        page.locator("path.camera-marker").first.dispatch_event("click")
        page.locator(".leaflet-popup-content").wait_for()
        assert page.evaluate("window.__cspViolations") == []
        browser_log.assert_clean()

    def test_the_log_in_page_runs_clean(self, page, live_server, transactional_db, browser_log):
        page.goto("/accounts/login/")
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == []
        browser_log.assert_clean()

    def test_the_listener_would_notice_a_blocked_inline_script(self, page, login, network, browser_log):
        """A check of the check: an inline script injected into a page is refused and recorded."""
        login(page, "wuliting")
        page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';
                                 document.body.appendChild(s); }""")
        page.wait_for_function("window.__cspViolations.length > 0")
        assert browser_log.csp_violations
        assert page.evaluate("window.x") is None
