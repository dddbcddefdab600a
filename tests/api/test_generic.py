"""NetBox-style generic API tests, declared once per endpoint: list and detail with and without
permission, another station's row (404), anonymous (401), and tokens that are expired, revoked or
lack the endpoint's scope (401/403).
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import ApiToken
from portal.roles import Role
from tests.factories import (
    CameraFactory,
    CircleFactory,
    HazardFactory,
    IncidentFactory,
    InformantFactory,
    MemberFactory,
    PostFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    ShiftFactory,
    TeamFactory,
    TipFactory,
    square,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@dataclass
class Endpoint:
    route: str
    scope: str
    make: object  # (station) -> a row of that station
    station_scoped: bool = True


def _circle(station):
    return CircleFactory(station=station, boundary=square(119.45 + station.pk * 0.03, 26.60))


def _mediation(station):
    from incidents.choices import Category
    from incidents.models import MediationCase
    from patrols.choices import PostKind

    incident = IncidentFactory(station=station, category=Category.DISPUTE)
    room = PostFactory(station=station, kind=PostKind.MEDIATION_ROOM)
    return MediationCase.objects.create(incident=incident, station=station, room=room, parties="甲\n乙")


ENDPOINTS = {
    "incidents": Endpoint("/api/v1/incidents/", "incidents:read", lambda st: IncidentFactory(station=st)),
    "tips": Endpoint("/api/v1/tips/", "incidents:read", lambda st: TipFactory(station=st)),
    "mediation-cases": Endpoint("/api/v1/mediation-cases/", "incidents:read", _mediation),
    "hazards": Endpoint("/api/v1/hazards/", "incidents:read", lambda st: HazardFactory(station=st)),
    "service-requests": Endpoint(
        "/api/v1/service-requests/", "incidents:read", lambda st: ServiceRequestFactory(station=st)
    ),
    "service-types": Endpoint(
        "/api/v1/service-types/", "incidents:read", lambda st: ServiceTypeFactory(), station_scoped=False
    ),
    "stations": Endpoint("/api/v1/stations/", "reference:read", lambda st: st),
    "circles": Endpoint("/api/v1/circles/", "reference:read", _circle),
    "teams": Endpoint("/api/v1/teams/", "reference:read", lambda st: TeamFactory(station=st, circle=_circle(st))),
    "patrol-posts": Endpoint("/api/v1/patrol-posts/", "reference:read", lambda st: PostFactory(station=st)),
    "members": Endpoint("/api/v1/members/", "reference:read", lambda st: MemberFactory(station=st)),
    "informants": Endpoint("/api/v1/informants/", "reference:read", lambda st: InformantFactory(circle=_circle(st))),
    "cameras": Endpoint("/api/v1/cameras/", "reference:read", lambda st: CameraFactory(station=st)),
    "patrol-shifts": Endpoint(
        "/api/v1/patrol-shifts/",
        "reference:read",
        lambda st: ShiftFactory(team=TeamFactory(station=st, circle=_circle(st))),
    ),
}
ALL_SCOPES = "incidents:read,incidents:write,reference:read"


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("name", ENDPOINTS)
class GenericEndpointTests:
    def test_a_token_lists_its_stations_rows_only(self, name, api, make_token, commander, station, other_station):
        endpoint = ENDPOINTS[name]
        own, other = endpoint.make(station), endpoint.make(other_station)
        response = api.as_token(make_token(commander, ALL_SCOPES)).get(endpoint.route)
        assert response.status_code == 200, response.content
        assert set(response.json()) >= {"next", "previous", "results"}
        if endpoint.station_scoped:
            assert _ids(response) == {own.pk}
        else:
            assert {own.pk, other.pk} <= _ids(response)

    def test_the_detail_has_an_etag_and_another_stations_row_is_404(
        self, name, api, make_token, commander, station, other_station
    ):
        endpoint = ENDPOINTS[name]
        own, other = endpoint.make(station), endpoint.make(other_station)
        client = api.as_token(make_token(commander, ALL_SCOPES))
        response = client.get(f"{endpoint.route}{own.pk}/")
        assert response.status_code == 200
        assert response.json()["id"] == own.pk
        assert response["ETag"]
        assert client.get(f"{endpoint.route}{own.pk}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        if endpoint.station_scoped:
            missing = client.get(f"{endpoint.route}{other.pk}/")
            assert missing.status_code == 404
            assert set(missing.json()) == {"errors", "detail"}

    def test_sub_bureau_staff_see_every_station(self, name, api, make_token, staff_user, station, other_station):
        endpoint = ENDPOINTS[name]
        own, other = endpoint.make(station), endpoint.make(other_station)
        response = api.as_token(make_token(staff_user, ALL_SCOPES)).get(endpoint.route)
        assert {own.pk, other.pk} <= _ids(response)

    def test_a_user_without_the_view_permission_is_refused(self, name, api, make_token, no_role_user, station):
        endpoint = ENDPOINTS[name]
        endpoint.make(station)
        response = api.as_token(make_token(no_role_user, ALL_SCOPES)).get(endpoint.route)
        assert response.status_code == 403
        assert set(response.json()) == {"errors", "detail"}

    def test_a_session_user_is_not_scope_limited(self, name, api, commander, station):
        ENDPOINTS[name].make(station)
        api.force_login(commander)
        assert api.get(ENDPOINTS[name].route).status_code == 200

    def test_without_credentials_the_answer_is_401(self, name, api, station):
        response = api.get(ENDPOINTS[name].route)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert set(response.json()) == {"errors", "detail"}

    def test_an_expired_token_is_401(self, name, api, make_token, commander):
        raw = make_token(commander, ALL_SCOPES)
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = api.as_token(raw).get(ENDPOINTS[name].route)
        assert response.status_code == 401
        assert response.json()["detail"] == "The token has expired."

    def test_a_revoked_token_is_401(self, name, api, make_token, commander):
        from portal.tokens import token_revoke

        raw = make_token(commander, ALL_SCOPES)
        token_revoke(token=ApiToken.objects.get(), by=commander)
        response = api.as_token(raw).get(ENDPOINTS[name].route)
        assert response.status_code == 401
        assert response.json()["detail"] == "The token was revoked."

    def test_a_token_without_the_endpoints_scope_is_403(self, name, api, make_token, commander):
        endpoint = ENDPOINTS[name]
        other_scope = "reference:read" if endpoint.scope == "incidents:read" else "incidents:read"
        response = api.as_token(make_token(commander, other_scope)).get(endpoint.route)
        assert response.status_code == 403
        assert endpoint.scope in response.json()["detail"]

    def test_a_malformed_page_size_or_cursor_is_a_400_with_field_errors(self, name, api, make_token, commander):
        client = api.as_token(make_token(commander, ALL_SCOPES))
        for query, field in (("page_size=0", "page_size"), ("page_size=501", "page_size"), ("cursor=%%%", "cursor")):
            response = client.get(f"{ENDPOINTS[name].route}?{query}")
            assert response.status_code == 400, query
            assert field in response.json()["errors"]


def test_a_user_without_a_station_sees_nothing(api, make_token, station):
    user = user_with_role(Role.DUTY_OFFICER, username="nostation", station=None)
    IncidentFactory(station=station)
    response = api.as_token(make_token(user, ALL_SCOPES)).get("/api/v1/incidents/")
    assert response.json()["results"] == []
