"""Sending SMS through a provider: the interface, and the console/log provider used by default.

A real gateway is a subclass named by the `ALERT_SMS_PROVIDER` setting (a dotted path), e.g.::

    class AcmeSmsProvider(SmsProvider):
        def send(self, *, to: str, text: str, idempotency_key: str) -> str:
            response = httpx.post(
                "https://sms.example/api/send",
                json={"to": to, "text": text, "client_ref": idempotency_key},  # the gateway's de-duplication field
                headers={"Authorization": f"Bearer {settings.SMS_TOKEN}"},  # read from the environment
                timeout=10,
            )
            if response.status_code >= 500:
                raise SmsTemporaryError(f"gateway answered {response.status_code}")
            if response.status_code >= 400:
                raise SmsPermanentError(response.text[:200])
            return response.json()["message_id"]

`send` returns the provider's message id; it raises `SmsTemporaryError` for what a retry may fix
(timeouts, 5xx, throttling) and `SmsPermanentError` for what it won't (a bad number). Pass the
idempotency key to the gateway where it accepts one, so a retried send is not a second SMS.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from portal.privacy import mask_phone

logger = logging.getLogger(__name__)


class SmsTemporaryError(Exception):
    """The send failed, and a later attempt may succeed."""


class SmsPermanentError(Exception):
    """The send can't succeed as it is (bad number, refused content)."""


class SmsProvider:
    """The interface of an SMS gateway."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsProvider(SmsProvider):
    """Writes each SMS to the log instead of sending it (development, demo, tests). Keeps a list in `outbox`."""

    outbox: list[dict] = []

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        self.outbox.append({"to": to, "text": text, "idempotency_key": idempotency_key})
        logger.info("SMS to %s (key %s): %s", mask_phone(to), idempotency_key, text[:70])
        return f"console-{idempotency_key}"


def get_provider() -> SmsProvider:
    return import_string(settings.ALERT_SMS_PROVIDER)()
