"""API tokens: created (shown once), looked up by their hash, and revoked.

A token is `ppt_` followed by 43 random URL-safe characters. Only its SHA-256 hash is stored, with
the first 12 characters as a visible prefix; the clear token exists only in the answer to the
request (or command) that created it. The pages, `manage.py createapitoken` and the tests call
these services.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, TokenScope

TOKEN_PREFIX = "ppt_"
PREFIX_LENGTH = 12
#: the longest life a token may be given, in days
MAX_DAYS = 366


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def parse_scopes(value: str | Iterable[str]) -> list[str]:
    """Scopes from "a,b" or a list; raise ValidationError naming any unknown one."""
    items = value.split(",") if isinstance(value, str) else list(value)
    scopes = []
    for item in (str(i).strip() for i in items):
        if item and item not in scopes:
            scopes.append(item)
    unknown = [s for s in scopes if s not in TokenScope.values]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope(s): %(unknown)s. Choose from: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(TokenScope.values)}
            },
            code="unknown_scope",
        )
    if not scopes:
        raise ValidationError({"scopes": _("Give at least one scope.")}, code="required")
    return scopes


@transaction.atomic
def token_create(*, user, name: str, scopes: str | Iterable[str], days: int) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns (the row, the clear token). The clear token is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token (what it is for).")}, code="required")
    if not getattr(user, "is_active", False):
        raise ValidationError({"user": _("The user is inactive.")}, code="inactive")
    scopes = parse_scopes(scopes)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": _("Give the number of days as a whole number.")}, code="invalid") from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("A token lives from 1 to %(max)s days.") % {"max": MAX_DAYS}}, code="range")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=raw[:PREFIX_LENGTH],
        key_hash=hash_token(raw),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token at once (idempotent: a revoked token stays revoked at its first revocation time)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_lookup(raw: str) -> ApiToken | None:
    """The token row of a clear token (any state), with its user; None when unknown."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    try:
        return ApiToken.objects.select_related("user").get(key_hash=hash_token(raw))
    except ApiToken.DoesNotExist:
        return None
