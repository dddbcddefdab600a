"""API tokens: stored hashed, shown once, scoped, revocable, from the pages and from the command; throttles."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.models import ApiToken
from portal.tokens import hash_token, token_create
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


class TokenTests:
    def test_only_the_hash_is_stored(self, commander):
        token, raw = token_create(user=commander, name="统计系统", scopes="incidents:read", days=30)
        assert raw.startswith("ppt_") and len(raw) > 40
        assert token.key_hash == hash_token(raw) and raw not in (token.key_hash, token.prefix)
        assert raw.startswith(token.prefix)

    @pytest.mark.parametrize(
        ("scopes", "days", "field"),
        [("incidents:rule", 30, "scopes"), ("", 30, "scopes"), ("incidents:read", 0, "days")],
    )
    def test_bad_input_is_refused(self, commander, scopes, days, field):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            token_create(user=commander, name="x", scopes=scopes, days=days)
        assert field in error.value.message_dict
        assert not ApiToken.objects.exists()

    def test_an_unknown_token_is_401(self, api):
        response = api.as_token("ppt_not-a-real-token").get("/api/v1/incidents/")
        assert response.status_code == 401
        assert response.json() == {"errors": {}, "detail": "The token is not valid."}

    def test_a_token_of_an_inactive_user_is_401(self, api, make_token, commander):
        raw = make_token(commander)
        commander.is_active = False
        commander.save()
        assert api.as_token(raw).get("/api/v1/incidents/").status_code == 401

    def test_a_token_acts_with_its_users_station_scope(self, api, make_token, commander, station, other_station):
        own = IncidentFactory(station=station)
        IncidentFactory(station=other_station)
        rows = api.as_token(make_token(commander)).get("/api/v1/incidents/").json()["results"]
        assert [r["id"] for r in rows] == [own.pk]

    def test_use_is_recorded(self, api, make_token, commander):
        raw = make_token(commander)
        api.as_token(raw).get("/api/v1/incidents/")
        assert ApiToken.objects.get().last_used_at is not None


class ThrottleTests:
    def test_a_token_over_its_rate_gets_429_with_retry_after(self, api, make_token, commander, settings):
        settings.API_THROTTLE_RATES = {"token": "3/minute", "anon": "100/minute"}
        client = api.as_token(make_token(commander))
        codes = [client.get("/api/v1/stations/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get("/api/v1/stations/")
        assert int(response["Retry-After"]) > 0
        assert set(response.json()) == {"errors", "detail"}

    def test_each_token_has_its_own_budget(self, api, make_token, commander, settings):
        settings.API_THROTTLE_RATES = {"token": "1/minute", "anon": "100/minute"}
        first, second = make_token(commander), make_token(commander)
        assert api.as_token(first).get("/api/v1/stations/").status_code == 200
        assert api.as_token(first).get("/api/v1/stations/").status_code == 429
        assert api.as_token(second).get("/api/v1/stations/").status_code == 200

    def test_anonymous_callers_and_bad_tokens_are_throttled_per_ip(self, api, settings):
        settings.API_THROTTLE_RATES = {"token": "100/minute", "anon": "2/minute"}
        assert api.get("/api/v1/stations/").status_code == 401
        assert api.as_token("ppt_guess").get("/api/v1/stations/").status_code == 401
        response = api.as_token("ppt_guess2").get("/api/v1/stations/")
        assert response.status_code == 429 and response["Retry-After"]


class CommandTests:
    def test_the_command_prints_a_working_token(self, api, commander):
        out = StringIO()
        call_command(
            "createapitoken",
            "commander",
            "--scopes",
            "incidents:read,reference:read",
            "--days",
            "7",
            stdout=out,
            stderr=StringIO(),
        )
        raw = out.getvalue().strip()
        token = ApiToken.objects.get()
        assert token.scopes == ["incidents:read", "reference:read"]
        assert timezone.now() + timedelta(days=6) < token.expires_at <= timezone.now() + timedelta(days=7)
        assert api.as_token(raw).get("/api/v1/incidents/").status_code == 200

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nobody", "--scopes", "incidents:read"], "No user"),
            (["commander", "--scopes", "incidents:everything"], "Unknown scope"),
            (["commander", "--scopes", "incidents:read", "--days", "0"], "1 to 366"),
        ],
    )
    def test_bad_input_is_a_message_and_a_non_zero_exit(self, commander, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("createapitoken", *args, stdout=StringIO(), stderr=StringIO())
        assert not ApiToken.objects.exists()

    def test_bad_input_exits_non_zero_from_the_shell(self):
        import subprocess
        import sys

        result = subprocess.run(
            [sys.executable, "manage.py", "createapitoken", "nobody", "--scopes", "incidents:read"],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"},
            check=False,
        )
        assert result.returncode != 0


class TokenPageTests:
    def test_a_user_creates_a_token_that_is_shown_once(self, client, commander):
        client.force_login(commander)
        assert client.get("/api/tokens/new/").status_code == 200
        response = client.post(
            "/api/tokens/new/", {"name": "指挥中心大屏", "scopes": ["incidents:read", "reference:read"], "days": 30}
        )
        assert response.status_code == 200
        token = ApiToken.objects.get()
        raw = response.context["raw"]
        assert raw in response.content.decode() and hash_token(raw) == token.key_hash
        assert response["Cache-Control"] == "no-store"
        listing = client.get("/api/tokens/").content.decode()
        assert token.prefix in listing and raw not in listing

    def test_bad_input_shows_the_form_again(self, client, commander):
        client.force_login(commander)
        response = client.post("/api/tokens/new/", {"name": "", "days": 0})
        assert response.status_code == 400 and not ApiToken.objects.exists()

    def test_a_user_revokes_their_own_token_only(self, client, commander, other_commander):
        own, _ = token_create(user=commander, name="a", scopes="incidents:read", days=5)
        other, _ = token_create(user=other_commander, name="b", scopes="incidents:read", days=5)
        client.force_login(commander)
        assert client.post(f"/api/tokens/{other.pk}/revoke/").status_code == 404
        assert client.post(f"/api/tokens/{own.pk}/revoke/").status_code == 302
        own.refresh_from_db()
        other.refresh_from_db()
        assert own.is_revoked and not other.is_revoked

    def test_the_pages_need_a_log_in(self, client):
        assert client.get("/api/tokens/").status_code == 302
