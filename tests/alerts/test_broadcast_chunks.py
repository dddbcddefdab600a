"""How a broadcast is cut into claims, and the acknowledgement links its messages carry."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from alerts import channels, delivery
from alerts.choices import DeliveryState
from tests.alerts.helpers import approved
from tests.factories import EndpointFactory


class ClaimSizeTests:
    def test_claims_shrink_as_the_queue_drains_so_the_workers_of_a_broadcast_finish_together(
        self, settings, commander, audience
    ):
        """Full batches while much is due, then half of what is left (never under CLAIM_MIN_ROWS)."""
        settings.ALERT_BATCH_SIZE = 40
        EndpointFactory.create_batch(120, audience=audience, url="https://hooks.example.com/x")
        alert = approved(by=commander, station=audience.station, audiences=[audience])
        claimed = []
        with mock.patch.object(delivery, "transmit"):
            while n := delivery.process_due(alert_id=alert.pk):
                claimed.append(n)
        assert claimed == [40, 40, delivery.CLAIM_MIN_ROWS, 120 - 80 - delivery.CLAIM_MIN_ROWS]
        assert set(alert.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}

    def test_a_small_broadcast_goes_in_one_claim(self, commander, audience):
        EndpointFactory.create_batch(delivery.CLAIM_MIN_ROWS, audience=audience, url="https://hooks.example.com/x")
        alert = approved(by=commander, station=audience.station, audiences=[audience])
        with mock.patch.object(delivery, "transmit"):
            assert delivery.process_due(alert_id=alert.pk) == delivery.CLAIM_MIN_ROWS
            assert delivery.process_due(alert_id=alert.pk) == 0

    def test_an_explicit_limit_wins(self, commander, audience):
        EndpointFactory.create_batch(5, audience=audience, url="https://hooks.example.com/x")
        approved(by=commander, station=audience.station, audiences=[audience])
        with mock.patch.object(delivery, "transmit"):
            assert delivery.process_due(limit=2) == 2


class AckLinkTests:
    @pytest.mark.parametrize("base", ["http://127.0.0.1:8000", "https://portal.example.com/", "https://x.example/sub"])
    def test_the_link_of_a_message_is_the_reversed_url_of_its_token(self, settings, base, commander, json_endpoint):
        """The URL is reversed once per batch around a placeholder; each link equals reversing its own token."""
        settings.ALERT_ACK_BASE_URL = base
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = alert.deliveries.get()
        expected = base.rstrip("/") + reverse("alerts:ack", args=[channels.ack_token(row)])
        assert channels.ack_url(row) == expected
        message = channels.build_message(json_endpoint, [row], memo={})
        assert message.items[0]["ack_url"] == expected
        assert message.text.endswith(expected)
