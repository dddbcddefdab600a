"""What one message looks like on each channel, and how it is sent.

Every send carries the idempotency key: the `Idempotency-Key` header on webhooks (and the
`idempotency_key` field in a plain JSON body, where we define the format), the Message-ID of an
e-mail, and the gateway's de-duplication field of an SMS. Robot formats (WeCom, DingTalk) are fixed
by their vendors, so their body carries none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import EndpointKind
from .models import Alert, Delivery, Endpoint

ACK_SALT = "alerts.ack"


class SendError(Exception):
    """A send failed. `permanent` ones (a refused host, a 4xx) go dead at once; others are retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# --- acknowledgement links ------------------------------------------------------------------------


def ack_token(delivery: Delivery) -> str:
    """A signed token naming one delivery (it can't be forged or pointed at another).

    It is the same for every send of the delivery (a resend after a crash or a failure carries the very
    same message under the same idempotency key): it is stamped with the delivery's creation, not with
    the moment of sending, and so expires `ALERT_ACK_MAX_AGE_DAYS` after the alert went out.
    """
    data = {"d": delivery.pk, "k": delivery.idempotency_key[:8], "t": int(delivery.created_at.timestamp())}
    return signing.Signer(salt=ACK_SALT).sign_object(data, compress=True)


_TOKEN_PLACEHOLDER = "TOKEN"


def ack_url_frame() -> tuple[str, str]:
    """The acknowledgement URL around its token, `(before, after)`: reversed once for a batch of messages.

    `reverse()` leaves a token as it is (URL-safe base64 and ':' need no quoting), so
    `before + token + after` is exactly the URL `reverse()` gives for that token.
    """
    url = settings.ALERT_ACK_BASE_URL.rstrip("/") + reverse("alerts:ack", args=[_TOKEN_PLACEHOLDER])
    before, _placeholder, after = url.rpartition(_TOKEN_PLACEHOLDER)
    return before, after


def ack_url(delivery: Delivery, frame: tuple[str, str] | None = None) -> str:
    """The absolute acknowledgement link of a delivery; `frame`: see ack_url_frame."""
    before, after = frame or ack_url_frame()
    return before + ack_token(delivery) + after


def read_ack_token(token: str) -> tuple[int, str]:
    """(delivery id, key prefix) of a valid token; raises signing.BadSignature (or SignatureExpired)."""
    try:
        data = signing.Signer(salt=ACK_SALT).unsign_object(token)
        issued, delivery_id, prefix = int(data["t"]), int(data["d"]), str(data["k"])
    except (KeyError, TypeError, ValueError) as error:  # signed by us, but not an acknowledgement token
        raise signing.BadSignature("Not an acknowledgement token.") from error
    age = time.time() - issued
    if age > settings.ALERT_ACK_MAX_AGE_DAYS * 86400:
        raise signing.SignatureExpired(f"Signature age {age:.0f} > {settings.ALERT_ACK_MAX_AGE_DAYS} days")
    return delivery_id, prefix


# --- message text ----------------------------------------------------------------------------------


def _language(alert: Alert) -> str:
    return "en" if alert.language == "en" else "zh-hans"


@dataclass
class Message:
    """One message to one endpoint: the deliveries it carries (one, or several in a digest)."""

    endpoint: Endpoint
    deliveries: list[Delivery]
    key: str
    title: str = ""
    text: str = ""
    items: list[dict] = field(default_factory=list)

    @property
    def is_digest(self) -> bool:
        return len(self.deliveries) > 1


def _alert_lines(alert: Alert) -> list[str]:
    lines = [f"【{alert.get_kind_display()}】{alert.headline}"]
    if alert.msg_type != "Alert":
        lines.append(_("(%(type)s of an earlier alert)") % {"type": alert.get_msg_type_display()})
    for text in (alert.description, alert.instruction):
        if text:
            lines.append(text)
    if alert.area_desc:
        lines.append(_("Area: %(area)s") % {"area": alert.area_desc})
    if alert.expires:
        lines.append(
            _("Valid until %(time)s") % {"time": timezone.localtime(alert.expires).strftime("%Y-%m-%d %H:%M")}
        )
    return lines


def digest_key(deliveries: list[Delivery]) -> str:
    """The idempotency key of a digest: derived from its rows' keys, so a re-sent digest has the same one."""
    joined = ",".join(sorted(d.idempotency_key for d in deliveries))
    return "digest-" + hashlib.sha256(joined.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class AlertParts:
    """What every message of one alert shares, built once per alert (a broadcast reuses it for each recipient)."""

    lines: tuple[str, ...]  # the alert's text, in its language
    ack_line: str  # "Acknowledge: %(url)s" in the alert's language
    item: dict  # the alert's fields of a JSON item
    ack_frame: tuple[str, str]  # the acknowledgement URL around its token (ack_url_frame)


def alert_parts(alert: Alert, memo: dict | None = None) -> AlertParts:
    """The alert's shared parts; `memo` (per alert id) keeps them for the caller's batch of messages."""
    if memo is not None and alert.pk in memo:
        return memo[alert.pk]
    with translation.override(_language(alert)):
        parts = AlertParts(
            lines=tuple(_alert_lines(alert)),
            ack_line=_("Acknowledge: %(url)s"),
            item={
                "identifier": alert.identifier,
                "kind": alert.kind,
                "msg_type": alert.msg_type,
                "headline": alert.headline,
                "severity": alert.severity,
                "urgency": alert.urgency,
            },
            ack_frame=ack_url_frame(),
        )
    if memo is not None and alert.pk is not None:
        memo[alert.pk] = parts
    return parts


def build_message(endpoint: Endpoint, deliveries: list[Delivery], *, memo: dict | None = None) -> Message:
    """The message carrying `deliveries` (one, or a digest) to `endpoint`; `memo`: see alert_parts."""
    first = deliveries[0].alert
    key = deliveries[0].idempotency_key if len(deliveries) == 1 else digest_key(deliveries)
    parts = [alert_parts(d.alert, memo) for d in deliveries]
    # signed once each, for the text and the JSON items
    ack_urls = [ack_url(d, part.ack_frame) for d, part in zip(deliveries, parts, strict=True)]
    if len(deliveries) == 1:
        title = first.headline
        lines = [*parts[0].lines, parts[0].ack_line % {"url": ack_urls[0]}]
    else:
        with translation.override(_language(first)):
            title = _("%(count)d alerts") % {"count": len(deliveries)}
            lines = [_("Digest of %(count)d alerts held back by the sending limit:") % {"count": len(deliveries)}]
            for number, (part, url) in enumerate(zip(parts, ack_urls, strict=True), 1):
                lines.append("")
                lines.append(f"{number}. " + "\n".join(part.lines))
                lines.append(_("Acknowledge: %(url)s") % {"url": url})
    items = [
        {"idempotency_key": d.idempotency_key, **part.item, "ack_url": url}
        for d, part, url in zip(deliveries, parts, ack_urls, strict=True)
    ]
    return Message(endpoint=endpoint, deliveries=deliveries, key=key, title=title, text="\n".join(lines), items=items)


# --- the channels ----------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signing: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def webhook_request(message: Message) -> tuple[str, dict]:
    """(URL, JSON body) of a webhook message in its endpoint's format."""
    endpoint = message.endpoint
    if endpoint.kind == EndpointKind.WECOM:
        return endpoint.url, {"msgtype": "text", "text": {"content": message.text}}
    if endpoint.kind == EndpointKind.DINGTALK:
        body = {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": message.text.replace("\n", "\n\n")},
        }
        return dingtalk_url(endpoint.url, endpoint.secret), body
    body = {
        "idempotency_key": message.key,
        "digest": message.is_digest,
        "title": message.title,
        "text": message.text,
        "alerts": message.items,
    }
    return endpoint.url, body


def check_robot_answer(endpoint: Endpoint, response) -> None:
    """WeCom and DingTalk answer 200 with {"errcode": n}: anything but 0 is a failure."""
    if endpoint.kind not in (EndpointKind.WECOM, EndpointKind.DINGTALK):
        return
    try:
        errcode = response.json().get("errcode", 0)
    except ValueError:
        return
    if errcode not in (0, "0", None):
        raise SendError(f"robot answered errcode {errcode}: {str(response.json().get('errmsg', ''))[:200]}")


def send_email(message: Message) -> None:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "localhost"
    email = EmailMessage(
        subject=message.title,
        body=message.text,
        to=[message.endpoint.address],
        headers={"Message-ID": f"<{message.key}@{domain}>", "X-Idempotency-Key": message.key},
    )
    email.send(fail_silently=False)


def send_sms(message: Message) -> None:
    from .sms import SmsPermanentError, SmsTemporaryError, get_provider

    try:
        get_provider().send(to=message.endpoint.address, text=message.text, idempotency_key=message.key)
    except SmsPermanentError as error:
        raise SendError(str(error), permanent=True) from error
    except SmsTemporaryError as error:
        raise SendError(str(error)) from error
