"""The incidents layer in a real browser when the view holds more incidents than are drawn one by one."""

import pytest

from incidents.views import incident as layer
from tests.e2e.conftest import wait_for_map
from tests.factories import IncidentFactory

pytestmark = pytest.mark.browser

CROWD = (26.6625, 119.5535)  # a crowd at the plaza of Wuliting's commercial circle, ~40 m across


class MapClusterTests:
    def test_a_crowd_is_a_cluster_that_zooms_in_when_clicked(self, page, login, network, browser_log, monkeypatch):
        monkeypatch.setattr(layer, "POINT_LIMIT", 3)  # the live server runs in this process
        for i in range(6):
            IncidentFactory(
                station=network.own_station, lat=CROWD[0] + (i % 3) * 0.0002, lng=CROWD[1] + (i // 3) * 0.0002
            )
        IncidentFactory(station=network.own_station)  # on its own, 400 m away
        IncidentFactory(station=network.other_station, lat=CROWD[0], lng=CROWD[1])  # never counted
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        page.wait_for_selector("#map[data-incidents-ready='1']", state="attached")

        assert page.get_attribute("#map", "data-count-incidents") == "7"
        cluster = page.locator(".incident-cluster").first
        cluster.wait_for()
        assert int(page.get_attribute("#map", "data-incidents-clusters")) >= 1
        in_cluster = int(cluster.inner_text())
        assert 2 <= in_cluster <= 7
        assert cluster.get_attribute("title").startswith(str(in_cluster))

        zoom = page.evaluate("window.portalMap.map.getZoom()")
        cluster.click()
        # The map zooms in and the layer reloads for the new view: the cluster's incidents are all in it.
        page.wait_for_function(
            """zoom => {
                const now = window.portalMap.map.getZoom(), data = document.getElementById("map").dataset;
                return now > zoom && data.incidentsReady === "1" && Number(data.incidentsZoom) === now;
            }""",
            arg=zoom,
        )
        assert int(page.get_attribute("#map", "data-count-incidents")) >= in_cluster
        browser_log.assert_clean()
