"""Shared fixtures, and the rule for tests that need real services or a real browser.

Tests marked `services` need PostgreSQL and Redis; tests marked `browser` need Chromium and
Playwright. On a laptop without them they are skipped, and the run says so at the end; with
PORTAL_REQUIRE_SERVICES=1 (as .ci/run sets) a missing part fails them instead.
"""

import os
import shutil

import pytest

from portal.roles import Role
from tests.factories import CircleFactory, StationFactory, user_with_role

REQUIRED = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
_skipped_for_services: list[str] = []


def _services_missing() -> str | None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not name PostgreSQL"
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:
        return f"Redis does not answer: {error}"
    return None


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


_CHECKS = {"services": _services_missing, "browser": _browser_missing}
_reasons: dict[str, str | None] = {}


@pytest.fixture(autouse=True)
def _require_parts(request):
    """Skip (or, with PORTAL_REQUIRE_SERVICES=1, fail) a test whose services or browser are missing."""
    for marker, check in _CHECKS.items():
        if request.node.get_closest_marker(marker) is None:
            continue
        if marker not in _reasons:
            _reasons[marker] = check()
        reason = _reasons[marker]
        if reason is None:
            continue
        if REQUIRED:
            pytest.fail(f"PORTAL_REQUIRE_SERVICES=1 but this test's {marker} are missing: {reason}")
        _skipped_for_services.append(request.node.nodeid)
        pytest.skip(f"{marker} not available: {reason}")


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_services:
        terminalreporter.write_line(
            f"NOTE: {len(_skipped_for_services)} tests needing PostgreSQL/Redis or Chromium were skipped; "
            "set DATABASE_URL, REDIS_URL (and install chromium) or run `bash .ci/run` to include them.",
            yellow=True,
        )


# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def station(db):
    return StationFactory(name="五里亭派出所", code="wuliting")


@pytest.fixture
def other_station(db):
    return StationFactory(name="另一派出所", code="other")


@pytest.fixture
def circle(station):
    return CircleFactory(station=station)


@pytest.fixture
def staff_user(db, station):
    return user_with_role(Role.SUB_BUREAU_STAFF, username="staff", station=None)


@pytest.fixture
def commander(db, station):
    return user_with_role(Role.STATION_COMMANDER, username="commander", station=station)


@pytest.fixture
def other_commander(db, other_station):
    return user_with_role(Role.STATION_COMMANDER, username="commander2", station=other_station)


@pytest.fixture
def duty_officer(db, station):
    return user_with_role(Role.DUTY_OFFICER, username="duty", station=station)


@pytest.fixture
def auditor(db, station):
    return user_with_role(Role.AUDITOR, username="auditor", station=station)


@pytest.fixture
def party_officer(db, station):
    """A party-affairs officer: may look at the patrol network but not change it."""
    return user_with_role(Role.PARTY_AFFAIRS, username="party", station=station)


@pytest.fixture
def no_role_user(db, station):
    """A user of the station in no role group: has no model permission at all."""
    from tests.factories import UserFactory

    return UserFactory(username="norole", station=station)
