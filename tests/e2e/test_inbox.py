"""The inboxes in a real browser, on a phone: report a hazard by clicking the map, then move its status.

No sideways scrolling at 390 px, no JavaScript error and no CSP violation on the way.
"""

import pytest

from incidents.choices import RemediationStatus
from incidents.models import Hazard
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser


def _fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url} scrolls sideways: {width}px wide"


class HazardInboxBrowserTests:
    def test_report_a_hazard_on_the_map_and_start_remediating_it(self, open_page, login, network, browser_log):
        page = open_page(phone=True)
        login(page, "wuliting")
        page.goto("/incidents/hazards/add/")
        page.wait_for_selector(".map-widget.leaflet-container")
        _fits_a_phone(page)
        page.locator(".map-widget").click()
        assert page.input_value("#id_lat") and page.input_value("#id_lng")
        page.fill("#id_title", "东湖栈道护栏松动")
        page.select_option("#id_kind", "structure")
        page.select_option("#id_reported_by_kind", "department")
        page.fill("#id_warn_radius_m", "150")
        with page.expect_navigation():
            page.click("#object-form button[type=submit]")

        hazard = Hazard.objects.get()
        assert page.url.endswith(hazard.get_absolute_url())
        assert hazard.station == network.own_station and hazard.warn_radius_m == 150
        page.wait_for_selector("#minimap.leaflet-container")
        _fits_a_phone(page)

        with page.expect_navigation():
            page.click(f"#action-status button[value={RemediationStatus.IN_PROGRESS}]")
        hazard.refresh_from_db()
        assert hazard.status == RemediationStatus.IN_PROGRESS
        assert page.locator("[data-status=in_progress]").count() == 1

        page.goto("/incidents/tips/")
        _fits_a_phone(page)
        browser_log.assert_clean()
