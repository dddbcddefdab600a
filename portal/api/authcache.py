"""API tokens, with their user and the user's roles and permissions, cached between requests.

Without it every API request reads the token and its user, the user's groups and permissions (four
queries) and writes the token's `last_used_at` before its own work, although they change rarely.

The cache holds per token (by its hash) the token row with its user, the user's role names and
permissions, and the *generation* they were read in. Any change that can alter whether a token is
accepted or what it may do (a token or user saved or deleted, a user's groups or own permissions, a
group's permissions, a group or permission saved or deleted) starts a new generation, at once and
again when its transaction commits; an entry of an older generation is read afresh. So a revoked
token, or a deactivated user's, is refused from the next request on; expiry is checked on every
request. A change that sends no signal (raw SQL, `QuerySet.update()`) is seen after `TTL` seconds
at the latest (an entry lives `TTL` seconds from the moment its rows were read, however often it
is rewritten). Unknown tokens are not cached (a guesser can't fill the cache).

Each process also keeps a copy of the entries it read, used while their generation is the current
one: a request reads only the generation from the cache (no entry to unpickle), and a change made
anywhere is still seen by every process on its next request.
"""

from __future__ import annotations

import copy
import secrets
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.api.throttling import redis_client
from portal.models import ApiToken
from portal.roles import has_role
from portal.tokens import hash_token, token_lookup

GENERATION_KEY = "portal:authz:generation"
#: seconds an entry lives at most (the bound for changes made without signals)
TTL = 60
#: tokens whose entry a process keeps a copy of (beyond it, the copies are dropped and read again)
LOCAL_SIZE = 1000

#: this process's copies of the entries it read: {key hash: entry}. A copy is used while its generation
#: is the current one (read from the cache on every request: one small round trip) and it is younger
#: than `TTL`, so it says nothing the shared entry wouldn't.
_local: dict[str, tuple] = {}


def _key(key_hash: str) -> str:
    return f"portal:authz:token:{key_hash}"


def _generation(also=None, key_hash: str = ""):
    """The current generation (None when there is none yet), in one round trip without building a client.

    `also(pipeline, key_hash)` may add commands to that round trip; it returns the function that is
    given their answers (`portal.api.throttling.early_count`).
    """
    client = redis_client()
    if client is None:
        return cache.get(GENERATION_KEY)
    key = cache.make_and_validate_key(GENERATION_KEY)
    if also is None:
        value = client.get(key)
    else:
        pipe = client.pipeline(transaction=False)
        pipe.get(key)
        keep = also(pipe, key_hash)
        value, *answers = pipe.execute()
        keep(answers)
    return None if value is None else cache._cache._serializer.loads(value)


def _fresh(entry, generation) -> bool:
    """An entry (generation, read_at, token, roles, permissions) that may be used now."""
    return (
        generation is not None
        and isinstance(entry, tuple)
        and len(entry) == 5
        and entry[0] == generation
        and time.time() - entry[1] < TTL
    )


def cached_token(raw: str, *, also=None) -> ApiToken | None:
    """The token row of a clear token (any state) with its user, as `token_lookup`; None when unknown.

    The user comes with its role names and permissions, so that `has_role`, `sees_all_stations`
    and `user.has_perm` answer without a query. Each call gets a copy of its own (of the token and
    of the user) to attach things to. `also`: commands for the generation's round trip (see
    `_generation`), sent only for a token this process knows.
    """
    key_hash = hash_token(raw)
    entry = _local.get(key_hash)
    generation = _generation(also if entry is not None else None, key_hash)
    if not _fresh(entry, generation):
        entry = cache.get(_key(key_hash))
        if _fresh(entry, generation):
            _keep(key_hash, entry)
    if _fresh(entry, generation):
        _generation_, read_at, token, roles, permissions = entry
        token, user = copy.copy(token), copy.copy(token.user)
        token.user = user
        user._role_names, user._perm_cache = set(roles), set(permissions)  # what those read
        token._authz_generation, token._authz_read_at = generation, read_at
        return token
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    read_at = time.time()
    token = token_lookup(raw)  # read after the generation: a change from now on makes the entry stale
    if token is None:
        return None
    has_role(token.user, "")  # reads the role names into user._role_names
    ModelBackend().get_all_permissions(token.user)  # ... and the permissions into user._perm_cache
    token._authz_generation, token._authz_read_at = generation, read_at
    remember(token)
    return token


def remember(token: ApiToken) -> None:
    """(Re)write the entry of a token from `cached_token`, e.g. after its `last_used_at` was written.

    The entry keeps the time its rows were read: rewriting it doesn't make it live longer.
    """
    user = token.user
    roles, permissions = sorted(getattr(user, "_role_names", ())), sorted(getattr(user, "_perm_cache", ()))
    read_at = token._authz_read_at
    entry = (token._authz_generation, read_at, copy.copy(token), roles, permissions)
    entry[2].user = copy.copy(user)  # (not the caller's objects, which it may still change)
    timeout = max(1, round(read_at + TTL - time.time()))
    cache.set(_key(token.key_hash), entry, timeout=timeout)
    _keep(token.key_hash, entry)


def _keep(key_hash: str, entry: tuple) -> None:
    if len(_local) >= LOCAL_SIZE and key_hash not in _local:
        _local.clear()
    _local[key_hash] = entry


def new_generation() -> None:
    """Make every cached entry stale: now, and again when the current transaction commits."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    if transaction.get_connection().in_atomic_block:
        # a request between now and the commit may read the old rows under the new generation
        transaction.on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None))


def _on_save(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing of the roles (and happens often)
    new_generation()


def _on_change(sender, **kwargs) -> None:
    new_generation()


def _on_m2m(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        new_generation()


def connect() -> None:
    """Called once from `PortalConfig.ready()`: in every process that can change roles, not only the API's."""
    user_model = get_user_model()
    for model in (ApiToken, user_model, Group, Permission):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"authcache-save-{model._meta.label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"authcache-delete-{model._meta.label}")
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"authcache-m2m-{through._meta.label}")
