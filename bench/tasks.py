"""The naive broadcast baseline's Celery task: one task per recipient, as a first version would write it.

Each task loads its row, builds the message, sends it through the portal's own channel code (the same
httpx client) and marks the row sent. No claim, no chunking, no back-off: what the portal's engine is
measured against (`bench/scenarios/broadcast.py`). The bench's worker loads it with `-I bench.tasks`.
"""

from __future__ import annotations

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from alerts.channels import build_message
from alerts.choices import DeliveryState
from alerts.delivery import transmit
from alerts.models import Delivery


@shared_task(name="bench.tasks.send_one_delivery", acks_late=True, ignore_result=True)
def send_one_delivery(delivery_id: int) -> None:
    row = Delivery.objects.select_related("alert", "endpoint").get(pk=delivery_id)
    transmit(build_message(row.endpoint, [row]))
    Delivery.objects.filter(pk=row.pk).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, updated_at=timezone.now()
    )
