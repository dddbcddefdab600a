"""Who may call an endpoint: the token's scopes, then the user's model permissions.

Both are enforced once, here, for every viewset built on `portal.api.views`; which rows a caller
sees is the other half, enforced by the querysets' `visible_to(user)`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions

from portal.models import ApiToken


class TokenScopePermission(BasePermission):
    """A token needs the viewset's read scope for GET/HEAD/OPTIONS and its write scope for the rest.

    Session users (the portal's own pages) are not scope-limited; their model permissions still
    apply. A viewset that declares no scope for a method refuses every token there.
    """

    message = ""

    def has_permission(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        scope = required_scope(view, request)
        if scope and token.has_scope(scope):
            return True
        self.message = (
            _("This token lacks the scope “%(scope)s” that this endpoint needs.") % {"scope": scope}
            if scope
            else _("API tokens can't use this endpoint.")
        )
        return False


def required_scope(view, request) -> str | None:
    if request.method in SAFE_METHODS:
        return getattr(view, "read_scope", None)
    return getattr(view, "write_scope", None)


class PortalModelPermissions(DjangoModelPermissions):
    """Model permissions of the user's role, reads included (a role without `view_x` can't list x).

    A viewset may map its extra actions to a permission: `action_permissions = {"dispatch": "change"}`
    ("change" of the viewset's model) or a full name ("incidents.add_involvedperson").
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        action_perm = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if action_perm is None:
            return super().has_permission(request, view)
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if "." not in action_perm:
            opts = self._queryset(view).model._meta
            action_perm = f"{opts.app_label}.{action_perm}_{opts.model_name}"
        return user.has_perm(action_perm)
