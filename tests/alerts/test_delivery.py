"""The delivery engine on the test database with a local HTTP receiver: sends, retries, dead rows,
rate limit and digest, the SSRF guard, the channels' formats."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import channels, delivery, services
from alerts.channels import dingtalk_sign
from alerts.choices import DeliveryState, EndpointKind
from alerts.models import Delivery
from alerts.sms import ConsoleSmsProvider
from tests.alerts.helpers import approved, draft
from tests.factories import AudienceFactory, EndpointFactory

pytestmark = pytest.mark.usefixtures("clear_cache")


def run_due(now=None) -> int:
    total = 0
    while claimed := delivery.process_due(now=now):
        total += claimed
    return total


class SendingTests:
    def test_approval_wakes_a_worker_that_sends_each_row_once_with_its_key(
        self, commander, audience, receiver, loopback, django_capture_on_commit_callbacks
    ):
        """After commit, the wake-up (in-process here) sends every row; the key travels in header and body."""
        endpoints = [EndpointFactory(audience=audience, url=receiver.url(f"/hook/{i}")) for i in range(3)]
        with django_capture_on_commit_callbacks(execute=True):
            alert = approved(by=commander, station=audience.station, audiences=[audience])
        rows = list(alert.deliveries.order_by("pk"))
        assert [d.state for d in rows] == [DeliveryState.SENT] * 3
        assert sorted(receiver.ok_keys()) == sorted(d.idempotency_key for d in rows)
        for request in receiver.requests:
            assert request["body"]["idempotency_key"] == request["key"]
            assert request["body"]["alerts"][0]["identifier"] == alert.identifier
            assert "/alerts/ack/" in request["body"]["alerts"][0]["ack_url"]
        assert {r["path"] for r in receiver.requests} == {f"/hook/{i}" for i in range(3)}
        assert len(endpoints) == 3

    def test_nothing_is_sent_before_the_transaction_commits(self, commander, json_endpoint, receiver):
        """The wake-up is an on_commit callback: inside the approval's transaction, nothing went out."""
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        assert receiver.requests == []
        assert Delivery.objects.get().state == DeliveryState.PENDING

    def test_a_receiver_failing_twice_then_answering_200_is_retried_then_sent(
        self, commander, json_endpoint, receiver
    ):
        receiver.plan["/hook/plaza"] = [500, 500]
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = Delivery.objects.get()
        run_due()
        row.refresh_from_db()
        assert row.state == DeliveryState.FAILED and row.attempts == 1 and "HTTP 500" in row.last_error
        first_retry = row.next_attempt_at
        assert first_retry > timezone.now() + timedelta(seconds=4)  # base 10 s, half of it fixed
        run_due(now=first_retry)
        row.refresh_from_db()
        assert row.state == DeliveryState.FAILED and row.attempts == 2
        assert row.next_attempt_at - first_retry >= timedelta(seconds=9)  # the back-off doubled
        run_due(now=row.next_attempt_at)
        row.refresh_from_db()
        assert row.state == DeliveryState.SENT and row.attempts == 3 and row.sent_at
        assert [r["key"] for r in receiver.to("/hook/plaza")] == [row.idempotency_key] * 3
        assert receiver.delivered() == {row.idempotency_key: 1}

    def test_a_receiver_that_always_fails_makes_the_row_dead_after_the_last_attempt(
        self, settings, commander, json_endpoint, receiver
    ):
        settings.ALERT_MAX_ATTEMPTS = 3
        receiver.always["/hook/plaza"] = 503
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = Delivery.objects.get()
        for day in range(1, 6):
            run_due(now=timezone.now() + timedelta(days=day))
        row.refresh_from_db()
        assert row.state == DeliveryState.DEAD and row.attempts == 3 and row.next_attempt_at is None
        assert len(receiver.requests) == 3

    def test_a_dead_row_retried_from_the_portal_is_sent_again_with_the_same_key(
        self, settings, commander, json_endpoint, receiver, django_capture_on_commit_callbacks
    ):
        settings.ALERT_MAX_ATTEMPTS = 1
        receiver.plan["/hook/plaza"] = [500]
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        run_due()
        row = Delivery.objects.get()
        assert row.state == DeliveryState.DEAD
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_retry(delivery=row, by=commander)
        row.refresh_from_db()
        assert row.state == DeliveryState.SENT
        assert receiver.delivered() == {row.idempotency_key: 1}

    def test_a_4xx_answer_is_permanent_and_dead_at_once(self, commander, json_endpoint, receiver):
        receiver.plan["/hook/plaza"] = [404]
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        run_due()
        row = Delivery.objects.get()
        assert row.state == DeliveryState.DEAD and row.attempts == 1 and "404" in row.last_error

    def test_two_claims_never_take_the_same_row(self, commander, audience, loopback):
        for i in range(5):
            EndpointFactory(audience=audience, url=f"http://127.0.0.1:9/{i}")
        approved(by=commander, station=audience.station, audiences=[audience])
        now = timezone.now()
        _token1, first = delivery.claim(limit=3, now=now)
        _token2, second = delivery.claim(limit=3, now=now)
        assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
        assert Delivery.objects.filter(state=DeliveryState.SENDING).count() == 5

    def test_the_sweeper_reclaims_rows_left_sending_by_a_dead_worker(
        self, settings, commander, json_endpoint, receiver
    ):
        settings.ALERT_SENDING_STUCK_SECONDS = 60
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        delivery.claim(limit=10, now=timezone.now())  # ... and the worker died
        assert delivery.reclaim_stuck(now=timezone.now() + timedelta(minutes=5)) == 1
        row = Delivery.objects.get()
        assert row.state == DeliveryState.FAILED and row.attempts == 1 and "reclaimed" in row.last_error
        run_due(now=timezone.now() + timedelta(minutes=5))
        row.refresh_from_db()
        assert row.state == DeliveryState.SENT

    def test_a_recently_claimed_row_is_not_reclaimed(self, settings, commander, json_endpoint):
        settings.ALERT_SENDING_STUCK_SECONDS = 300
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        delivery.claim(limit=10, now=timezone.now())
        assert delivery.reclaim_stuck() == 0

    def test_the_sweep_task_wakes_workers_for_due_rows(self, commander, json_endpoint, receiver):
        from alerts.tasks import sweep_deliveries

        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        result = sweep_deliveries()
        assert result["due"] == 1 and result["woken"] == 1
        assert Delivery.objects.get().state == DeliveryState.SENT

    def test_a_broker_that_is_down_at_approval_loses_nothing(
        self, commander, json_endpoint, receiver, django_capture_on_commit_callbacks, caplog
    ):
        """The wake-up raising (Redis down) is logged; the approval stands and the sweeper delivers later."""
        from alerts.tasks import process_deliveries, sweep_deliveries

        with (
            mock.patch.object(process_deliveries, "apply_async", side_effect=ConnectionError("redis down")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        assert alert.state == "approved"
        assert Delivery.objects.get().state == DeliveryState.PENDING
        assert "could not wake the alert workers" in caplog.text
        sweep_deliveries()
        assert Delivery.objects.get().state == DeliveryState.SENT


class ChunkTests:
    """A broadcast goes out in chunks: per chunk one claim, one fetch and one mark, never a query per row."""

    def endpoints(self, audience, receiver, count):
        return [EndpointFactory(audience=audience, url=receiver.url(f"/hook/{i}")) for i in range(count)]

    def test_a_chunk_is_marked_sent_in_one_update_with_each_rows_own_sending_time(
        self, commander, audience, receiver, loopback, django_assert_max_num_queries
    ):
        self.endpoints(audience, receiver, 30)
        alert = approved(by=commander, station=audience.station, audiences=[audience])
        with django_assert_max_num_queries(8):  # a query per row would be 30 more
            assert delivery.process_due(limit=30) == 30
        rows = list(alert.deliveries.order_by("pk"))
        assert {r.state for r in rows} == {DeliveryState.SENT}
        assert all(r.attempts == 1 and r.claim_token == "" for r in rows)
        times = [r.sent_at for r in rows]
        assert times == sorted(times) and len(set(times)) == 30  # when each one went, in sending order
        assert receiver.delivered() == Counter(r.idempotency_key for r in rows)

    def test_rows_sent_before_a_worker_stops_are_marked_and_the_rest_wait_for_the_sweeper(
        self, settings, commander, audience, receiver, loopback
    ):
        self.endpoints(audience, receiver, 5)
        alert = approved(by=commander, station=audience.station, audiences=[audience])
        sent = []
        real_transmit = delivery.transmit

        def transmit(message, **kwargs):
            if len(sent) == 3:
                raise KeyboardInterrupt  # the worker is stopped between two sends
            real_transmit(message, **kwargs)
            sent.append(message.key)

        with mock.patch.object(delivery, "transmit", transmit), pytest.raises(KeyboardInterrupt):
            delivery.process_due()
        states = dict(alert.deliveries.values_list("idempotency_key", "state"))
        assert sorted(k for k, state in states.items() if state == DeliveryState.SENT) == sorted(sent)
        assert Counter(states.values()) == {DeliveryState.SENT: 3, DeliveryState.SENDING: 2}
        later = timezone.now() + timedelta(seconds=settings.ALERT_SENDING_STUCK_SECONDS + 1)
        assert delivery.reclaim_stuck(now=later) == 2
        run_due(now=later)
        assert set(alert.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}
        assert receiver.delivered() == Counter(states.keys())  # each key exactly once

    def test_a_chunk_held_too_long_gives_its_unsent_rows_back_and_none_goes_twice(
        self, settings, commander, audience, receiver, loopback
    ):
        settings.ALERT_SENDING_STUCK_SECONDS = 0  # every chunk is "about to be reclaimed" after its first row
        self.endpoints(audience, receiver, 4)
        alert = approved(by=commander, station=audience.station, audiences=[audience])
        assert delivery.process_due() == 4
        rows = alert.deliveries.all()
        assert Counter(rows.values_list("state", flat=True)) == {DeliveryState.SENT: 1, DeliveryState.PENDING: 3}
        assert not rows.filter(state=DeliveryState.PENDING).exclude(claim_token="").exists()
        run_due()
        assert set(rows.values_list("state", flat=True)) == {DeliveryState.SENT}
        assert receiver.delivered() == Counter(rows.values_list("idempotency_key", flat=True))

    def test_a_host_is_resolved_once_per_chunk_not_once_per_request(self, commander, audience, receiver, loopback):
        self.endpoints(audience, receiver, 10)
        approved(by=commander, station=audience.station, audiences=[audience])
        with mock.patch("alerts.delivery._resolve", wraps=delivery._resolve) as resolve:
            run_due()
        assert resolve.call_count == 1
        assert len(receiver.delivered()) == 10

    def test_each_alert_of_a_chunk_is_fetched_and_worded_once_and_every_message_is_in_its_own_language(
        self, commander, audience, receiver, loopback
    ):
        self.endpoints(audience, receiver, 3)
        zh = approved(by=commander, station=audience.station, audiences=[audience])
        en = approved(by=commander, station=audience.station, audiences=[audience], language="en", headline="Fight")
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch("alerts.channels._alert_lines", wraps=channels._alert_lines) as worded,
        ):
            assert delivery.process_due(limit=6) == 6
        assert worded.call_count == 2  # once per alert, not once per recipient
        assert sum('FROM "alerts_alert"' in q["sql"] for q in queries.captured_queries) == 1
        bodies = {r["key"]: r["body"] for r in receiver.requests}
        assert len(bodies) == 6
        for alert, acknowledge in ((zh, "确认收到："), (en, "Acknowledge: ")):
            for row in alert.deliveries.all():
                body = bodies[row.idempotency_key]
                assert alert.headline in body["text"].splitlines()[0]
                assert body["text"].endswith(acknowledge + body["alerts"][0]["ack_url"])
                assert body["alerts"][0]["identifier"] == alert.identifier
                assert body["alerts"][0]["idempotency_key"] == row.idempotency_key


class RateLimitTests:
    def test_a_robot_gets_at_most_the_limit_then_the_waiting_rows_go_out_as_one_digest(
        self, settings, commander, audience, receiver, loopback
    ):
        settings.ALERT_WEBHOOK_RATE_LIMIT = 20
        robot = EndpointFactory(
            audience=audience, kind=EndpointKind.WECOM, url=receiver.url("/cgi-bin/webhook/send?key=abc")
        )
        for i in range(25):
            approved(by=commander, station=audience.station, audiences=[audience], headline=f"预警{i}")
        now = timezone.now()
        run_due(now=now)
        assert len(receiver.requests) == 20
        waiting = Delivery.objects.filter(state=DeliveryState.PENDING)
        assert waiting.count() == 5 and all(d.rate_limited for d in waiting)
        assert min(d.next_attempt_at for d in waiting) > now
        run_due(now=now + timedelta(seconds=61))
        assert len(receiver.requests) == 21
        digest = receiver.requests[-1]
        assert digest["body"]["msgtype"] == "text"
        assert "预警20" in digest["body"]["text"]["content"] and "预警24" in digest["body"]["text"]["content"]
        assert digest["key"].startswith("digest-")
        assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 25
        assert set(Delivery.objects.filter(rate_limited=False, digest_key=digest["key"]).values_list("pk", flat=True))
        assert robot.deliveries.count() == 25

    def test_the_window_slides(self, settings):
        settings.ALERT_WEBHOOK_RATE_LIMIT = 2
        start = timezone.now()
        assert delivery.rate_acquire("k", now=start) == 0
        assert delivery.rate_acquire("k", now=start + timedelta(seconds=30)) == 0
        assert delivery.rate_acquire("k", now=start + timedelta(seconds=31)) > 0
        assert delivery.rate_acquire("k", now=start + timedelta(seconds=61)) == 0

    def test_plain_json_webhooks_are_not_rate_limited(self, settings, commander, json_endpoint, receiver):
        settings.ALERT_WEBHOOK_RATE_LIMIT = 1
        for i in range(3):
            approved(
                by=commander,
                station=json_endpoint.audience.station,
                audiences=[json_endpoint.audience],
                headline=f"h{i}",
            )
        run_due()
        assert len(receiver.requests) == 3


class SSRFGuardTests:
    def test_a_host_off_the_allow_list_is_refused(self):
        with pytest.raises(ValidationError, match="allow-list"):
            delivery.check_webhook_host("https://evil.example/hook")

    def test_the_robot_hosts_are_allowed_by_default(self, settings):
        assert "qyapi.weixin.qq.com" in settings.ALERT_WEBHOOK_ALLOWED_HOSTS
        assert (
            delivery.check_webhook_host("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", resolve=False) == []
        )

    @pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.8", "192.168.1.1", "169.254.169.254", "::1", "0.0.0.0"])
    def test_private_loopback_and_link_local_addresses_are_refused(self, settings, address):
        settings.ALERT_WEBHOOK_ALLOWED_HOSTS = ["robot.example"]
        settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = False
        with (
            mock.patch("socket.getaddrinfo", return_value=[(0, 0, 0, "", (address, 443))]),
            pytest.raises(ValidationError, match="private or local"),
        ):
            delivery.check_webhook_host("https://robot.example/hook")

    def test_an_allowed_host_resolving_to_a_public_address_passes(self, settings):
        settings.ALERT_WEBHOOK_ALLOWED_HOSTS = ["robot.example"]
        with mock.patch("socket.getaddrinfo", return_value=[(0, 0, 0, "", ("203.0.114.7", 443))]):
            assert delivery.check_webhook_host("https://robot.example/hook") == ["203.0.114.7"]

    def test_urls_with_credentials_or_other_schemes_are_refused(self, settings):
        settings.ALERT_WEBHOOK_ALLOWED_HOSTS = ["robot.example"]
        for url in ("ftp://robot.example/x", "https://user:pw@robot.example/x", "file:///etc/passwd"):
            with pytest.raises(ValidationError):
                delivery.check_webhook_host(url)

    def test_a_send_to_a_refused_address_is_dead_without_any_request(self, settings, commander, audience, receiver):
        settings.ALERT_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = True
        EndpointFactory(audience=audience, url=receiver.url("/hook/x"))
        approved(by=commander, station=audience.station, audiences=[audience])
        settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = False  # the guard is applied again at sending time
        run_due()
        row = Delivery.objects.get()
        assert row.state == DeliveryState.DEAD and "private or local" in row.last_error
        assert receiver.requests == []

    def test_the_request_goes_to_the_checked_address_with_the_original_host_header(
        self, commander, json_endpoint, receiver
    ):
        approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        run_due()
        assert receiver.requests[0]["host"] == f"127.0.0.1:{receiver.port}"

    def test_a_model_refuses_an_endpoint_off_the_allow_list(self, audience):
        endpoint = EndpointFactory.build(audience=audience, url="https://evil.example/x")
        with pytest.raises(ValidationError) as error:
            endpoint.full_clean()
        assert "url" in error.value.message_dict


class ChannelTests:
    def test_dingtalk_urls_are_signed_with_hmac_sha256_of_timestamp_and_secret(
        self, settings, commander, audience, receiver, loopback
    ):
        secret = "SEC0123456789abcdef"
        EndpointFactory(
            audience=audience,
            kind=EndpointKind.DINGTALK,
            url=receiver.url("/robot/send?access_token=t0k"),
            secret=secret,
        )
        approved(by=commander, station=audience.station, audiences=[audience])
        run_due()
        request = receiver.requests[0]
        query = parse_qs(urlsplit(request["full_path"]).query)
        timestamp = query["timestamp"][0]
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        assert query["sign"][0] == expected
        assert query["access_token"] == ["t0k"]
        assert request["body"]["msgtype"] == "markdown"
        assert unquote_plus(dingtalk_sign(secret, int(timestamp))) == expected

    def test_a_robot_errcode_is_a_failure(self, audience):
        from alerts.channels import SendError, check_robot_answer

        robot = EndpointFactory.build(audience=audience, kind=EndpointKind.WECOM, url="https://qyapi.weixin.qq.com/x")
        answer = mock.Mock(json=lambda: {"errcode": 45009, "errmsg": "api freq out of limit"})
        with pytest.raises(SendError, match="45009"):
            check_robot_answer(robot, answer)
        check_robot_answer(robot, mock.Mock(json=lambda: {"errcode": 0}))

    def test_email_carries_the_key_as_message_id(self, commander, audience):
        EndpointFactory(audience=audience, kind=EndpointKind.EMAIL, url="", address="plaza-shops@example.com")
        approved(by=commander, station=audience.station, audiences=[audience])
        run_due()
        row = Delivery.objects.get()
        assert row.state == DeliveryState.SENT
        message = mail.outbox[-1]
        assert message.to == ["plaza-shops@example.com"]
        assert row.idempotency_key in message.extra_headers["Message-ID"]
        assert "/alerts/ack/" in message.body

    def test_sms_goes_through_the_provider_with_the_key(self, commander, audience):
        ConsoleSmsProvider.outbox.clear()
        EndpointFactory(audience=audience, kind=EndpointKind.SMS, url="", address="13812345678")
        approved(by=commander, station=audience.station, audiences=[audience])
        run_due()
        row = Delivery.objects.get()
        assert row.state == DeliveryState.SENT
        assert ConsoleSmsProvider.outbox[-1]["idempotency_key"] == row.idempotency_key
        assert ConsoleSmsProvider.outbox[-1]["to"] == "13812345678"

    def test_inactive_endpoints_get_no_delivery(self, commander, audience, loopback):
        EndpointFactory(audience=audience, is_active=False)
        other = AudienceFactory(station=audience.station)
        EndpointFactory(audience=other)
        alert = draft(by=commander, station=audience.station, audiences=[audience, other])
        services.alert_approve(alert=alert, by=commander)
        assert alert.deliveries.count() == 1
