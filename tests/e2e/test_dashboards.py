"""The dashboards in Chromium: a commander sees only the own station; sub-bureau staff see the three circles
side by side, click a chart segment and land on the incident list filtered to exactly what it counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import rollups
from incidents.choices import Category
from tests.factories import IncidentFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def incidents(network):
    now = timezone.now()
    commercial, industrial = network.own["circles"]
    (ecological,) = network.other["circles"]
    for hours, circle, category in [
        (1, commercial, Category.FIGHT),
        (2, commercial, Category.DRUNK_DISORDERLY),
        (3, commercial, Category.FIGHT),
        (4, industrial, Category.DISPUTE),
        (5, ecological, Category.WATER_RESCUE),
    ]:
        IncidentFactory(
            station=circle.station,
            circle=circle,
            category=category,
            reported_at=now - timedelta(hours=hours),
            lat=26.66,
            lng=119.55,
        )
    rollups.rebuild()
    return network


def drawn(page, chart_id: str) -> None:
    page.wait_for_selector(f"#{chart_id}[data-drawn] svg", state="attached")


def test_a_commander_sees_only_the_own_station(page, login, incidents, browser_log):
    login(page, "wuliting")
    page.goto("/dashboards/?period=7d")
    drawn(page, "chart-category")
    drawn(page, "chart-heat")
    assert page.inner_text("#kpi-incidents .dash-kpi-value").strip() == "4"
    body = page.inner_text("body")
    assert "绿色生态圈" not in body and "东湖派出所" not in body
    page.goto("/dashboards/overview/?period=7d")
    drawn(page, "chart-circles")
    circles = page.locator("#panel-circles tbody tr").all_inner_texts()
    assert len(circles) == 2 and not any("绿色生态圈" in row for row in circles)
    browser_log.assert_clean()


def test_staff_see_three_circles_and_a_click_on_a_bar_opens_its_incidents(page, login, incidents, browser_log):
    login(page, "bureau")
    page.goto("/dashboards/overview/?period=7d")
    drawn(page, "chart-circles")
    rows = page.locator("#panel-circles tbody tr").all_inner_texts()
    assert [re.split(r"\s", row.strip())[0] for row in rows] == ["平安商业圈", "和谐工业圈", "绿色生态圈"]
    # the centre of the commercial circle's "this period" bar (3 incidents), clicked with the mouse
    x, y = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("chart-circles"));
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
            return [bar.x + bar.width / 2, bar.y + bar.height / 2];
        }"""
    )
    page.locator("#chart-circles").scroll_into_view_if_needed()
    box = page.locator("#chart-circles").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "/incidents/" in page.url
    assert "circle=" in page.url and "occurred_after=" in page.url
    assert re.search(r"\b3\b", page.inner_text("#list-count"))
    browser_log.assert_clean()


def test_the_dashboard_works_on_a_phone(open_page, login, incidents, browser_log):
    page = open_page(phone=True)
    login(page, "wuliting")
    page.goto("/dashboards/")
    drawn(page, "chart-category")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways: {width}px"
    browser_log.assert_clean()
