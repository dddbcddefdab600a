"""Housekeeping tasks of the project itself."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "portal:worker-heartbeat"


@shared_task(name="portal.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat() -> str:
    """Write the time a worker last ran a task; /healthz reads it (scheduled by beat every 30 s)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
