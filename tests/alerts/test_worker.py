"""Broadcasts through REAL Celery workers (subprocesses) on Redis and PostgreSQL, to a local receiver.

Each test starts its workers on a queue of its own, against the test database, and counts what the
receiver got. The receiver honours idempotency keys as a real one would: a key's first 200 is the
delivery; a repeat is a replay. Without a crash there must be no replay at all.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections import Counter

import pytest

from alerts.choices import DeliveryState
from alerts.models import Delivery, Endpoint
from alerts.testing import database_url, kill_worker, start_worker, stop_worker
from tests.alerts.helpers import approved
from tests.factories import AudienceFactory, StationFactory, user_with_role

pytestmark = [pytest.mark.services]


class Workers:
    """Start and stop Celery worker subprocesses (each in its own process group) for one test."""

    def __init__(self, settings, queue: str):
        self.settings = settings
        self.queue = queue
        self.processes: list[subprocess.Popen] = []

    def start(self, concurrency: int = 4) -> subprocess.Popen:
        process = start_worker(
            queue=self.queue,
            concurrency=concurrency,
            env={
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "SECRET_KEY": "worker-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                "DEBUG": "false",
                "REDIS_URL": self.settings.REDIS_URL,
                "DATABASE_URL": database_url(),
                "ALERT_TASK_QUEUE": self.queue,
                "ALERT_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                "ALERT_ALLOW_PRIVATE_WEBHOOKS": "true",
                "ALERT_SENDING_STUCK_SECONDS": "3",
                "ALERT_RETRY_BASE_SECONDS": "0.2",
                "LOG_LEVEL": "WARNING",
            },
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children: no chance to finish, ack or clean up."""
        kill_worker(process)

    def stop_all(self) -> None:
        for process in self.processes:
            stop_worker(process)


@pytest.fixture
def workers(settings, transactional_db, loopback):
    from portal.celery import app

    queue = f"test-alerts-{uuid.uuid4().hex[:8]}"
    settings.ALERT_TASK_QUEUE = queue
    settings.ALERT_SENDING_STUCK_SECONDS = 3
    app.conf.task_always_eager = False
    pool = Workers(settings, queue)
    try:
        yield pool
    finally:
        app.conf.task_always_eager = True
        pool.stop_all()


@pytest.fixture
def broadcast_setup(transactional_db):
    station = StationFactory(name="五里亭派出所", code="wuliting")
    commander = user_with_role("station_commander", username="commander", station=station)
    audience = AudienceFactory(station=station, name="警社群")
    return station, commander, audience


def make_endpoints(audience, receiver, count: int) -> None:
    Endpoint.objects.bulk_create(
        [Endpoint(audience=audience, kind="json", name=f"e{i}", url=receiver.url(f"/hook/{i}")) for i in range(count)],
        batch_size=500,
    )


def wait_until(condition, timeout: float, *, step: float = 0.25, tick=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if tick is not None:
            tick()
        time.sleep(step)
    return condition()


def all_sent(alert) -> bool:
    return not Delivery.objects.filter(alert=alert).exclude(state=DeliveryState.SENT).exists()


def test_a_broadcast_to_2000_endpoints_arrives_exactly_once_per_key(workers, receiver, broadcast_setup):
    station, commander, audience = broadcast_setup
    make_endpoints(audience, receiver, 2000)
    workers.start(concurrency=4)
    alert = approved(by=commander, station=station, audiences=[audience])
    assert wait_until(lambda: all_sent(alert), 90), Counter(Delivery.objects.values_list("state", flat=True))
    keys = set(Delivery.objects.filter(alert=alert).values_list("idempotency_key", flat=True))
    raw = Counter(r["key"] for r in receiver.requests)
    assert len(keys) == 2000
    assert set(raw) == keys
    assert max(raw.values()) == 1, "a key arrived twice"


def test_approval_with_the_broker_down_succeeds_and_the_sweeper_delivers_later(
    workers, receiver, broadcast_setup, monkeypatch, caplog
):
    from alerts import tasks

    station, commander, audience = broadcast_setup
    make_endpoints(audience, receiver, 50)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("[Errno 111] Connection refused (redis at the approval)")

    monkeypatch.setattr(tasks.process_deliveries, "apply_async", broker_down)
    alert = approved(by=commander, station=station, audiences=[audience])
    assert alert.state == "approved"
    assert Delivery.objects.filter(alert=alert, state=DeliveryState.PENDING).count() == 50
    assert "could not wake the alert workers" in caplog.text
    monkeypatch.undo()  # Redis is back
    workers.start(concurrency=2)
    started = time.monotonic()
    tasks.sweep_deliveries()  # what beat runs every ALERT_SWEEP_SECONDS
    assert wait_until(lambda: all_sent(alert), 60)
    assert time.monotonic() - started < 60
    assert Counter(r["key"] for r in receiver.requests) == Counter(
        Delivery.objects.filter(alert=alert).values_list("idempotency_key", flat=True)
    )


def test_a_worker_killed_mid_broadcast_loses_nothing_and_no_key_is_processed_twice(workers, receiver, broadcast_setup):
    station, commander, audience = broadcast_setup
    make_endpoints(audience, receiver, 400)
    first = workers.start(concurrency=2)
    alert = approved(by=commander, station=station, audiences=[audience])
    assert wait_until(lambda: len(receiver.requests) >= 60, 60, step=0.02)
    workers.kill(first)
    in_flight = Delivery.objects.filter(alert=alert, state=DeliveryState.SENDING).count()
    sent_before = Delivery.objects.filter(alert=alert, state=DeliveryState.SENT).count()
    assert sent_before < 400, "the broadcast finished before the kill: nothing was tested"

    from alerts.tasks import sweep_deliveries

    workers.start(concurrency=2)
    assert wait_until(lambda: all_sent(alert), 60, step=0.5, tick=sweep_deliveries)
    keys = set(Delivery.objects.filter(alert=alert).values_list("idempotency_key", flat=True))
    raw = Counter(r["key"] for r in receiver.requests)
    assert set(raw) == keys, "a delivery never arrived, or a resend came with a new key"
    # A send that reached the receiver just before the kill, not yet marked `sent`, can't be told apart
    # from one that never left: the row is resent. It is a *replay* the receiver recognises (the same
    # idempotency key and the very same message), never a second delivery; and only rows the killed
    # worker had claimed (`sending` at the kill) can be replayed.
    replays = sum(n - 1 for n in raw.values())
    assert replays <= in_flight, (replays, in_flight)
    bodies: dict[str, list] = {}
    for request in receiver.requests:
        bodies.setdefault(request["key"], []).append(request["body"])
    assert all(all(body == sent[0] for body in sent) for sent in bodies.values()), "a replay changed the message"
