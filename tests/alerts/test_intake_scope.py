"""The CAP intake answers API tokens by their scope: `weather:intake` may post, others are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import Alert
from incidents.models import Hazard
from portal.models import ApiToken
from portal.tokens import token_create, token_revoke
from tests.alerts.test_cap import WARNING

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts/intake/"


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    cache.clear()
    settings.API_THROTTLE_RATES = {"token": "10000/minute", "anon": "10000/minute"}
    yield
    cache.clear()


def token(user, scopes="weather:intake") -> str:
    return token_create(user=user, name="气象局预警推送", scopes=scopes, days=30)[1]


def post(raw: str | None, body: bytes = WARNING.encode()):
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.post(URL, body, content_type="application/cap+xml")


class IntakeScopeTests:
    def test_a_token_with_the_weather_scope_posts_a_draft_weather_alert(self, commander, circle):
        response = post(token(commander))
        assert response.status_code == 201, response.content
        alert = Alert.objects.get(pk=response.json()["alert"])
        assert alert.kind == "weather" and alert.state == "draft" and alert.category == "Met"
        assert Hazard.objects.filter(pk=response.json()["hazard"], kind="weather").exists()
        assert ApiToken.objects.get().last_used_at is not None

    @pytest.mark.parametrize("scopes", ["alerts:write", "alerts:read,incidents:write"])
    def test_a_token_without_the_scope_is_403_and_changes_nothing(self, commander, circle, scopes):
        response = post(token(commander, scopes=scopes))
        assert response.status_code == 403
        assert "weather:intake" in response.json()["detail"]
        assert not Alert.objects.exists() and not Hazard.objects.exists()

    def test_the_scope_does_not_lift_the_users_permission(self, auditor, circle):
        response = post(token(auditor))
        assert response.status_code == 403
        assert not Alert.objects.exists()

    def test_an_expired_token_is_401(self, commander, circle):
        raw = token(commander)
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = post(raw)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert not Alert.objects.exists()

    def test_a_revoked_token_is_401(self, commander, circle):
        raw = token(commander)
        token_revoke(token=ApiToken.objects.get(), by=commander)
        response = post(raw)
        assert response.status_code == 401
        assert not Alert.objects.exists()

    def test_no_credentials_is_401(self, circle):
        assert post(None).status_code == 401

    def test_a_signed_in_user_allowed_to_draft_alerts_still_may_post(self, client, commander, circle):
        client.force_login(commander)
        response = client.post(URL, WARNING.encode(), content_type="application/cap+xml")
        assert response.status_code == 201, response.content

    def test_a_bad_document_from_a_token_is_a_400(self, commander, circle):
        body = WARNING.replace("<urgency>Expected</urgency>", "<urgency>Soon</urgency>").encode()
        response = post(token(commander), body)
        assert response.status_code == 400 and "urgency" in response.json()["errors"]
        assert not Alert.objects.exists()

    def test_an_empty_or_oversized_document_is_refused_in_the_one_error_shape(self, commander, circle):
        raw = token(commander)
        empty = post(raw, b"")
        assert empty.status_code == 400 and "xml" in empty.json()["errors"]
        huge = post(raw, b"<alert>" + b" " * 2_000_001 + b"</alert>")
        assert huge.status_code == 413 and huge.json()["detail"]
        assert not Alert.objects.exists()

    def test_an_unknown_format_is_a_400_naming_the_formats_and_changes_nothing(self, commander, circle):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token(commander)}")
        response = client.post(URL + "?format=yaml", WARNING.encode(), content_type="application/cap+xml")
        assert response.status_code == 400
        assert "json" in response.json()["errors"]["format"][0]
        assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("path", "scope"), [("/api/v1/alerts/", "alerts:read"), ("/api/v1/responsibility-zones/", "party:read")]
)
def test_alert_and_party_lists_need_their_read_scope(client, commander, path, scope):
    """A token reads alerts or the party organisation only with that scope."""
    _token, with_scope = token_create(user=commander, name="with", scopes=[scope], days=30)
    _token, without = token_create(user=commander, name="without", scopes=["incidents:read"], days=30)
    assert client.get(path, headers={"Authorization": f"Bearer {with_scope}"}).status_code == 200
    assert client.get(path, headers={"Authorization": f"Bearer {without}"}).status_code == 403
