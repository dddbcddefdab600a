"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Every page a test opens records its JavaScript errors and Content-Security-Policy violations, and
every request that leaves the live server (map tiles, anything from the internet) is blocked, so
the tests never touch the network and prove that the map's vector layers show without tiles.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from patrols.choices import CameraKind, CircleKind, DutyState, PostKind
from patrols.services import team_report_position, team_set_duty_state
from portal.roles import Role
from tests.conftest import CHROMIUM, REQUIRED, _browser_missing
from tests.factories import (
    CameraFactory,
    CircleFactory,
    PostFactory,
    StationFactory,
    TeamFactory,
    square,
    user_with_role,
)

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# alongside it are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PASSWORD = "correct-horse-battery"  # the password UserFactory gives every user
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
CSP_LISTENER = Path(__file__).with_name("csp_listener.js")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class BrowserLog:
    """What went wrong in the browser while a test ran (requests we blocked are not errors)."""

    errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def assert_clean(self):
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's; `playwright install` is not used)."""
    reason = _browser_missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"PORTAL_REQUIRE_SERVICES=1 but the browser is missing: {reason}")
        pytest.skip(f"browser not available: {reason}")
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if os.path.exists(CHROMIUM) else "chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def open_page(browser, live_server, browser_log):
    """Open a new page (own context: own cookies) at a viewport size; `zh-CN` like the portal's users."""
    contexts = []

    def _open(viewport: dict | None = None, *, phone: bool = False):
        options = {
            "viewport": viewport or (PHONE if phone else DESKTOP),
            "base_url": live_server.url,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
        }
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(15_000)
        context.add_init_script(path=str(CSP_LISTENER))

        def route(route):
            if _is_local(route.request.url):
                route.continue_()
            else:
                browser_log.blocked.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()

        def on_console(message):
            text = message.text
            if "Content Security Policy" in text:
                browser_log.csp_violations.append(text)
                return
            if message.type != "error":
                return
            url = (message.location or {}).get("url", "")
            if text.startswith("Failed to load resource") and (not _is_local(url) or url.endswith("/favicon.ico")):
                return  # a request we blocked on purpose, or the browser's own favicon probe
            browser_log.errors.append(f"{text} ({url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: browser_log.errors.append(f"uncaught: {error}"))
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A desktop-sized page."""
    return open_page()


@pytest.fixture
def login():
    """Log in through the real log-in form; returns the page, now on the page the form redirected to."""

    def _login(page, username: str, password: str = PASSWORD, next_url: str = ""):
        page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("#login-submit")
        assert "/accounts/login/" not in page.url, f"log-in as {username} failed"
        return page

    return _login


# --- data ------------------------------------------------------------------------------------


@dataclass
class Network:
    """Two stations' patrol networks; `own` is Wuliting's, `other` East Lake's."""

    own_station: object
    other_station: object
    commander: object
    other_commander: object
    staff: object
    own: dict
    other: dict


@pytest.fixture
def network(transactional_db, live_server) -> Network:
    """Two stations near East Lake, Ningde (26.66 N, 119.55 E), each with circles, posts, cameras and teams."""
    wuliting = StationFactory(name="五里亭派出所", code="wuliting", lat=26.661, lng=119.552)
    donghu = StationFactory(name="东湖派出所", code="donghu", lat=26.652, lng=119.575)

    commercial = CircleFactory(
        station=wuliting,
        name="平安商业圈",
        kind=CircleKind.COMMERCIAL,
        boundary=square(119.55, 26.66),
        focus="防范打击",
        brand="平安商业圈",
        colour="#1565c0",
    )
    industrial = CircleFactory(
        station=wuliting,
        name="和谐工业圈",
        kind=CircleKind.INDUSTRIAL,
        boundary=square(119.535, 26.672, 0.004),
        focus="服务保障",
        brand="和谐工业圈",
        colour="#ef6c00",
    )
    ecological = CircleFactory(
        station=donghu,
        name="绿色生态圈",
        kind=CircleKind.ECOLOGICAL,
        boundary=square(119.575, 26.652),
        focus="生态保护与救援",
        brand="绿色生态圈",
        colour="#2e7d32",
    )

    office = PostFactory(station=wuliting, name="90后警务室", kind=PostKind.POLICE_OFFICE, lat=26.6585, lng=119.5480)
    booth = PostFactory(station=wuliting, name="广场中心岗亭", kind=PostKind.SECURITY_BOOTH, lat=26.6615, lng=119.5515)
    lei_feng = PostFactory(
        station=wuliting, name="学雷锋服务站", kind=PostKind.LEI_FENG_STATION, lat=26.6630, lng=119.5465
    )
    lake_booth = PostFactory(station=donghu, name="东湖岗亭", kind=PostKind.SECURITY_BOOTH, lat=26.6525, lng=119.5760)

    exit_camera = CameraFactory(
        station=wuliting,
        code="WLT-001",
        name="广场出口探头",
        kind=CameraKind.PUBLIC,
        lat=26.6570,
        lng=119.5530,
        coverage_radius_m=80,
        bearing=90,
        field_of_view=70,
    )
    street_camera = CameraFactory(
        station=wuliting,
        code="WLT-002",
        name="步行街警用探头",
        kind=CameraKind.POLICE,
        lat=26.6720,
        lng=119.5350,
        coverage_radius_m=60,
    )
    lake_camera = CameraFactory(station=donghu, code="DH-001", name="湿地公园探头", lat=26.6510, lng=119.5740)

    commander = user_with_role(
        Role.STATION_COMMANDER, username="wuliting", station=wuliting, display_name="五里亭所长"
    )
    other_commander = user_with_role(
        Role.STATION_COMMANDER, username="donghu", station=donghu, display_name="东湖所长"
    )
    staff = user_with_role(Role.SUB_BUREAU_STAFF, username="bureau", station=None, display_name="分局值班")

    plaza_team = TeamFactory(
        station=wuliting, circle=commercial, name="环东方伟业广场商圈巡防队", call_sign="商圈1", base_post=office
    )
    team_set_duty_state(team=plaza_team, state=DutyState.PATROLLING, by=commander)
    team_set_duty_state(team=plaza_team, state=DutyState.RESPONDING, by=commander)
    team_report_position(team=plaza_team, lat=26.6600, lng=119.5500)
    industrial_team = TeamFactory(station=wuliting, circle=industrial, name="西陂塘警企巡防队", call_sign="工业1")
    team_set_duty_state(team=industrial_team, state=DutyState.PATROLLING, by=commander)
    team_report_position(team=industrial_team, lat=26.6710, lng=119.5360)
    lake_team = TeamFactory(
        station=donghu, circle=ecological, name="环东湖巡防队", call_sign="东湖1", base_post=lake_booth
    )

    return Network(
        own_station=wuliting,
        other_station=donghu,
        commander=commander,
        other_commander=other_commander,
        staff=staff,
        own={
            "circles": [commercial, industrial],
            "posts": [office, booth, lei_feng],
            "cameras": [exit_camera, street_camera],
            "teams": [plaza_team, industrial_team],
        },
        other={"circles": [ecological], "posts": [lake_booth], "cameras": [lake_camera], "teams": [lake_team]},
    )


def wait_for_map(page) -> dict:
    """Wait until every layer of the map has answered; return the number of features drawn per layer."""
    page.wait_for_selector("#map[data-ready]", state="attached")
    assert page.get_attribute("#map", "data-ready") == "1", page.evaluate("window.portalMap.failed")
    return page.evaluate("window.portalMap.counts")
