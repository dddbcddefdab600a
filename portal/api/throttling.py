"""Throttles: per API token, and per IP address for anonymous callers (and failed token attempts).

Rates are settings (`API_THROTTLE_RATES`, e.g. {"token": "600/minute", "anon": "60/minute"}), read
on each request so that a deployment (or a test) can change them. Over the rate, DRF answers 429 with
`Retry-After` (seconds).
"""

from __future__ import annotations

import weakref

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
        if self.rate is None:
            return True  # (as DRF's)
        client = redis_client(self.cache)
        if client is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        counted = _take_early_count(request, self.key)
        if counted is None:
            pipe = client.pipeline(transaction=False)
            self.queue_count(pipe, self.key)
            counted = pipe.execute()
        _created, count, remaining = counted
        self.window_left = remaining if remaining and remaining > 0 else self.duration
        return count <= self.num_requests

    def queue_count(self, pipe, key: str) -> None:
        """Add the counting of a request under `key` to a pipeline (its three answers: created, count, TTL)."""
        key = self.cache.make_and_validate_key(key)
        pipe.set(key, 0, ex=self.duration, nx=True)
        pipe.incr(key)
        pipe.ttl(key)

    def wait(self):
        if hasattr(self, "window_left"):
            return max(1, self.window_left)
        return super().wait()


#: one redis-py client per Django Redis cache client (see `redis_client`)
_CLIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def redis_client(cache=default_cache):
    """The redis-py client (of the primary) behind Django's Redis cache backend; None for any other backend.

    Made once per backend and kept: Django's backend makes a new `redis.Redis` on every operation,
    which costs more than a round trip to Redis (it builds its table of ~170 response callbacks).
    It shares the backend's connection pool, and is safe to use from several threads.
    """
    backend = caches[DEFAULT_CACHE_ALIAS] if cache is default_cache else cache  # (`cache` is a proxy)
    if not isinstance(backend, RedisCache):
        return None
    cache_client = backend._cache
    client = _CLIENTS.get(cache_client)
    if client is None:
        client = _CLIENTS[cache_client] = cache_client.get_client(write=True)
    return client


class TokenRateThrottle(_SettingsRateThrottle):
    """Requests per token (keyed by its hash: ids are reused, hashes are not)."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        return self.key_of(token.key_hash)

    def key_of(self, key_hash: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": key_hash[:32]}


# --- a token's request counted in the authentication's round trip ------------------------------------
#
# Authentication reads the auth cache's generation from Redis on every request (`authcache`); the
# token's throttle is counted in the same pipeline, so that a request makes one round trip to Redis,
# not two. Only for a token this process knows (a guessed token never creates a counter), and only
# where the view would count it (`counts_token_early` and a token rate). The decision is still the
# throttle's, after the permission checks; a request refused before its throttle ran (authentication,
# permissions, format) gets its count back (`give_back_early_count`), so exactly the requests that
# reach the throttle are counted, as when the throttle counted them itself.

_EARLY = "_token_throttle_early_count"
#: DECR a counter only while it exists (an expired window must not come back as a key without expiry)
_GIVE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


def early_count(request, view):
    """For `authcache.cached_token(also=...)`: a function (pipeline, token hash) that queues the count of
    this request by the view's token throttle, and returns the function that keeps the answers; None
    when the view doesn't count tokens early or has no token throttle."""
    if not getattr(view, "counts_token_early", False):
        return None
    throttle = next((t for t in view.get_throttles() if isinstance(t, TokenRateThrottle)), None)
    if throttle is None or throttle.rate is None or redis_client(throttle.cache) is None:
        return None

    def queue(pipe, key_hash: str):
        key = throttle.key_of(key_hash)
        throttle.queue_count(pipe, key)

        def keep(answers: list) -> None:
            setattr(request, _EARLY, (key, answers))

        return keep

    return queue


def _take_early_count(request, key: str) -> list | None:
    counted = getattr(request, _EARLY, None)
    if counted is None or counted[0] != key:
        return None
    setattr(request, _EARLY, None)
    return counted[1]


def give_back_early_count(request) -> None:
    """Uncount a request counted with its authentication but refused before its throttle ran."""
    counted = getattr(request, _EARLY, None)
    if counted is None:
        return
    setattr(request, _EARLY, None)
    client = redis_client()
    if client is not None:
        client.eval(_GIVE_BACK, 1, default_cache.make_and_validate_key(counted[0]))


class AnonymousRateThrottle(_SettingsRateThrottle):
    """Requests per client IP of callers without a valid session or token."""

    scope = "anon"

    def get_cache_key(self, request, view):
        user = getattr(request, "_user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "_anonymous_throttled", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
