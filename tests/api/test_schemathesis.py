"""Property-based tests of the API against its own live OpenAPI schema (issue 4), with schemathesis.

The schema is fetched from the running application (`/api/schema/`, through `portal.wsgi` in-process, so
the requests use pytest-django's test database), and every operation of `/api/v1/` is called with 50
generated requests (Hypothesis' `max_examples`, drawn from both modes) plus schemathesis' deterministic
coverage cases (boundary and invalid values of each parameter, also in both modes):

- positive: valid requests; the answer must not be a server error, must match the documented status
  codes, content types and response schemas;
- negative: requests that break the schema (wrong types, missing fields, out-of-range values, ...);
  these must also be refused with a 4xx (`negative_data_rejection`), never accepted.

The caller is a sub-bureau staff member (sees every station) with a token of every scope; a little
data is seeded so that detail paths hit real rows: generated integer ids are mapped onto the ids of
the seeded rows most of the time (and left as generated otherwise, so 404s are exercised too).
Hypothesis runs derandomized, so the run is the same every time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from incidents.choices import Category, PersonRole, Priority, Source
from portal.models import TokenScope
from portal.roles import Role
from portal.tokens import token_create
from tests.factories import (
    CameraFactory,
    CircleFactory,
    HazardFactory,
    InformantFactory,
    MemberFactory,
    PostFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    ShiftFactory,
    StationFactory,
    TeamFactory,
    TipFactory,
    square,
    user_with_role,
)

MAX_EXAMPLES = 50

#: the ids of the rows seeded for the running test, by the path's resource ("incidents", ...)
SEEDED_IDS: dict[str, list[int]] = {}


def map_path_parameters(context, path_parameters):
    """Most generated ids become a seeded row's; one in (rows + 1) stays as generated (mostly a 404)."""
    value = (path_parameters or {}).get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        known = SEEDED_IDS.get(context.operation.path.split("/")[3], [])
        slot = abs(value) % (len(known) + 1)
        if slot < len(known):
            path_parameters = {**path_parameters, "id": known[slot]}
    return path_parameters


def _load_schema():
    from portal.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    loaded.hook(map_path_parameters)
    # 412 is a refusal too: an action's If-Match naming another version is refused before its body is read
    rejection = loaded.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "412"]
    return loaded


schema = _load_schema()

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


@pytest.fixture
def seeded(db):
    """A station with its network and a few incidents and records around them; returns {path segment: [ids]}."""
    from incidents.services import incident_report, mediation_open, person_add

    station = StationFactory(name="五里亭派出所", code="wuliting")
    circle = CircleFactory(station=station, boundary=square(119.5523, 26.6612))
    team = TeamFactory(station=station, circle=circle)
    post = PostFactory(station=station)
    room = PostFactory(station=station, kind="mediation_room", name="调解室")
    camera = CameraFactory(station=station)
    member = MemberFactory(station=station)
    informant = InformantFactory(circle=circle)
    shift = ShiftFactory(team=team)
    staff = user_with_role(Role.SUB_BUREAU_STAFF, username="schemathesis", station=None)
    incidents = [
        incident_report(
            by=staff,
            category=category,
            priority=Priority.P2,
            source=Source.CALL_110,
            lat=26.6612,
            lng=119.5523,
            occurred_at=timezone.now() - timedelta(minutes=5),
            summary=f"测试警情 {category}",
            address="东方伟业广场",
        )
        for category in (Category.FIGHT, Category.DISPUTE, Category.DRUNK_DISORDERLY)
    ]
    person_add(incident=incidents[0], by=staff, role=PersonRole.VICTIM, name="张三", phone="13812345678")
    case = mediation_open(incident=incidents[1], room=room, by=staff, parties="张某\n李某")
    tip = TipFactory(station=station)
    hazard = HazardFactory(station=station)
    service_type = ServiceTypeFactory()
    service_request = ServiceRequestFactory(station=station, service_type=service_type)
    return {
        "user": staff,
        "ids": {
            "stations": [station.pk],
            "circles": [circle.pk],
            "teams": [team.pk],
            "patrol-posts": [post.pk, room.pk],
            "cameras": [camera.pk],
            "members": [member.pk],
            "informants": [informant.pk],
            "patrol-shifts": [shift.pk],
            "incidents": [i.pk for i in incidents],
            "mediation-cases": [case.pk],
            "tips": [tip.pk],
            "hazards": [hazard.pk],
            "service-types": [service_type.pk],
            "service-requests": [service_request.pk],
        },
    }


@pytest.fixture
def auth_headers(seeded, settings):
    """The token's header; the seeded ids for the path hook; requests that keep the test's connection."""
    cache.clear()
    settings.API_THROTTLE_RATES = {"token": "1000000/minute", "anon": "1000000/minute"}
    # Like Django's test client: don't let the end of a request close the test's connection (the test
    # runs in a transaction that is rolled back at its end).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    SEEDED_IDS.update(seeded["ids"])
    raw = token_create(user=seeded["user"], name="schemathesis", scopes=[s.value for s in TokenScope], days=1)[1]
    yield {"Authorization": f"Bearer {raw}"}
    SEEDED_IDS.clear()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_conforms_to_its_schema(case, auth_headers):
    # A case that brings its own Authorization header tests a bad credential: send it as generated
    # (replacing it with the good token would make schemathesis expect a rejection of a valid request).
    own_credential = any(name.lower() == "authorization" for name in (case.headers or {}))
    case.call_and_validate(headers={} if own_credential else auth_headers, checks=CHECKS)
