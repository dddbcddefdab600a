"""(f) Broadcast: one alert to 10,000 JSON-webhook endpoints (quick: 1,000) at a loopback receiver, end to end.

- **portal**: approve the alert through `services.alert_approve` (outbox rows in the approving
  transaction, workers woken on commit) and wait until every delivery row is `sent`; the time runs
  from the approval call to the last row's `sent_at`. The rows are sent by a real Celery worker
  subprocess (prefork, concurrency 2: the machine's two cores) on the bench settings and database.
- **floor**: a plain loop posting the same URLs and bodies (with an idempotency key each) through the
  same httpx client (`alerts.delivery.http_client`), in this process: no database, no broker.
- **naive**: the same approval with the engine's wake-up switched off, then one Celery task per
  recipient (`bench.tasks.send_one_delivery`), on the same worker. At full size (10,000) one such
  round takes ~11 min on two shared cores, so it runs on an audience of its own of
  `broadcast_naive_endpoints` (1,000) and its time is scaled by N / that (a task per recipient: its
  cost grows linearly); the row says so.

Each variant is warmed up once on an audience of its own of `WARM_ENDPOINTS` (imports, connections,
the worker's pool), not on the full one.

The receiver (`alerts.testing.LoopbackReceiver`, an asyncio server in a subprocess) counts requests
per idempotency key: every variant must deliver each key of its round exactly once, or the run fails.
Rounds are few (each one is thousands of requests), interleaved and shuffled like the other scenarios.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from django.db import connection
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from alerts import services
from alerts.channels import build_message, webhook_request
from alerts.choices import AlertKind, AudienceGroup, CapCategory, DeliveryState, EndpointKind
from alerts.delivery import http_client
from alerts.models import Alert, Audience, Delivery, Endpoint
from alerts.testing import LoopbackReceiver, database_url, start_worker, stop_worker
from bench.harness import Measured, ratio
from bench.scenarios.common import QueryCountError, expect, per_second
from bench.scenarios.common import row as _row
from patrols.models import Station

AUDIENCE_NAME = "bench broadcast"
WARM_ENDPOINTS = 20
WORKER_CONCURRENCY = 2  # the machine's two cores; the receiver and PostgreSQL share them
WAIT_SECONDS = 900
LOG = Path("/tmp") / f"bench-broadcast-worker-{uuid.uuid4().hex[:6]}.log"


def _clean_up(station) -> None:
    """Rows of an earlier (maybe interrupted) run: its alerts, their deliveries, the audience and endpoints."""
    audiences = Audience.objects.filter(station=station, name__startswith=AUDIENCE_NAME)
    Delivery.objects.filter(endpoint__audience__in=audiences).delete()
    Alert.objects.filter(audiences__in=audiences).delete()
    Endpoint.objects.filter(audience__in=audiences).delete()
    audiences.delete()


@contextmanager
def _worker(queue: str):
    with LOG.open("w") as log:
        process = start_worker(
            queue=queue,
            concurrency=WORKER_CONCURRENCY,
            include=("bench.tasks",),
            log=log,
            env={
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": database_url(),
                "BENCH_DATABASE": connection.settings_dict["NAME"],
                "ALERT_TASK_QUEUE": queue,
                "ALERT_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                "ALERT_ALLOW_PRIVATE_WEBHOOKS": "true",
                "LOG_LEVEL": "WARNING",
            },
        )
        try:
            yield process
        finally:
            stop_worker(process, timeout=30)


def _draft(user, station, audience) -> Alert:
    return services.alert_draft(
        by=user,
        station=station,
        audiences=[audience],
        kind=AlertKind.WARNING,
        category=CapCategory.SECURITY,
        event="醉酒滋事",
        headline="东方伟业广场出口有醉酒人员滋事",
        description="请广场周边商户注意安全。",
    )


def _wait_all_sent(alert: Alert, process) -> float:
    """Poll until every row of the alert is sent; the wall-clock time (epoch s) of the last one's marking."""
    deadline = time.monotonic() + WAIT_SECONDS
    rows = Delivery.objects.filter(alert=alert)
    while rows.exclude(state=DeliveryState.SENT).exists():
        if process.poll() is not None:
            raise QueryCountError(f"broadcast: the Celery worker exited ({process.returncode}); see {LOG}")
        if rows.filter(state__in=[DeliveryState.DEAD, DeliveryState.FAILED]).exists():
            errors = Counter(rows.exclude(last_error="").values_list("last_error", flat=True))
            raise QueryCountError(f"broadcast: deliveries failed: {errors.most_common(3)}")
        if time.monotonic() > deadline:
            states = Counter(rows.values_list("state", flat=True))
            raise QueryCountError(f"broadcast: not all sent after {WAIT_SECONDS} s: {dict(states)}")
        time.sleep(0.05)
    return rows.aggregate(last=Max("sent_at"))["last"].timestamp()


def _check_exactly_once(receiver: LoopbackReceiver, keys: list[str], variant: str) -> None:
    counts = receiver.counts()
    receiver.reset()
    expected = Counter(keys)
    if counts != expected:
        missing = len(set(expected) - set(counts))
        repeated = sum(1 for n in counts.values() if n > 1)
        stray = len(set(counts) - set(expected))
        raise QueryCountError(
            f"broadcast {variant}: not exactly once at the receiver ({missing} missing, {repeated} repeated, "
            f"{stray} unexpected keys)"
        )


@dataclass
class _Target:
    """An audience of loopback endpoints and the floor's requests to them (the portal's own bodies)."""

    audience: Audience
    requests: list[tuple[str, dict]]


def broadcast(ctx) -> list[dict]:
    from bench.tasks import send_one_delivery

    n, rounds = ctx["broadcast_endpoints"], ctx["broadcast_rounds"]
    naive_n = min(n, ctx.get("broadcast_naive_endpoints") or n)
    user = ctx["user"]
    station = Station.objects.order_by("pk").first()
    _clean_up(station)
    receiver = LoopbackReceiver()
    queue = f"bench-broadcast-{uuid.uuid4().hex[:8]}"

    def target(suffix: str, count: int) -> _Target:
        audience = Audience.objects.create(station=station, name=f"{AUDIENCE_NAME}{suffix}", group=AudienceGroup.OTHER)
        Endpoint.objects.bulk_create(
            [
                Endpoint(
                    audience=audience,
                    kind=EndpointKind.JSON,
                    name=f"bench {i}",
                    url=receiver.url(f"/hook{suffix}/{i}"),
                )
                for i in range(count)
            ],
            batch_size=1000,
        )
        # the floor's requests: the portal's own bodies for these endpoints, built once, outside the timing
        template = _draft(user, station, audience)
        endpoints = Endpoint.objects.filter(audience=audience).order_by("pk")
        now = timezone.now()
        requests = [
            webhook_request(build_message(e, [Delivery(alert=template, endpoint=e, created_at=now)]))
            for e in endpoints
        ]
        template.delete()
        return _Target(audience, requests)

    main = target("", n)
    naive_target = main if naive_n == n else target(" naive", naive_n)
    warm = target(" warm-up", WARM_ENDPOINTS)
    client = http_client()

    def portal(process, on: _Target) -> tuple[float, list[str]]:
        alert = _draft(user, station, on.audience)
        started = time.time()
        services.alert_approve(alert=alert, by=user)
        elapsed = _wait_all_sent(alert, process) - started
        return elapsed, list(alert.deliveries.values_list("idempotency_key", flat=True))

    def naive(process, on: _Target) -> tuple[float, list[str]]:
        alert = _draft(user, station, on.audience)
        started = time.time()
        with mock.patch("alerts.tasks.wake_workers"):
            services.alert_approve(alert=alert, by=user)
        for pk in alert.deliveries.values_list("pk", flat=True):
            send_one_delivery.apply_async((pk,), queue=queue)
        elapsed = _wait_all_sent(alert, process) - started
        return elapsed, list(alert.deliveries.values_list("idempotency_key", flat=True))

    def floor(process, on: _Target) -> tuple[float, list[str]]:
        keys = [uuid.uuid4().hex for _ in on.requests]
        started = time.perf_counter()
        for (url, body), key in zip(on.requests, keys, strict=True):
            response = client.post(url, json={**body, "idempotency_key": key}, headers={"Idempotency-Key": key})
            response.raise_for_status()
        return time.perf_counter() - started, keys

    variants = {
        "portal": (portal, main, 1.0),
        "floor": (floor, main, 1.0),
        "naive": (naive, naive_target, n / naive_n),
    }
    results = {name: Measured(name) for name in variants}
    # httpx logs every request at INFO: the worker runs at WARNING (LOG_LEVEL), and so does the floor here
    httpx_logger = logging.getLogger("httpx")
    httpx_level = httpx_logger.level
    httpx_logger.setLevel(logging.WARNING)
    try:
        with override_settings(ALERT_TASK_QUEUE=queue), _worker(queue) as process:
            for name, (fn, _on, _scale) in variants.items():  # warm-up: imports, connections, the worker's pool
                _seconds, keys = fn(process, warm)
                _check_exactly_once(receiver, keys, name)
            order = list(variants)
            rng = random.Random(0)
            for _ in range(rounds):
                rng.shuffle(order)
                for name in order:
                    fn, on, scale = variants[name]
                    seconds, keys = fn(process, on)
                    _check_exactly_once(receiver, keys, name)
                    results[name].times_ms.append(seconds * scale * 1000)
                    Alert.objects.filter(
                        audiences__name__startswith=AUDIENCE_NAME, audiences__station=station
                    ).delete()
    finally:
        httpx_logger.setLevel(httpx_level)
        receiver.stop()
        _clean_up(station)
    p, f, nv = results["portal"], results["floor"], results["naive"]
    goal = ratio(p.p50, f.p50)
    expect(goal is not None, "broadcast: no floor time")
    name = (
        f"(f) broadcast to {n:,} JSON webhooks at a loopback receiver, end to end "
        f"(Celery prefork ×{WORKER_CONCURRENCY}; requests/s as rows/s)"
    )
    return [
        _row(
            name,
            "portal",
            p,
            vs_floor=goal,
            naive_over_portal=ratio(nv.p50, p.p50),
            rows_per_s=per_second(n, p),
            goals={"≤ 1.5× floor": goal <= 1.5},
        ),
        _row(name, "floor", f, rows_per_s=per_second(n, f)),
        _row(
            name,
            "naive" if naive_n == n else f"naive (measured on {naive_n:,} recipients, time ×{n / naive_n:g})",
            nv,
            rows_per_s=per_second(n, nv),
        ),
    ]
