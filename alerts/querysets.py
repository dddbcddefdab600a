"""Reads of the alerts app, each scoped by station through `portal.scoping`."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from portal.scoping import ScopedQuerySet

from .choices import CLAIMABLE_STATES, AlertState, CapScope, CapStatus, DeliveryState, MsgType


class AudienceQuerySet(ScopedQuerySet):
    def active(self) -> AudienceQuerySet:
        return self.filter(is_active=True)


class EndpointQuerySet(ScopedQuerySet):
    station_lookup = "audience__station"

    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True, audience__is_active=True)


class AlertQuerySet(ScopedQuerySet):
    def approved(self) -> AlertQuerySet:
        return self.filter(state=AlertState.APPROVED)

    def current_public(self, now: datetime | None = None) -> AlertQuerySet:
        """Approved, actual, public alerts in force: not expired, not cancelled, not superseded by a Cancel.

        Deliberately not scoped: CAP "Public" alerts are for everyone (the Atom feed reads this).
        """
        now = now or timezone.now()
        return (
            self.filter(state=AlertState.APPROVED, scope=CapScope.PUBLIC, status=CapStatus.ACTUAL)
            .exclude(msg_type=MsgType.CANCEL)
            .filter(Q(expires__isnull=True) | Q(expires__gt=now))
            .exclude(superseded_by__msg_type=MsgType.CANCEL, superseded_by__state=AlertState.APPROVED)
        )


class DeliveryQuerySet(ScopedQuerySet):
    station_lookup = "alert__station"

    def due(self, now: datetime | None = None) -> DeliveryQuerySet:
        """Rows a worker should send now: pending or failed, with their (retry) time come."""
        now = now or timezone.now()
        return self.filter(state__in=CLAIMABLE_STATES, next_attempt_at__lte=now)

    def stuck(self, before: datetime) -> DeliveryQuerySet:
        """Rows claimed (`sending`) before `before`: their worker died or hangs."""
        return self.filter(state=DeliveryState.SENDING, claimed_at__lt=before)

    def dead(self) -> DeliveryQuerySet:
        return self.filter(state=DeliveryState.DEAD)
