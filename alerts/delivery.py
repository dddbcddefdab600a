"""The delivery engine: claim due outbox rows, send them, mark them — losing nothing, sending nothing twice.

- **Claim**: a worker takes a batch of due rows (`pending`, or `failed` whose retry time has come)
  with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite serialises writers itself), marks
  them `sending` with its claim token and commits, so two workers never hold the same row. A claim
  takes a share of what is due, at most `ALERT_BATCH_SIZE` rows (`claim_size`): the last claims of a
  broadcast are small, so its workers finish together.
- **Send**: one HTTP client (httpx) per process; every send carries the row's idempotency key.
- **Mark**: `sent`, or `failed` with an exponential back-off with jitter, or `dead` after the last
  attempt (or at once for what a retry can't fix). Marks are conditional on still holding the claim.
  Sent rows of a chunk are marked together, in one UPDATE every 100 rows or second (`Chunk`); a
  chunk held for half of `ALERT_SENDING_STUCK_SECONDS` gives its unsent rows back before the sweeper
  would take them, so a slow receiver can't make two workers send the same row.
- **Rate limit**: at most `ALERT_WEBHOOK_RATE_LIMIT` messages per robot key per minute (a sliding
  window of one-second buckets in the cache, Redis in production). A row over the limit goes back to
  `pending`, marked `rate_limited`; when the robot has room again, the rows waiting for it go out as
  one digest message.
- **SSRF guard**: a webhook's host must be on `ALERT_WEBHOOK_ALLOWED_HOSTS`, and every address it
  resolves to must be public unless `ALERT_ALLOW_PRIVATE_WEBHOOKS`; the request then goes to the
  checked address (TLS still verified against the host name), so DNS can't be switched in between.
- A worker that dies leaves rows `sending`; `sweep` (beat) reclaims those older than
  `ALERT_SENDING_STUCK_SECONDS` and wakes workers for everything due.

Exactly-once over a network is only possible with the receiver's help: a worker killed after the
receiver got a message but before the row was marked re-sends it after the sweep, with the same
idempotency key, which the receiver uses to drop the repeat.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import random
import socket
import time
import uuid
from datetime import datetime, timedelta
from fnmatch import fnmatch
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import CLAIMABLE_STATES, ROBOT_KINDS, WEBHOOK_KINDS, AlertState, DeliveryState, EndpointKind
from .models import Alert, Delivery, Endpoint

logger = logging.getLogger(__name__)

# --- SSRF guard ------------------------------------------------------------------------------------


def _host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(fnmatch(host, pattern.lower()) for pattern in settings.ALERT_WEBHOOK_ALLOWED_HOSTS)


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    """The addresses of a host, each once, in the resolver's order; raises OSError."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_webhook_host(url: str, *, resolve: bool = True, memo: dict | None = None) -> list[str]:
    """Refuse a webhook URL whose host isn't allowed or resolves to a private address; return its addresses.

    Raises ValidationError with a message for the form (or the delivery's last error). `memo` keeps the
    addresses that passed, per (host, port), for the caller's batch: a broadcast to thousands of URLs on
    one host resolves it once per batch, not once per request (the allow-list is checked every time).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("A webhook URL must be http(s)://host/…"), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("A webhook URL can't carry a user name or password."), code="userinfo")
    host = parts.hostname
    if not _host_allowed(host):
        raise ValidationError(
            _("The host %(host)s is not on the webhook allow-list."), code="host", params={"host": host}
        )
    if not resolve:
        return []
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if memo is not None and (host, port) in memo:
        return memo[(host, port)]
    try:
        addresses = _resolve(host, port)
    except OSError as error:
        raise ValidationError(
            _("The host %(host)s can't be resolved: %(error)s"),
            code="resolve",
            params={"host": host, "error": error},
        ) from None
    if not settings.ALERT_ALLOW_PRIVATE_WEBHOOKS:
        refused = [a for a in addresses if _address_refused(a)]
        if refused:
            raise ValidationError(
                _("The host %(host)s resolves to a private or local address (%(address)s)."),
                code="private",
                params={"host": host, "address": refused[0]},
            )
    if memo is not None:
        memo[(host, port)] = addresses
    return addresses


def _pinned(url: str, address: str) -> tuple[str, dict, dict]:
    """The URL pointed at the checked address, with the Host header and TLS name of the original host."""
    parts = urlsplit(url)
    netloc = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    host_header = parts.hostname + (f":{parts.port}" if parts.port else "")
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), {"Host": host_header}, extensions


# --- the HTTP client -------------------------------------------------------------------------------

_client: httpx.Client | None = None


def http_client() -> httpx.Client:
    """One client per process: connection pooling across sends; redirects are never followed."""
    global _client
    if _client is None:
        _client = httpx.Client(
            timeout=settings.ALERT_SEND_TIMEOUT_SECONDS,
            follow_redirects=False,
            headers={"User-Agent": "patrol-portal-alerts/1"},
        )
    return _client


def post_webhook(message, *, dns_memo: dict | None = None) -> None:
    from .channels import SendError, check_robot_answer, webhook_request

    url, body = webhook_request(message)
    try:
        addresses = check_webhook_host(url, memo=dns_memo)
    except ValidationError as error:
        raise SendError(" ".join(error.messages), permanent=True) from None
    target, headers, extensions = _pinned(url, addresses[0])
    headers["Idempotency-Key"] = message.key
    try:
        response = http_client().post(target, json=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as error:
        raise SendError(f"{type(error).__name__}: {error}") from None
    if response.status_code in (408, 425, 429) or response.status_code >= 500:
        raise SendError(f"HTTP {response.status_code}")
    if response.status_code >= 300:
        raise SendError(f"HTTP {response.status_code}: {response.text[:200]}", permanent=True)
    check_robot_answer(message.endpoint, response)


def transmit(message, *, dns_memo: dict | None = None) -> None:
    """Send one message on its endpoint's channel; raises channels.SendError. `dns_memo`: see check_webhook_host."""
    from .channels import SendError, send_email, send_sms

    kind = message.endpoint.kind
    if kind in WEBHOOK_KINDS:
        post_webhook(message, dns_memo=dns_memo)
    elif kind == EndpointKind.EMAIL:
        try:
            send_email(message)
        except (OSError, ValueError) as error:
            raise SendError(f"e-mail: {error}") from None
    elif kind == EndpointKind.SMS:
        send_sms(message)
    else:  # pragma: no cover - the model's constraint forbids it
        raise SendError(f"unknown channel {kind}", permanent=True)


# --- rate limit --------------------------------------------------------------------------------------


def _bucket_keys(rate_key: str, second: int, window: int) -> list[str]:
    return [f"alerts:rate:{rate_key}:{s}" for s in range(second - window + 1, second + 1)]


def rate_acquire(rate_key: str, *, now: datetime) -> float:
    """Take a slot of the robot's minute; 0.0 when taken, else the seconds to wait for one.

    Sliding window of one-second counters: increment this second's counter (atomic in Redis), then
    add up the window; over the limit, give the slot back. Concurrent workers can only err towards
    refusing, never towards sending too many.
    """
    window = settings.ALERT_WEBHOOK_RATE_WINDOW_SECONDS
    limit = settings.ALERT_WEBHOOK_RATE_LIMIT
    second = int(now.timestamp())
    keys = _bucket_keys(rate_key, second, window)
    current = keys[-1]
    cache.add(current, 0, timeout=window + 5)
    try:
        cache.incr(current)
    except ValueError:  # expired in between
        cache.set(current, 1, timeout=window + 5)
    counts = cache.get_many(keys)
    if sum(counts.values()) <= limit:
        return 0.0
    with contextlib.suppress(ValueError):
        cache.decr(current)
    # room comes back when the oldest used second leaves the window
    oldest = next((i for i, key in enumerate(keys) if counts.get(key)), 0)
    return float(oldest + 1)


# --- claim, send, mark -------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """Exponential back-off with "equal jitter": half the delay fixed, half random."""
    delay = min(settings.ALERT_RETRY_MAX_SECONDS, settings.ALERT_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


def _lockable(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset  # SQLite: BEGIN IMMEDIATE already serialises writers


def _due(now: datetime, alert_id: int | None):
    """The rows due now (of one alert, if given), unordered."""
    queryset = Delivery.objects.due(now).order_by()
    return queryset if alert_id is None else queryset.filter(alert_id=alert_id)


def claim(*, limit: int, now: datetime, alert_id: int | None = None) -> tuple[str, list[int]]:
    """Claim up to `limit` due rows for this worker: they become `sending` under a new claim token."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        queryset = _due(now, alert_id)
        if alert_id is None:
            queryset = queryset.order_by("next_attempt_at", "pk")  # the longest-waiting rows of all alerts first
        # (one alert's rows are all equally due: any `limit` of them, without sorting all of them first)
        ids = list(_lockable(queryset).values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                state=DeliveryState.SENDING, claimed_at=now, claim_token=token, updated_at=now
            )
    return token, ids


def _claim_digest_partners(delivery: Delivery, token: str, now: datetime) -> list[Delivery]:
    """Other rows waiting for the same robot because of the rate limit: they go out in one digest."""
    with transaction.atomic():
        waiting = (
            Delivery.objects.filter(endpoint_id=delivery.endpoint_id, rate_limited=True)
            .filter(Q(state__in=CLAIMABLE_STATES) | Q(state=DeliveryState.SENDING, claim_token=token))
            .exclude(pk=delivery.pk)
            .order_by("pk")
        )
        ids = list(_lockable(waiting).values_list("pk", flat=True)[:50])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                state=DeliveryState.SENDING, claimed_at=now, claim_token=token, updated_at=now
            )
    return list(Delivery.objects.filter(pk__in=ids).select_related("alert", "endpoint").order_by("pk"))


def _held(ids: list[int], token: str):
    return Delivery.objects.filter(pk__in=ids, claim_token=token, state=DeliveryState.SENDING)


def _each(values: dict[int, datetime]) -> RawSQL:
    """`CASE id WHEN … THEN … END`: a value per row in one UPDATE (Case/When costs the ORM ~1 ms a row to build)."""
    column = connection.ops.quote_name(Delivery._meta.pk.column)
    params: list = []
    for pk, value in values.items():
        params += [pk, connection.ops.adapt_datetimefield_value(value)]
    cases = " ".join(["WHEN %s THEN %s"] * len(values))
    return RawSQL(f"CASE {column} {cases} END", params, output_field=DateTimeField())


def _mark_sent(sent_at: dict[int, datetime], token: str, digest: str = "") -> int:
    """Mark rows sent, each with its own sending time, in one UPDATE (if this worker still holds them)."""
    if not sent_at:
        return 0
    return _held(list(sent_at), token).update(
        state=DeliveryState.SENT,
        sent_at=_each(sent_at),
        last_error="",
        claim_token="",
        rate_limited=False,
        digest_key=digest,
        next_attempt_at=None,
        attempts=F("attempts") + 1,
        updated_at=max(sent_at.values()),
    )


def _mark_failed(ids: list[int], token: str, now: datetime, error: str, *, permanent: bool) -> None:
    error = error[:500]
    held = _held(ids, token)
    if permanent:
        held.update(
            state=DeliveryState.DEAD,
            attempts=F("attempts") + 1,
            last_error=error,
            claim_token="",
            next_attempt_at=None,
            updated_at=now,
        )
        return
    for delivery in held.only("pk", "attempts"):
        attempts = delivery.attempts + 1
        if attempts >= settings.ALERT_MAX_ATTEMPTS:
            changes = {"state": DeliveryState.DEAD, "next_attempt_at": None}
        else:
            changes = {
                "state": DeliveryState.FAILED,
                "next_attempt_at": now + timedelta(seconds=backoff_seconds(attempts)),
            }
        _held([delivery.pk], token).update(
            attempts=attempts, last_error=error, claim_token="", claimed_at=now, updated_at=now, **changes
        )


def _defer(delivery: Delivery, token: str, now: datetime, wait: float) -> None:
    _held([delivery.pk], token).update(
        state=DeliveryState.PENDING,
        rate_limited=True,
        claim_token="",
        claimed_at=None,
        next_attempt_at=now + timedelta(seconds=wait),
        last_error=_("Held back by the sending limit of the robot."),
        updated_at=now,
    )


class Chunk:
    """One claimed batch of a worker: its claim token and time, and the rows sent but not yet marked.

    Sent rows are marked together (one UPDATE, each row with its own `sent_at`) every
    `MARK_EVERY_ROWS` rows or `MARK_EVERY_SECONDS`, whichever comes first, and when the chunk ends
    (also when it ends with an error). Until marked, a row stays `sending` under the claim: a worker
    killed in between leaves it to the sweeper, which re-sends it with the same idempotency key: the
    same outcome as a kill between a send and its mark, over a few rows instead of one.
    """

    MARK_EVERY_ROWS = 100
    MARK_EVERY_SECONDS = 1.0

    def __init__(self, token: str, now: datetime):
        self.token = token
        self.now = now
        self.started = time.monotonic()
        self.sent_at: dict[int, datetime] = {}
        self.dns_memo: dict = {}  # see check_webhook_host
        self.parts_memo: dict = {}  # see channels.alert_parts
        self._unmarked_since = 0.0

    def sent(self, ids: list[int], at: datetime) -> None:
        if not self.sent_at:
            self._unmarked_since = time.monotonic()
        self.sent_at.update(dict.fromkeys(ids, at))
        if (
            len(self.sent_at) >= self.MARK_EVERY_ROWS
            or time.monotonic() - self._unmarked_since >= self.MARK_EVERY_SECONDS
        ):
            self.mark()

    def mark(self) -> int:
        marked = _mark_sent(self.sent_at, self.token)
        self.sent_at = {}
        return marked

    def expiring(self) -> bool:
        """Held for half the time after which the sweeper takes rows back: the rest goes back to the queue."""
        return time.monotonic() - self.started > settings.ALERT_SENDING_STUCK_SECONDS / 2


def _release(ids: list[int], token: str, now: datetime) -> None:
    """Give claimed, unsent rows back (due at once) for another turn, before the sweeper would reclaim them."""
    _held(ids, token).update(state=DeliveryState.PENDING, claim_token="", claimed_at=None, next_attempt_at=now)


def send_claimed(delivery: Delivery, chunk: Chunk) -> list[int]:
    """Send one claimed row (with its digest partners); return the ids it settled."""
    from .channels import SendError, build_message

    token, now = chunk.token, chunk.now
    if delivery.alert.state == AlertState.DRAFT:  # pragma: no cover - approval writes the rows
        _mark_failed([delivery.pk], token, now, "the alert is not approved", permanent=True)
        return [delivery.pk]
    endpoint: Endpoint = delivery.endpoint
    batch = [delivery]
    if endpoint.kind in ROBOT_KINDS:
        wait = rate_acquire(endpoint.rate_key, now=now)
        if wait:
            _defer(delivery, token, now, wait)
            return [delivery.pk]
        batch += _claim_digest_partners(delivery, token, now) if delivery.rate_limited else []
    ids = [d.pk for d in batch]
    message = build_message(endpoint, batch, memo=chunk.parts_memo)
    try:
        transmit(message, dns_memo=chunk.dns_memo)
    except SendError as error:
        logger.warning("delivery %s to endpoint %s failed: %s", ids, endpoint.pk, error)
        _mark_failed(ids, token, max(now, timezone.now()), str(error), permanent=error.permanent)
        return ids
    except Exception as error:  # a bug or an unexpected library error: retried, and logged in full
        logger.exception("delivery %s to endpoint %s failed unexpectedly", ids, endpoint.pk)
        _mark_failed(ids, token, max(now, timezone.now()), f"{type(error).__name__}: {error}", permanent=False)
        return ids
    sent_at = max(now, timezone.now())
    if message.is_digest:  # a digest's rows carry its key: marked at once, on their own
        _mark_sent(dict.fromkeys(ids, sent_at), token, digest=message.key)
    else:
        chunk.sent(ids, sent_at)
    return ids


def _claimed_rows(ids: list[int]) -> list[Delivery]:
    """The claimed rows with their endpoints; each alert fetched once (a broadcast's chunk is one alert's rows)."""
    rows = list(Delivery.objects.filter(pk__in=ids).select_related("endpoint").order_by("pk"))
    alerts = Alert.objects.in_bulk({row.alert_id for row in rows})
    for row in rows:
        row.alert = alerts[row.alert_id]
    return rows


# A claim takes 1/CLAIM_SHARES of the due rows (capped at a batch): the last two claims of a broadcast are
# about the same size, so two workers finish about together. Finer shares would balance more workers, but each
# claim costs a few round trips (count, claim, fetch, mark), which weigh as much as the idle time they save.
CLAIM_SHARES = 2
CLAIM_MIN_ROWS = 25  # below this, a claim's own queries would cost more than the idle time it saves


def claim_size(*, now: datetime, alert_id: int | None = None) -> int:
    """How many rows to claim next: a share of the due rows, at most `ALERT_BATCH_SIZE`.

    Claims shrink as the queue drains (guided self-scheduling), so the workers of a broadcast finish
    together instead of one sending the last full batch while the others sit idle. The count stops at
    `CLAIM_SHARES` batches: a long queue is counted no further than that.
    """
    batch = settings.ALERT_BATCH_SIZE
    count = _due(now, alert_id)[: batch * CLAIM_SHARES].count()
    return max(min(batch, math.ceil(count / CLAIM_SHARES)), min(batch, CLAIM_MIN_ROWS))


def process_due(*, now: datetime | None = None, alert_id: int | None = None, limit: int | None = None) -> int:
    """Claim due rows (`limit`, or see claim_size) and send them; the number of rows claimed (0: nothing was due)."""
    now = now or timezone.now()
    token, ids = claim(limit=limit or claim_size(now=now, alert_id=alert_id), now=now, alert_id=alert_id)
    if not ids:
        return 0
    chunk = Chunk(token, now)
    settled: set[int] = set()
    try:
        for delivery in _claimed_rows(ids):
            if delivery.pk in settled:
                continue
            if settled and chunk.expiring():  # at least one row per claim: a chunk always makes progress
                _release([pk for pk in ids if pk not in settled], token, max(now, timezone.now()))
                break
            settled.update(send_claimed(delivery, chunk))
    finally:
        chunk.mark()
    return len(ids)


def reclaim_stuck(*, now: datetime | None = None) -> int:
    """Rows left `sending` by a worker that died: back to `failed` (due now), or `dead` after the last attempt."""
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.ALERT_SENDING_STUCK_SECONDS)
    note = "reclaimed: its worker stopped while sending"
    with transaction.atomic():
        stuck = Delivery.objects.stuck(before)
        dead = stuck.filter(attempts__gte=settings.ALERT_MAX_ATTEMPTS - 1).update(
            state=DeliveryState.DEAD, attempts=F("attempts") + 1, claim_token="", last_error=note, updated_at=now
        )
        retried = stuck.update(
            state=DeliveryState.FAILED,
            attempts=F("attempts") + 1,
            claim_token="",
            next_attempt_at=now,
            last_error=note,
            updated_at=now,
        )
    return dead + retried


def workers_wanted(due: int) -> int:
    """How many wake-ups a number of due rows deserves: one per batch, at most four at once."""
    return max(1, min(4, math.ceil(due / settings.ALERT_BATCH_SIZE))) if due else 0
