"""The party organisation on the map in a real browser: a commander finds their responsibility zones and
vanguard posts, and none of another station's."""

import pytest

from patrols.choices import PostKind
from tests.e2e.conftest import wait_for_map
from tests.factories import (
    MemberFactory,
    PartyBranchFactory,
    PartyMemberFactory,
    PostFactory,
    VanguardPostFactory,
    ZoneFactory,
    square,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def party_layers(network):
    wuliting, donghu = network.own_station, network.other_station
    commercial, industrial = network.own["circles"]
    member = PartyMemberFactory(
        branch=PartyBranchFactory(station=wuliting), member=MemberFactory(station=wuliting, name="党员民警甲")
    )
    plaza_zone = ZoneFactory(circle=commercial, name="东方伟业广场党员责任区", area=square(119.55, 26.66, 0.002))
    plaza_zone.members.add(member)
    ZoneFactory(circle=industrial, name="锂电产业园党员责任区", area=square(119.535, 26.672, 0.002))
    ZoneFactory(circle=network.other["circles"][0], name="东湖湿地党员责任区", area=square(119.575, 26.652, 0.002))
    vanguard = VanguardPostFactory(
        post=PostFactory(
            station=wuliting, name="商圈党员先锋岗", kind=PostKind.VANGUARD_POST, lat=26.6605, lng=119.5505
        )
    )
    vanguard.members.add(member)
    VanguardPostFactory(
        post=PostFactory(station=donghu, name="环东湖党员先锋岗", kind=PostKind.VANGUARD_POST, lat=26.653, lng=119.576)
    )
    return network


def wait_for_party(page) -> dict:
    page.wait_for_selector("#map[data-party-ready]", state="attached")
    assert page.get_attribute("#map", "data-party-ready") == "1"
    return page.evaluate("window.portalMap.party.counts")


class PartyMapTests:
    def test_a_commander_finds_their_zones_and_vanguard_posts_on_the_map(self, page, login, party_layers, browser_log):
        login(page, "wuliting")
        page.goto("/map/")
        wait_for_map(page)
        assert wait_for_party(page) == {"zones": 2, "vanguard": 1}
        assert page.locator("path.zone-area").count() == 2
        assert page.get_attribute("#map", "data-count-zones") == "2"
        titles = page.locator(".vanguard-icon").evaluate_all("els => els.map(e => e.title)")
        assert titles == ["商圈党员先锋岗"]
        assert "环东湖党员先锋岗" not in page.content()

        page.locator('.vanguard-icon[title="商圈党员先锋岗"]').click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "党员民警甲" in popup.inner_text()
        browser_log.assert_clean()

    def test_sub_bureau_staff_find_every_stations_zones_and_posts_on_a_phone(self, open_page, login, party_layers):
        page = open_page(phone=True)
        login(page, "bureau")
        page.goto("/map/")
        wait_for_map(page)
        assert wait_for_party(page) == {"zones": 3, "vanguard": 2}
