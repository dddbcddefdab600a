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
at the latest. Unknown tokens are not cached (a guesser can't fill the cache).
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.models import ApiToken
from portal.roles import has_role
from portal.tokens import hash_token, token_lookup

GENERATION_KEY = "portal:authz:generation"
#: seconds an entry lives at most (the bound for changes made without signals)
TTL = 60


def _key(key_hash: str) -> str:
    return f"portal:authz:token:{key_hash}"


def cached_token(raw: str) -> ApiToken | None:
    """The token row of a clear token (any state) with its user, as `token_lookup`; None when unknown.

    The user comes with its role names and permissions, so that `has_role`, `sees_all_stations`
    and `user.has_perm` answer without a query.
    """
    key = _key(hash_token(raw))
    found = cache.get_many([GENERATION_KEY, key])
    generation, entry = found.get(GENERATION_KEY), found.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        _generation, token, roles, permissions = entry
        token.user._role_names, token.user._perm_cache = set(roles), set(permissions)  # what those read
        token._authz_generation = generation
        return token
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    token = token_lookup(raw)  # read after the generation: a change from now on makes the entry stale
    if token is None:
        return None
    has_role(token.user, "")  # reads the role names into user._role_names
    ModelBackend().get_all_permissions(token.user)  # ... and the permissions into user._perm_cache
    token._authz_generation = generation
    remember(token)
    return token


def remember(token: ApiToken) -> None:
    """(Re)write the entry of a token from `cached_token`, e.g. after its `last_used_at` was written."""
    user = token.user
    roles, permissions = sorted(getattr(user, "_role_names", ())), sorted(getattr(user, "_perm_cache", ()))
    cache.set(_key(token.key_hash), (token._authz_generation, token, roles, permissions), timeout=TTL)


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
