"""Masking of personal data, and the log of every reveal and export.

Phones and ID numbers are shown masked to everyone; a role with `portal.reveal_personal_data` may
reveal one, giving a reason, and each reveal or export is written to `AccessLog`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models

from .models import AccessLog
from .roles import may_reveal_personal_data


def mask_phone(value: str) -> str:
    """ "13812345678" -> "138****5678"; shorter values keep only their last two characters."""
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * (len(value) - 2) + value[-2:]


def mask_id_number(value: str) -> str:
    """An 18-character ID number keeps its first 6 (region) and last 4 characters."""
    if not value:
        return ""
    if len(value) > 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value)


MASKERS = {"phone": mask_phone, "id_number": mask_id_number}


def masked(instance: models.Model, field: str) -> str:
    return MASKERS[field](getattr(instance, field) or "")


def reveal(*, user, instance: models.Model, fields: list[str], reason: str) -> dict[str, str]:
    """Return the clear values of `fields` and log the reveal; refuse users without the permission."""
    if not may_reveal_personal_data(user):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required to reveal personal data")
    log_access(user=user, action=AccessLog.Action.REVEAL, instance=instance, fields=fields, reason=reason)
    return {field: getattr(instance, field) or "" for field in fields}


def log_access(
    *, user, action: str, fields: list[str], reason: str, instance: models.Model | None = None, object_type: str = ""
) -> AccessLog:
    return AccessLog.objects.create(
        user=user,
        action=action,
        fields=",".join(fields),
        reason=reason[:300],
        object_type=object_type or (instance._meta.label if instance is not None else ""),
        object_id=str(instance.pk) if instance is not None else "",
    )
