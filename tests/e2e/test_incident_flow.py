"""The acceptance test of the incidents issue, in a real browser.

A commander records an incident at the plaza by clicking the map, sees it placed in the commercial
circle, dispatches the suggested team, marks its arrival and the resolution, and reads the four
events on the timeline. No JavaScript error, no CSP violation on the way.
"""

import re

import pytest

from incidents.choices import IncidentStatus
from incidents.models import Incident
from tests.e2e.conftest import wait_for_map

pytestmark = pytest.mark.browser


class IncidentFlowTests:
    def test_record_at_the_plaza_dispatch_arrive_resolve_and_read_the_timeline(
        self, page, login, network, browser_log
    ):
        commercial = network.own["circles"][0]
        plaza_team = network.own["teams"][0]
        login(page, "wuliting")
        page.goto("/incidents/add/")

        # The map opens centred on the plaza (26.662 N, 119.548 E), inside the commercial circle:
        # a click in the middle of the map puts the point there.
        widget = page.locator(".map-widget")
        widget.wait_for()
        page.wait_for_selector(".map-widget.leaflet-container")
        widget.click()
        assert page.input_value("#id_lat") and page.input_value("#id_lng")
        page.wait_for_selector("#placement-preview[data-state=done] #placement-result")
        assert page.inner_text("#placement-circle") == commercial.name
        assert network.own_station.name in page.inner_text("#placement-station")

        page.select_option("#id_category", "drunk_disorderly")
        page.select_option("#id_priority", "P2")
        page.select_option("#id_source", "patrol_discovery")
        page.fill("#id_summary", "广场出口醉酒男子滋事")
        page.fill("#id_address", "东方伟业广场出口")
        with page.expect_navigation():
            page.click("#incident-save")

        incident = Incident.objects.get()
        assert page.url.endswith(f"/incidents/{incident.pk}/")
        assert incident.circle == commercial
        assert commercial.name in page.inner_text("#incident-circle")

        # the suggested team (of this circle) comes first; dispatch it
        suggested = page.locator(".dispatch-suggestion.suggested")
        assert suggested.get_attribute("data-team") == str(plaza_team.pk)
        assert re.fullmatch(r"\d+ (m|米)", suggested.locator(".distance").inner_text().strip())
        with page.expect_navigation():
            suggested.locator(".dispatch-button").click()
        assert page.locator("#incident-status [data-status]").get_attribute("data-status") == "dispatched"

        with page.expect_navigation():
            page.click("#form-arrive [data-action=arrive]")
        assert page.locator("#incident-status [data-status]").get_attribute("data-status") == "on_scene"

        page.click("details[data-action=resolve] summary")
        page.fill("#text-resolve", "经家属同意带至警务室醒酒")
        with page.expect_navigation():
            page.click("#form-resolve button[type=submit]")
        assert page.locator("#incident-status [data-status]").get_attribute("data-status") == "resolved"

        events = page.locator("#timeline .timeline-event")
        assert events.count() == 4
        assert events.evaluate_all("els => els.map(e => e.dataset.toStatus)") == [
            "reported",
            "dispatched",
            "on_scene",
            "resolved",
        ]
        assert "经家属同意带至警务室醒酒" in page.inner_text("#timeline")
        incident.refresh_from_db()
        assert incident.status == IncidentStatus.RESOLVED
        assert incident.first_dispatched_at and incident.first_arrived_at and incident.resolved_at
        browser_log.assert_clean()

    def test_the_intake_page_fits_a_phone(self, open_page, login, network, browser_log):
        page = open_page(phone=True)
        login(page, "wuliting")
        page.goto("/incidents/add/")
        page.wait_for_selector(".map-widget.leaflet-container")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        browser_log.assert_clean()

    def test_the_map_shows_the_incidents_layer_and_its_time_filter(self, page, login, network, browser_log):
        from datetime import timedelta

        from django.utils import timezone

        from tests.factories import IncidentFactory

        now = timezone.now()
        recent = IncidentFactory(
            station=network.own_station, reported_at=now - timedelta(hours=3), lat=26.6625, lng=119.5535
        )
        IncidentFactory(station=network.own_station, reported_at=now - timedelta(days=20))
        IncidentFactory(station=network.other_station, reported_at=now - timedelta(hours=1))
        login(page, "wuliting")
        page.goto("/map/")
        counts = wait_for_map(page)
        assert counts == {"circles": 2, "posts": 3, "cameras": 2, "teams": 2}
        page.wait_for_selector("#map[data-incidents-ready='1']", state="attached")
        assert page.get_attribute("#map", "data-count-incidents") == "1"

        page.select_option("#incident-period", "30d")
        page.wait_for_selector("#map[data-incidents-period='30d'][data-incidents-ready='1']", state="attached")
        assert page.get_attribute("#map", "data-count-incidents") == "2"

        page.select_option("#incident-period", "24h")
        page.wait_for_selector("#map[data-incidents-period='24h'][data-incidents-ready='1']", state="attached")
        assert page.get_attribute("#map", "data-count-incidents") == "1"
        page.evaluate("window.portalMap.map.setView([26.6625, 119.5535], 18, {animate: false})")
        marker = page.locator(f'.incident-icon[title="{recent.number}"]')
        marker.wait_for()
        marker.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator("a").get_attribute("href") == f"/incidents/{recent.pk}/"
        browser_log.assert_clean()
