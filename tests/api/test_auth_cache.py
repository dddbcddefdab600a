"""Token requests read the token, its user and their roles from a cache; every change takes effect at once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import ApiToken
from portal.roles import Role
from portal.tokens import token_revoke
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"


def _queries(client, url=LIST):
    with CaptureQueriesContext(connections["default"]) as captured:
        response = client.get(url)
    # (the request's transaction is a savepoint inside the test's: not a query)
    return response, [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


class CachedRolesTests:
    def test_after_the_first_request_authentication_costs_no_query(self, api, make_token, commander, station):
        IncidentFactory(station=station)
        client = api.as_token(make_token(commander))
        first, first_sql = _queries(client)
        again, again_sql = _queries(client)
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert len(again_sql) == 1, again_sql  # the page: token, user, roles and permissions are cached
        assert len(first_sql) > len(again_sql)

    def test_a_revoked_token_is_refused_at_once(self, api, make_token, commander):
        raw = make_token(commander)
        client = api.as_token(raw)
        assert client.get(LIST).status_code == 200
        token_revoke(token=ApiToken.objects.get(), by=commander)
        response = client.get(LIST)
        assert response.status_code == 401
        assert response.json()["detail"] == "The token was revoked."

    def test_a_deactivated_user_is_refused_at_once(self, api, make_token, commander):
        client = api.as_token(make_token(commander))
        assert client.get(LIST).status_code == 200
        commander.is_active = False
        commander.save(update_fields=["is_active"])
        assert client.get(LIST).status_code == 401

    def test_leaving_a_role_takes_effect_at_once(self, api, make_token, commander):
        client = api.as_token(make_token(commander))
        assert client.get(LIST).status_code == 200
        commander.groups.remove(Group.objects.get(name=Role.STATION_COMMANDER))
        assert client.get(LIST).status_code == 403
        commander.groups.add(Group.objects.get(name=Role.STATION_COMMANDER))
        assert client.get(LIST).status_code == 200

    def test_a_roles_permissions_changing_takes_effect_at_once(self, api, make_token, commander):
        client = api.as_token(make_token(commander))
        assert client.get(LIST).status_code == 200
        role = Group.objects.get(name=Role.STATION_COMMANDER)
        role.permissions.remove(Permission.objects.get(codename="view_incident"))
        assert client.get(LIST).status_code == 403

    def test_a_new_role_widens_the_scope_at_once(self, api, make_token, commander, station, other_station):
        own, other = IncidentFactory(station=station), IncidentFactory(station=other_station)
        client = api.as_token(make_token(commander))
        assert {r["id"] for r in client.get(LIST).json()["results"]} == {own.pk}
        commander.groups.add(Group.objects.get(name=Role.SUB_BUREAU_STAFF))
        assert {r["id"] for r in client.get(LIST).json()["results"]} == {own.pk, other.pk}

    def test_each_user_has_their_own_entry(self, api, make_token, commander, other_commander, station, other_station):
        own, other = IncidentFactory(station=station), IncidentFactory(station=other_station)
        first, second = make_token(commander), make_token(other_commander)
        for _ in range(2):
            assert [r["id"] for r in api.as_token(first).get(LIST).json()["results"]] == [own.pk]
            assert [r["id"] for r in api.as_token(second).get(LIST).json()["results"]] == [other.pk]


class LastUsedTests:
    def test_last_used_at_is_written_at_most_once_a_minute(self, api, make_token, commander, monkeypatch):
        client = api.as_token(make_token(commander))
        _response, sql = _queries(client)
        first = ApiToken.objects.get().last_used_at
        assert first is not None and any(s.startswith("UPDATE") for s in sql)
        _response, sql = _queries(client)
        assert not any(s.startswith("UPDATE") for s in sql)
        assert ApiToken.objects.get().last_used_at == first
        later = first + timedelta(minutes=1, seconds=5)
        monkeypatch.setattr("portal.api.authentication.timezone.now", lambda: later)
        assert client.get(LIST).status_code == 200
        assert ApiToken.objects.get().last_used_at == later
        _response, sql = _queries(client)
        assert not any(s.startswith("UPDATE") for s in sql)

    def test_an_expired_token_is_refused_although_cached(self, api, make_token, commander, monkeypatch):
        client = api.as_token(make_token(commander, days=1))
        assert client.get(LIST).status_code == 200
        later = timezone.now() + timedelta(days=1, seconds=1)
        monkeypatch.setattr("portal.api.authentication.timezone.now", lambda: later)
        response = client.get(LIST)
        assert response.status_code == 401
        assert response.json()["detail"] == "The token has expired."
