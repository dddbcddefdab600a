"""Celery tasks of the alerts app: they take ids, are idempotent, and call the delivery engine or services.

`process_deliveries` is only ever a wake-up: the rows to send are in the database (the outbox), so
a lost, repeated or late task loses nothing and sends nothing twice.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import delivery

logger = logging.getLogger(__name__)

# a task keeps claiming batches for this long, then hands over to a fresh task (others get a turn)
TIME_BUDGET_SECONDS = 50


def wake_workers(*, alert_id: int | None = None, count: int = 1) -> bool:
    """Enqueue `count` wake-ups; a broker that is down is logged, never raised (the sweeper catches up)."""
    try:
        for _ in range(count):
            process_deliveries.apply_async(kwargs={"alert_id": alert_id}, queue=settings.ALERT_TASK_QUEUE, retry=False)
    except Exception:
        logger.exception("could not wake the alert workers (alert %s); the sweeper will deliver later", alert_id)
        return False
    return True


@shared_task(name="alerts.tasks.process_deliveries", acks_late=True, ignore_result=True)
def process_deliveries(alert_id: int | None = None) -> int:
    """Claim and send due rows (of one alert, or all) until none are due or the time budget is spent."""
    started = time.monotonic()
    total = 0
    while True:
        claimed = delivery.process_due(alert_id=alert_id)
        total += claimed
        if not claimed:
            return total
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            wake_workers(alert_id=alert_id)
            return total


@shared_task(name="alerts.tasks.sweep_deliveries", acks_late=True, ignore_result=True)
def sweep_deliveries() -> dict:
    """Beat, every ALERT_SWEEP_SECONDS: reclaim stuck rows, and wake workers for everything due."""
    from .models import Delivery

    reclaimed = delivery.reclaim_stuck()
    due = Delivery.objects.due(timezone.now()).count()
    woken = delivery.workers_wanted(due)
    if woken:
        wake_workers(count=woken)
    return {"reclaimed": reclaimed, "due": due, "woken": woken}


@shared_task(name="alerts.tasks.escalate_p1_incidents", acks_late=True, ignore_result=True)
def escalate_p1_incidents() -> int:
    from .services import p1_escalate

    return len(p1_escalate())


@shared_task(name="alerts.tasks.draft_weekly_bulletins", acks_late=True, ignore_result=True)
def draft_weekly_bulletins() -> int:
    from .services import bulletin_draft_weekly

    return len(bulletin_draft_weekly())


@shared_task(name="alerts.tasks.remind_overdue_hazards", acks_late=True, ignore_result=True)
def remind_overdue_hazards() -> int:
    from .services import hazard_remind_overdue

    return len(hazard_remind_overdue())
