"""Harnesses for exercising the delivery engine for real: Celery worker subprocesses and a fast loopback receiver.

Used by the real-worker tests (`tests/alerts/test_worker.py`) and the broadcast benchmark
(`bench/scenarios/broadcast.py`); nothing in the portal's request path imports this module.

- `start_worker` / `stop_worker` / `kill_worker`: a `celery worker` subprocess in its own process
  group, on a queue of its own, configured through its environment.
- `LoopbackReceiver`: an asyncio HTTP/1.1 server in a subprocess (`python -m alerts.testing`), with
  keep-alive, that answers every POST 200 and counts the requests per `Idempotency-Key`; its counts
  are read with `GET /_counts` and cleared with `POST /_reset`. A subprocess, so that it neither
  shares the measuring process's interpreter lock nor slows down what it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- Celery workers --------------------------------------------------------------------------------


def database_url() -> str:
    """DATABASE_URL of the database this process is connected to (the test's or the bench's), for a worker."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*, queue: str, concurrency: int, env: dict[str, str], include: tuple[str, ...] = (), log=None):
    """Start `celery -A portal worker` (prefork) on `queue`, with `env` over this process's environment."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "warning",
    ]
    if include:
        command += ["-I", ",".join(include)]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children: no chance to finish, ack or clean up."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop_worker(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """Warm shutdown (SIGTERM: finish the running tasks), then SIGKILL if it takes longer than `timeout`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_worker(process)


# --- the loopback receiver --------------------------------------------------------------------------

_OK = b'{"errcode": 0, "errmsg": "ok"}'


def _response(status: bytes, body: bytes) -> bytes:
    head = f"HTTP/1.1 {status.decode()}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _serve(port: int, ready) -> None:
    counts: Counter = Counter()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ", 2)[:2]
                headers = {}
                for line in lines[1:]:
                    name, _sep, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                if method == "GET" and target == "/_counts":
                    writer.write(_response(b"200 OK", json.dumps(counts).encode()))
                elif method == "POST" and target == "/_reset":
                    counts.clear()
                    writer.write(_response(b"200 OK", b"{}"))
                else:
                    counts[headers.get("idempotency-key", "")] += 1
                    writer.write(_response(b"200 OK", _OK))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


class LoopbackReceiver:
    """The receiver subprocess: `url(path)` to post to, `counts()` of keys received, `reset()`, `stop()`."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "alerts.testing", "receive"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"the loopback receiver did not start: {line!r}")
        self.port = int(line)
        import httpx

        self._control = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def counts(self) -> Counter:
        """How many requests arrived with each idempotency key."""
        return Counter(self._control.get("/_counts").json())

    def reset(self) -> None:
        self._control.post("/_reset").raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


def main(argv: list[str]) -> int:
    if argv[:1] != ["receive"]:
        print("usage: python -m alerts.testing receive [PORT]", file=sys.stderr)
        return 2
    port = int(argv[1]) if len(argv) > 1 else 0

    def ready(bound: int) -> None:
        print(bound, flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(port, ready))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
