"""Throttles: per API token, and per IP address for anonymous callers (and failed token attempts).

Rates are settings (`API_THROTTLE_RATES`, e.g. {"token": "600/minute", "anon": "60/minute"}), read
on each request so that a deployment (or a test) can change them. Over the rate, DRF answers 429 with
`Retry-After` (seconds).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATES", {}).get(self.scope)


class TokenRateThrottle(_SettingsRateThrottle):
    """Requests per token (keyed by its hash: ids are reused, hashes are not)."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.key_hash[:32]}


class AnonymousRateThrottle(_SettingsRateThrottle):
    """Requests per client IP of callers without a valid session or token."""

    scope = "anon"

    def get_cache_key(self, request, view):
        user = getattr(request, "_user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "_anonymous_throttled", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
