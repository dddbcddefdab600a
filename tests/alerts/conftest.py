"""Fixtures of the alerts tests: a local HTTP receiver that records idempotency keys, and audiences."""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from alerts.choices import AudienceGroup
from tests.factories import AudienceFactory, EndpointFactory


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread. Each POST is recorded with its `Idempotency-Key`.

    `plan[path]` is a list of status codes answered in turn (then 200), e.g. [500, 500] for
    "fails twice, then succeeds"; `always[path]` answers one code forever. Like a real receiver
    that honours idempotency keys, it counts a key's first arrival as the delivery and a repeat
    as a replay (`replays`).
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: dict[str, list[int]] = defaultdict(list)
        self.always: dict[str, int] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                with receiver.lock:
                    code = receiver.always.get(path) or (receiver.plan[path].pop(0) if receiver.plan[path] else 200)
                    receiver.requests.append(
                        {
                            "path": path,
                            "full_path": self.path,
                            "key": self.headers.get("Idempotency-Key"),
                            "host": self.headers.get("Host"),
                            "body": json.loads(body or b"{}"),
                            "code": code,
                        }
                    )
                payload = b'{"errcode": 0, "errmsg": "ok"}' if code == 200 else b'{"error": "planned"}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ok_keys(self) -> list[str]:
        with self.lock:
            return [r["key"] for r in self.requests if r["code"] == 200]

    def delivered(self) -> Counter:
        """Keys accepted (answered 200), counted: a receiver honouring the key processes each once."""
        return Counter(self.ok_keys())

    def to(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def loopback(settings):
    """Let webhooks reach the test's own receiver on 127.0.0.1 (production refuses loopback)."""
    settings.ALERT_WEBHOOK_ALLOWED_HOSTS = [*settings.ALERT_WEBHOOK_ALLOWED_HOSTS, "127.0.0.1"]
    settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = True
    settings.ALERT_RETRY_BASE_SECONDS = 10
    return settings


@pytest.fixture
def audience(station):
    return AudienceFactory(station=station, name="东方伟业广场警社群", group=AudienceGroup.POLICE_COMMUNITY)


@pytest.fixture
def staff_audience(station):
    return AudienceFactory(station=station, name="五里亭所领导", group=AudienceGroup.STAFF)


@pytest.fixture
def json_endpoint(audience, receiver, loopback):
    return EndpointFactory(audience=audience, url=receiver.url("/hook/plaza"))


@pytest.fixture
def clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
