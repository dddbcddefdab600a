"""The portal's roles, kept as auth groups, and the questions asked of them.

A role is a `Group` whose name is the role's value; `setup_roles` (run by a data migration and by
`seed_demo`) gives each group its model permissions. Scope is separate from permissions: a user
sees the rows of their own station unless they are sub-bureau staff (see `portal.scoping`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUB_BUREAU_STAFF = "sub_bureau_staff", _("Sub-bureau staff")
    STATION_COMMANDER = "station_commander", _("Station commander")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    PARTY_AFFAIRS = "party_affairs", _("Party-affairs officer")
    AUDITOR = "auditor", _("Auditor")


# Model permissions per role, as "app_label.codename" patterns: "patrols.*" means every
# permission of that app, "patrols.view_*" every view permission.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SUB_BUREAU_STAFF: [
        "patrols.*",
        "incidents.*",
        "partyorg.*",
        "alerts.*",
        "portal.reveal_personal_data",
        "portal.view_accesslog",
        "auditlog.view_logentry",
    ],
    Role.STATION_COMMANDER: [
        "patrols.*",
        "incidents.*",
        "partyorg.view_*",
        "alerts.*",
        "portal.reveal_personal_data",
    ],
    Role.DUTY_OFFICER: [
        "patrols.view_*",
        "patrols.change_patrolteam",
        "patrols.add_patrolshift",
        "patrols.change_patrolshift",
        "incidents.*",
        "partyorg.view_*",
        "alerts.view_*",
        "alerts.add_alert",
        "alerts.change_alert",
    ],
    Role.PARTY_AFFAIRS: ["patrols.view_*", "partyorg.*", "incidents.view_incident"],
    Role.AUDITOR: [
        "patrols.view_*",
        "incidents.view_*",
        "partyorg.view_*",
        "alerts.view_*",
        "portal.view_accesslog",
        "auditlog.view_logentry",
    ],
}


def has_role(user, role: str) -> bool:
    """Whether the user is in the role's group (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return role in user._role_names


def sees_all_stations(user) -> bool:
    """Sub-bureau staff (and superusers) see every station; everyone else only their own."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.SUB_BUREAU_STAFF)


def may_reveal_personal_data(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_perm("portal.reveal_personal_data")


def setup_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    all_perms = list(Permission.objects.select_related("content_type"))
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        chosen = [p for p in all_perms if any(_matches(p, pattern) for pattern in patterns)]
        group.permissions.set(chosen)


def _matches(perm, pattern: str) -> bool:
    app_label, codename = pattern.split(".", 1)
    if perm.content_type.app_label != app_label:
        return False
    if codename.endswith("*"):
        return perm.codename.startswith(codename[:-1])
    return perm.codename == codename
