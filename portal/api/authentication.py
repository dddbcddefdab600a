"""Bearer-token authentication of REST clients (`Authorization: Bearer ppt_...`).

A token acts as its user: the user's station scope and model permissions apply, narrowed further
by the token's scopes (`portal.api.permissions.TokenScopePermission`). An unknown, revoked or
expired token, or one whose user is inactive, answers 401 with `WWW-Authenticate: Bearer`.

The token, its user and the user's roles and permissions come from a cache (`authcache`) that any
change to them invalidates at once, so a request usually costs no query here; `last_used_at` is
written at most once a minute.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal.api import authcache
from portal.api.throttling import early_count
from portal.models import ApiToken

#: `last_used_at` is written at most this often per token (not on every request)
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: session authentication may still apply
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token as: Authorization: Bearer <token>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        view = (getattr(request, "parser_context", None) or {}).get("view")
        token = authcache.cached_token(raw, also=early_count(request, view))
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token was revoked."))
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            # (the condition again in SQL: of concurrent first requests in a minute, one writes)
            ApiToken.objects.filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION), pk=token.pk
            ).update(last_used_at=now)
            token.last_used_at = now
            authcache.remember(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
