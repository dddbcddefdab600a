"""Tombstones for API clients that synchronise: a deleted row leaves a `DeletedRecord`.

Incidents are normally never deleted (their timeline protects them), but rows around them are
(an involved person entered by mistake), and the admin may delete anything. A client that polls
`/api/v1/incidents/?updated_since=...` learns of deletions from `/api/v1/deleted/?since=...`.

`SYNCED_MODELS` maps a model label to the path from a row to its station id; the `post_delete`
receiver writes the tombstone in the deleting transaction, so it exists exactly when the delete does.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete

from .models import DeletedRecord

SYNCED_MODELS: dict[str, str] = {
    "incidents.Incident": "station_id",
    "incidents.InvolvedPerson": "incident.station_id",
    "incidents.Tip": "station_id",
    "incidents.Hazard": "station_id",
    "incidents.MediationCase": "station_id",
    "incidents.ServiceRequest": "station_id",
}


def _station_id(instance, path: str) -> int | None:
    value = instance
    try:
        for part in path.split("."):
            value = getattr(value, part)
    except (AttributeError, ObjectDoesNotExist):
        return None
    return value


def record_deletion(sender, instance, **kwargs) -> None:
    label = sender._meta.label
    DeletedRecord.objects.create(
        model=label, object_id=str(instance.pk), station_id=_station_id(instance, SYNCED_MODELS[label])
    )


def connect() -> None:
    for label in SYNCED_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:  # pragma: no cover - an app left out of INSTALLED_APPS
            continue
        post_delete.connect(record_deletion, sender=model, dispatch_uid=f"tombstone:{label}")
