"""Throttles: per API token, and per IP address for anonymous callers (and failed token attempts).

Rates are settings (`API_THROTTLE_RATES`, e.g. {"token": "600/minute", "anon": "60/minute"}), read
on each request so that a deployment (or a test) can change them. Over the rate, DRF answers 429 with
`Retry-After` (seconds).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from portal.models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    """DRF's throttle, counting in one round trip when the cache is Redis.

    DRF keeps the time of every request of the last period in one cache entry, read and written
    back whole on each request (two round trips, and a list as long as the rate). With Redis the
    count is one counter per key instead, created with the period as its expiry on the first request
    and incremented by each (SET NX EX, INCR and TTL in one pipeline): a fixed window that starts at
    the first request, whose remaining time is the `Retry-After` of a refused request.
    """

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATES", {}).get(self.scope)

    def allow_request(self, request, view):
        client = _redis_client(self.cache)
        if client is None or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        key = self.cache.make_and_validate_key(self.key)
        pipe = client.pipeline(transaction=False)
        pipe.set(key, 0, ex=self.duration, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _created, count, remaining = pipe.execute()
        self.window_left = remaining if remaining and remaining > 0 else self.duration
        return count <= self.num_requests

    def wait(self):
        if hasattr(self, "window_left"):
            return max(1, self.window_left)
        return super().wait()


def _redis_client(cache):
    """The redis-py client behind Django's Redis cache backend; None for any other backend."""
    backend = caches[DEFAULT_CACHE_ALIAS] if cache is default_cache else cache  # (`cache` is a proxy)
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


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
