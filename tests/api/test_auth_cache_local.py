"""Each process keeps a copy of the token entries it read; it never outlives a change or the entry's time."""

import pytest

from portal.api import authcache
from portal.models import ApiToken
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"


class LocalCopyTests:
    def test_a_change_announced_by_another_process_is_seen_at_once(self, api, make_token, commander, station):
        IncidentFactory(station=station)
        client = api.as_token(make_token(commander))
        assert client.get(LIST).status_code == 200
        # another process revokes the token without this one's signals, and starts a new generation
        ApiToken.objects.update(revoked_at=ApiToken.objects.get().created_at)
        authcache.new_generation()
        response = client.get(LIST)
        assert response.status_code == 401
        assert response.json()["detail"] == "The token was revoked."

    def test_a_change_without_signals_is_seen_once_the_entry_is_older_than_its_time(
        self, api, make_token, commander, monkeypatch
    ):
        client = api.as_token(make_token(commander))
        assert client.get(LIST).status_code == 200
        ApiToken.objects.update(revoked_at=ApiToken.objects.get().created_at)  # no signal, no new generation
        assert client.get(LIST).status_code == 200  # (within the entry's time: the copy still answers)
        now = authcache.time.time()
        monkeypatch.setattr(authcache.time, "time", lambda: now + authcache.TTL + 1)
        assert client.get(LIST).status_code == 401

    def test_each_request_gets_its_own_token_and_user(self, make_token, commander):
        raw = make_token(commander)
        first, second = authcache.cached_token(raw), authcache.cached_token(raw)
        third = authcache.cached_token(raw)
        assert first.pk == second.pk == third.pk and first.user.pk == second.user.pk == commander.pk
        assert second is not third and second.user is not third.user
        second.user.first_name = "changed by one request"
        second.user._role_names.add("an extra role")
        assert third.user.first_name != "changed by one request"
        assert "an extra role" not in authcache.cached_token(raw).user._role_names


class CountedWithAuthenticationTests:
    """A token's request is counted in its authentication's round trip, yet only requests that reach the
    throttle count (a refused one gets its count back)."""

    def test_requests_refused_before_the_throttle_do_not_use_up_the_rate(self, api, make_token, commander, settings):
        settings.API_THROTTLE_RATES = {"token": "3/minute", "anon": "100/minute"}
        client = api.as_token(make_token(commander, scopes="incidents:read"))
        assert client.get(LIST).status_code == 200  # (this process knows the token from now on)
        for _ in range(5):
            assert client.get("/api/v1/stations/").status_code == 403  # no reference:read scope
            assert client.get(LIST + "?format=nonsense").status_code == 400
        assert [client.get(LIST).status_code for _ in range(3)] == [200, 200, 429]

    def test_a_revoked_token_known_to_the_process_gives_its_count_back(self, api, make_token, commander, settings):
        settings.API_THROTTLE_RATES = {"token": "2/minute", "anon": "100/minute"}
        raw = make_token(commander)
        client = api.as_token(raw)
        assert client.get(LIST).status_code == 200
        token = ApiToken.objects.get()
        token.revoked_at = token.created_at
        token.save(update_fields=["revoked_at"])
        assert client.get(LIST).status_code == 401
        token.revoked_at = None
        token.save(update_fields=["revoked_at"])
        assert [client.get(LIST).status_code for _ in range(2)] == [200, 429]
