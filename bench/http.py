"""Over HTTP: the incident list served by gunicorn on loopback and loaded by wrk.

The in-process scenarios leave out the socket, the WSGI server and the worker model; these runs put
them back. Two gunicorn set-ups (sync workers, one thread each, the access log off, as many workers as
the run says), each serving the portal's settings for the bench (`bench.settings`, the bench database):

- latency: 1 worker, wrk with 1 connection: one request at a time, so p50/p99 are a request's own time;
- throughput: 2 workers, wrk with 4 connections: requests/s with the workers kept busy.

Each set-up loads three endpoints, the portal's `/api/v1/incidents/?page_size=100` (bearer token), the
floor `/bench/floor/incidents/` and the naive `/bench/naive/incidents/` (`bench.urls`), for a fixed
time each, cut into rounds (full: 5 × 3 s; quick: one of 3 s), in a fresh random order each round (as
`bench.harness` interleaves in-process calls, so that the machine's other work falls on all three
alike). After each wrk run the workers are left to finish what wrk left in flight (`settle`). A Lua
script (`WRK_SCRIPT`) sets the token from the environment (not the command line, where `ps` shows it)
and prints wrk's latency histogram, so that the rounds of an endpoint merge into exact percentiles.
Before wrk starts, each endpoint must answer 200 with 100 rows; wrk's count of error responses must
be 0. Either failure stops the HTTP runs with a message (`HttpRunError`); a machine without wrk skips
them (`HttpSkipped`); an endpoint none of whose requests completes in time has no figures (never a
failure because of a time).

wrk corrects its latencies for coordinated omission (a request slower than the run's mean interval adds
the samples it held back), in its printed percentiles and in the histogram alike: the tail counts them,
so a p99 from a few slow requests is wrk's estimate, not a measured request.

Gunicorn's sync workers close the connection after each response (no keep-alive), so every request
includes a TCP connect on loopback: the same for the three endpoints, and what a sync deployment does.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.harness import ratio

ROOT = Path(__file__).resolve().parent.parent

#: (variant, path): what each set-up loads, in this order
ENDPOINTS = (
    ("portal", "/api/v1/incidents/?page_size=100"),
    ("floor", "/bench/floor/incidents/?page_size=100"),
    ("naive", "/bench/naive/incidents/?page_size=100"),
)
#: (gunicorn workers, wrk connections, what the set-up measures)
SETUPS = ((1, 1, "latency"), (2, 4, "throughput"))
#: the goal of the latency set-up (issue 8): the portal's p50 at most this many times the floor's
GOAL_VS_FLOOR = 2.0
GOAL = f"p50 ≤ {GOAL_VS_FLOOR:g}× floor"
ROWS_PER_PAGE = 100
START_TIMEOUT_S = 60
SETTLE_MAX_S = 10


class HttpSkipped(RuntimeError):
    """The HTTP runs cannot run on this machine (no wrk): the report says so, the run goes on."""


class HttpRunError(RuntimeError):
    """The HTTP runs went wrong (gunicorn did not start, an endpoint answered an error): the run fails."""


# --- wrk's output ---------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+(\d+(?:\.\d+)?)(us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in (\d+(?:\.\d+)?)(us|ms|s|m|h)", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+(\d+(?:\.\d+)?)", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
_SOCKET = re.compile(r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE)
_SUMMARY = re.compile(r"^bench-summary requests=(\d+) duration_us=(\d+)", re.MULTILINE)
_HISTOGRAM = re.compile(r"^bench-latency (\d+) (\d+)$", re.MULTILINE)

#: wrk's Lua script: the bearer token from BENCH_TOKEN; after the run, the exact duration and every latency
#: value (µs) with its count (`latency(i)` walks wrk's histogram), read back by `parse_wrk`
WRK_SCRIPT = """\
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

done = function(summary, latency, requests)
  io.write(string.format("bench-summary requests=%d duration_us=%d\\n", summary.requests, summary.duration))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("bench-latency %d %d\\n", value, count))
  end
end
"""


def parse_wrk(text: str) -> dict:
    """The figures of one `wrk --latency` run: p50/p75/p90/p99 (ms), requests, requests/s and the errors.

    wrk counts responses with a status of 400 or more as "Non-2xx or 3xx" (redirects pass unseen: the
    endpoints are checked for a 200 before the run). Raises ValueError if a figure is missing.
    """
    percentiles = {float(p): float(v) * _UNITS_MS[unit] for p, v, unit in _PERCENTILE.findall(text)}
    requests = _REQUESTS.search(text)
    rps = _RPS.search(text)
    missing = [
        name
        for name, found in (
            ("p50", 50.0 in percentiles),
            ("p99", 99.0 in percentiles),
            ("requests", requests),
            ("Requests/sec", rps),
        )  # fmt: skip
        if not found
    ]
    if missing:
        raise ValueError(f"wrk's output lacks {', '.join(missing)} (was it run with --latency?)")
    non_2xx = _NON_2XX.search(text)
    sockets = _SOCKET.search(text)
    errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)) if sockets else {}
    )
    summary = _SUMMARY.search(text)  # the script's exact figures, when it ran
    duration_s = float(requests.group(2)) * _UNITS_MS[requests.group(3)] / 1000
    return {
        "p50_ms": round(percentiles[50.0], 3),
        "p75_ms": round(percentiles[75.0], 3) if 75.0 in percentiles else None,
        "p90_ms": round(percentiles[90.0], 3) if 90.0 in percentiles else None,
        "p99_ms": round(percentiles[99.0], 3),
        "requests": int(requests.group(1)),
        "duration_s": int(summary.group(2)) / 1e6 if summary else duration_s,
        "rps": float(rps.group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors,
        "histogram": [(int(us), int(count)) for us, count in _HISTOGRAM.findall(text)],
    }


def percentile(histogram: Counter, p: float) -> float:
    """The p-th percentile (ms) of a {latency µs: count} histogram, ranked as wrk ranks its own."""
    total = sum(histogram.values())
    if not total:
        raise ValueError("an empty histogram has no percentile")
    rank = min(total, math.floor(p / 100 * total + 1))  # wrk: round(p / 100 * count + 0.5)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value / 1000
    raise AssertionError("unreachable: the ranks add up to the total")


def merge(runs: list[dict]) -> dict:
    """The rounds of one endpoint as one run: percentiles of the merged histograms, requests/s overall.

    An endpoint none of whose requests completed in time has no percentiles (None), not a failure.
    """
    histogram: Counter = Counter()
    for run in runs:
        if run["requests"] and not run["histogram"]:
            raise ValueError("a wrk run without its latency histogram (was it run with bench.http's script?)")
        for value, count in run["histogram"]:
            histogram[value] += count
    requests = sum(run["requests"] for run in runs)
    duration_s = sum(run["duration_s"] for run in runs)
    return {
        **{f"p{p}_ms": round(percentile(histogram, p), 3) if histogram else None for p in (50, 75, 90, 99)},
        "requests": requests,
        "duration_s": round(duration_s, 2),
        "rps": round(requests / duration_s, 2) if duration_s else 0.0,
        "rounds": len(runs),
    }


# --- gunicorn -----------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not to follow: the endpoints must answer 200 themselves."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, token: str, timeout: float = 30) -> tuple[int, bytes]:
    """(status, body) of a GET with the bearer token; an error status is returned, not raised."""
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Gunicorn:
    """`with Gunicorn(workers=N) as server:` the portal (bench settings) at `server.base`, stopped on exit."""

    def __init__(self, *, workers: int, env: dict[str, str] | None = None):
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**(env if env is not None else os.environ), "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.process: subprocess.Popen | None = None
        # gunicorn's output, read back if it fails to start; closed (and deleted) in __exit__
        self._log = tempfile.TemporaryFile(mode="w+", prefix="bench-gunicorn-")  # noqa: SIM115

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--chdir", str(ROOT),
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-class", "sync", "--workers", str(self.workers), "--threads", "1",
            "--timeout", "60", "--graceful-timeout", "10",
            "--log-level", "warning",  # errors only; the access log is off (gunicorn's default)
            "--no-control-socket",  # its default path is shared by every gunicorn of the user
        ]  # fmt: skip

    def log_tail(self, lines: int = 20) -> str:
        self._log.seek(0)
        return "\n".join(self._log.read().splitlines()[-lines:])

    def __enter__(self) -> Gunicorn:
        started = time.monotonic()
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            self._wait_until_it_answers(deadline=started + START_TIMEOUT_S)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.started_in_s = time.monotonic() - started
        return self

    def _wait_until_it_answers(self, *, deadline: float) -> None:
        while True:
            if self.process.poll() is not None:
                raise HttpRunError(
                    f"gunicorn exited with status {self.process.returncode} before answering:\n{self.log_tail()}"
                )
            try:
                status, _body = _get(self.base + ENDPOINTS[1][1], token="", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise HttpRunError(f"gunicorn did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        """SIGQUIT to the master, SIGKILL to its group if it hangs.

        SIGQUIT is gunicorn's quick shutdown: wrk has finished, so no request is left to wait for, and
        SIGTERM's graceful one lets an idle sync worker sleep out its poll (seconds on every run).
        """
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._log.close()


# --- the runs -------------------------------------------------------------------------------------------


def check_endpoint(base: str, path: str, token: str) -> None:
    """The endpoint answers 200 with a page of ROWS_PER_PAGE incidents, else HttpRunError."""
    status, body = _get(base + path, token)
    if status != 200:
        raise HttpRunError(f"GET {path} answered {status} over HTTP, not 200: {body[:300]!r}")
    try:
        rows = len(json.loads(body)["results"])
    except (ValueError, KeyError, TypeError) as error:
        raise HttpRunError(f"GET {path} did not answer a page of incidents: {error}") from error
    if rows != ROWS_PER_PAGE:
        raise HttpRunError(f"GET {path} answered {rows} incidents, expected {ROWS_PER_PAGE}")


def run_wrk(wrk: str, url: str, *, token: str, connections: int, seconds: int, script: Path) -> dict:
    """One wrk run; HttpRunError if wrk fails or any response was an error (status ≥ 400) or timed out."""
    command = [
        wrk, "--latency", f"--threads={min(connections, os.cpu_count() or 1)}", f"--connections={connections}",
        f"--duration={seconds}s", "--timeout=30s", f"--script={script}", url,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_TOKEN": token}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False, env=env)
    except subprocess.TimeoutExpired as error:
        raise HttpRunError(f"wrk did not finish within {seconds + 60} s on {url}") from error
    if done.returncode != 0:
        raise HttpRunError(f"wrk failed on {url} (status {done.returncode}): {done.stderr.strip() or done.stdout}")
    try:
        figures = parse_wrk(done.stdout)
    except ValueError as error:
        raise HttpRunError(f"{error}:\n{done.stdout}") from error
    if figures["non_2xx"]:
        raise HttpRunError(f"{figures['non_2xx']} of {figures['requests']} responses from {url} were errors")
    if figures["socket_errors"].get("timeout"):
        raise HttpRunError(f"{figures['socket_errors']['timeout']} requests to {url} timed out")
    return figures


def settle(figures: dict, seconds: int) -> None:
    """Wait out the requests wrk left in flight when it stopped, so that the next run starts on idle workers.

    Each began before wrk stopped, so it ends within about the slowest latency of the run; if none
    completed, within the run's length. At most SETTLE_MAX_S.
    """
    slowest_s = max((us for us, _count in figures["histogram"]), default=seconds * 1e6) / 1e6
    time.sleep(min(slowest_s, SETTLE_MAX_S))


def http_runs(
    *, token: str, seconds: int, rounds: int, log: Callable[[str], None] = print, seed: int = 0
) -> list[dict]:
    """The rows of the "Over HTTP" table: every set-up × endpoint, the portal's with its ratios and goal.

    Each endpoint is loaded for `seconds` in all, in `rounds` wrk runs of `seconds / rounds` (at least 1 s),
    the endpoints in a fresh random order each round.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise HttpSkipped("wrk is not installed (Debian: apt-get install wrk): the HTTP runs were skipped")
    rounds = max(1, rounds)
    per_round = max(1, round(seconds / rounds))
    rng = random.Random(seed)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script = Path(folder) / "bench.lua"
        script.write_text(WRK_SCRIPT)
        for workers, connections, purpose in SETUPS:
            log(
                f"  gunicorn, {workers} worker(s), wrk {connections} connection(s), "
                f"{rounds} × {per_round} s per endpoint …"
            )
            runs: dict[str, list[dict]] = {variant: [] for variant, _path in ENDPOINTS}
            with Gunicorn(workers=workers) as server:
                t0 = time.monotonic()
                for _variant, path in ENDPOINTS:
                    check_endpoint(server.base, path, token)
                    for _ in range(2 * workers):  # warm every worker: lazy imports, its database connection
                        _get(server.base + path, token)
                log(f"    answering after {server.started_in_s:.1f} s, warmed up in {time.monotonic() - t0:.1f} s")
                order = list(ENDPOINTS)
                for _ in range(rounds):
                    rng.shuffle(order)
                    for variant, path in order:
                        figures = run_wrk(
                            wrk, server.base + path, token=token, connections=connections, seconds=per_round,
                            script=script,
                        )  # fmt: skip
                        runs[variant].append(figures)
                        settle(figures, per_round)
            measured = {variant: merge(variant_runs) for variant, variant_runs in runs.items()}
            rows += _rows(measured, workers=workers, connections=connections, purpose=purpose)
    return rows


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else ratio(a, b)


def _rows(measured: dict[str, dict], *, workers: int, connections: int, purpose: str) -> list[dict]:
    rows = []
    portal, floor, naive = measured["portal"], measured["floor"], measured["naive"]
    for variant, path in ENDPOINTS:
        row = {
            "endpoint": f"{variant} `{path}`",
            "variant": variant,
            "path": path,
            "purpose": purpose,
            "workers": workers,
            "connections": connections,
            **measured[variant],
        }
        if variant == "portal":
            row["scenario"] = f"HTTP incident list, 100 rows, {workers} worker(s) / {connections} connection(s)"
            row["vs_floor"] = _ratio(portal["p50_ms"], floor["p50_ms"])
            row["naive_over_portal"] = _ratio(naive["p50_ms"], portal["p50_ms"])
            row["rps_vs_floor"] = _ratio(portal["rps"], floor["rps"])
            if purpose == "latency" and row["vs_floor"] is not None:
                row["goals"] = {GOAL: row["vs_floor"] <= GOAL_VS_FLOOR}
        rows.append(row)
    return rows
