"""The HTTP runs (`bench.http`): reading wrk's output, and refusing a run whose answers are not 200."""

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import http
from bench import run as bench_run

SCRIPT = Path("/nonexistent/bench.lua")  # wrk is not run: subprocess.run is replaced

# `wrk --latency -t1 -c1 -d2s` against a small static file (wrk 4.1, Debian 12), verbatim
WRK_OK = """\
Running 2s test @ http://127.0.0.1:18931/ok.txt
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.76ms    2.47ms  23.72ms   87.69%
    Req/Sec   753.90    352.78     1.28k    55.00%
  Latency Distribution
     50%  686.00us
     75%    2.05ms
     90%    4.79ms
     99%   11.50ms
  1501 requests in 2.01s, 275.57KB read
Requests/sec:    745.04
Transfer/sec:    136.78KB
"""

# `wrk --latency -t2 -c4 -d2s` against a path that answers 404, verbatim
WRK_404 = """\
Running 2s test @ http://127.0.0.1:18931/missing
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.16ms    4.29ms  34.99ms   87.44%
    Req/Sec   436.27    141.62   670.00     70.00%
  Latency Distribution
     50%    3.59ms
     75%    6.14ms
     90%   10.44ms
     99%   21.91ms
  1744 requests in 2.01s, 0.87MB read
  Non-2xx or 3xx responses: 1744
Requests/sec:    868.06
Transfer/sec:    440.90KB
"""

# `wrk --latency -t1 -c1 -d1s --script=<bench.http.WRK_SCRIPT>` on the portal's list served by gunicorn (1 worker)
# on a busy machine, verbatim: 9 requests; wrk's correction for coordinated omission added the 3 evenly spaced
# values after 150 ms to its histogram (and to its percentiles)
WRK_SCRIPTED = """\
Running 1s test @ http://127.0.0.1:33735/api/v1/incidents/?page_size=100
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   147.35ms  148.00ms 488.05ms   83.33%
    Req/Sec    13.17      7.78    20.00     83.33%
  Latency Distribution
     50%   68.87ms
     75%  262.93ms
     90%  375.49ms
     99%  488.05ms
  9 requests in 1.01s, 783.26KB read
Requests/sec:      8.88
Transfer/sec:    773.18KB
bench-summary requests=9 duration_us=1013046
bench-latency 55035 1
bench-latency 55698 1
bench-latency 55756 1
bench-latency 57087 1
bench-latency 58908 1
bench-latency 66928 1
bench-latency 68872 1
bench-latency 73015 1
bench-latency 150372 1
bench-latency 262932 1
bench-latency 375492 1
bench-latency 488052 1
"""

# the same script on the naive list, verbatim: one request in the second
WRK_SCRIPTED_ONE = """\
Running 1s test @ http://127.0.0.1:33735/bench/naive/incidents/?page_size=100
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   871.84ms    0.00us 871.84ms  100.00%
    Req/Sec     1.00      0.00     1.00    100.00%
  Latency Distribution
     50%  871.84ms
     75%  871.84ms
     90%  871.84ms
     99%  871.84ms
  1 requests in 1.01s, 85.10KB read
Requests/sec:      0.99
Transfer/sec:     84.40KB
bench-summary requests=1 duration_us=1008311
bench-latency 871836 1
"""

# wrk's line for socket errors (printed only when there are some, after the requests line), added to the first
WRK_TIMEOUTS = WRK_OK.replace("Requests/sec:", "  Socket errors: connect 0, read 2, write 0, timeout 3\nRequests/sec:")


class WrkOutputTests:
    def test_percentiles_in_any_unit_are_milliseconds(self):
        figures = http.parse_wrk(WRK_OK)
        assert figures["p50_ms"] == 0.686  # 686.00us
        assert figures["p75_ms"] == 2.05
        assert figures["p90_ms"] == 4.79
        assert figures["p99_ms"] == 11.5
        assert figures["requests"] == 1501
        assert figures["duration_s"] == 2.01
        assert figures["rps"] == 745.04
        assert figures["non_2xx"] == 0
        assert figures["socket_errors"] == {}

    def test_error_responses_are_counted(self):
        figures = http.parse_wrk(WRK_404)
        assert figures["non_2xx"] == 1744
        assert figures["p50_ms"] == 3.59

    def test_socket_errors_are_read(self):
        assert "Socket errors" in WRK_TIMEOUTS
        assert http.parse_wrk(WRK_TIMEOUTS)["socket_errors"] == {"connect": 0, "read": 2, "write": 0, "timeout": 3}

    def test_the_scripts_histogram_and_exact_duration_are_read(self):
        figures = http.parse_wrk(WRK_SCRIPTED)
        assert figures["requests"] == 9
        assert figures["duration_s"] == 1.013046
        assert len(figures["histogram"]) == 12
        assert figures["histogram"][0] == (55035, 1)
        assert http.parse_wrk(WRK_OK)["histogram"] == []  # run without the script

    def test_one_round_merged_gives_wrks_own_percentiles(self):
        printed = http.parse_wrk(WRK_SCRIPTED)
        merged = http.merge([printed])
        for p in ("p50_ms", "p75_ms", "p90_ms", "p99_ms"):
            assert merged[p] == pytest.approx(printed[p], abs=0.01)
        assert merged["requests"] == 9
        assert merged["rps"] == pytest.approx(9 / 1.013046, abs=0.01)

    def test_rounds_merge_into_the_percentiles_of_all_their_requests(self):
        merged = http.merge([http.parse_wrk(WRK_SCRIPTED), http.parse_wrk(WRK_SCRIPTED_ONE)])
        # 13 values: the 7th is still 68.872 ms; the slowest is now the naive request's 871.836 ms
        assert merged["p50_ms"] == 68.872
        assert merged["p99_ms"] == 871.836
        assert merged["requests"] == 10
        assert merged["duration_s"] == 2.02
        assert merged["rounds"] == 2

    def test_an_endpoint_with_no_completed_request_has_no_percentiles(self):
        nothing = {**http.parse_wrk(WRK_SCRIPTED_ONE), "requests": 0, "histogram": []}
        merged = http.merge([nothing])
        assert merged["p50_ms"] is None and merged["p99_ms"] is None
        assert merged["requests"] == 0 and merged["rps"] == 0.0
        rows = http._rows(
            {"portal": merged, "floor": http.merge([http.parse_wrk(WRK_SCRIPTED)]), "naive": merged},
            workers=1,
            connections=1,
            purpose="latency",
        )
        assert rows[0]["vs_floor"] is None
        assert "goals" not in rows[0]  # not measured is not "missed"

    def test_the_latency_goal_is_judged_on_the_portals_p50_against_the_floors(self):
        fast, slow = http.merge([http.parse_wrk(WRK_SCRIPTED)]), http.merge([http.parse_wrk(WRK_SCRIPTED_ONE)])
        met = http._rows({"portal": fast, "floor": fast, "naive": slow}, workers=1, connections=1, purpose="latency")
        assert met[0]["goals"] == {"p50 ≤ 2× floor": True}
        assert met[0]["naive_over_portal"] == round(871.836 / 68.872, 2)
        missed = http._rows(
            {"portal": slow, "floor": fast, "naive": slow}, workers=1, connections=1, purpose="latency"
        )
        assert missed[0]["goals"] == {"p50 ≤ 2× floor": False}
        throughput = http._rows({"portal": fast, "floor": fast, "naive": slow}, workers=2, connections=4, purpose="t")
        assert "goals" not in throughput[0]

    def test_settling_waits_for_the_slowest_request_at_most_the_cap(self, monkeypatch):
        slept = []
        monkeypatch.setattr(http.time, "sleep", slept.append)
        http.settle(http.parse_wrk(WRK_SCRIPTED), 1)
        http.settle({"histogram": []}, 3)  # none completed: the run's length
        http.settle({"histogram": [(60_000_000, 1)]}, 1)  # a minute: capped
        assert slept == [0.488052, 3.0, http.SETTLE_MAX_S]

    def test_a_run_without_the_histogram_cannot_be_merged(self):
        with pytest.raises(ValueError, match="histogram"):
            http.merge([http.parse_wrk(WRK_OK)])

    def test_output_without_the_latency_distribution_is_refused(self):
        without = WRK_OK.split("  Latency Distribution")[0] + WRK_OK.split("99%   11.50ms\n")[1]
        with pytest.raises(ValueError, match="p50, p99"):
            http.parse_wrk(without)


def _wrk_answering(stdout: str, returncode: int = 0):
    def fake_run(command, **kwargs):
        return subprocess.CompletedProcess(command, returncode, stdout=stdout, stderr="")

    return fake_run


class WrkRunTests:
    def test_a_run_with_error_responses_fails(self, monkeypatch):
        monkeypatch.setattr(http.subprocess, "run", _wrk_answering(WRK_404))
        with pytest.raises(http.HttpRunError, match="1744 of 1744 responses .* were errors"):
            http.run_wrk("wrk", "http://127.0.0.1:1/x", token="t", connections=4, seconds=1, script=SCRIPT)

    def test_a_run_with_timeouts_fails(self, monkeypatch):
        monkeypatch.setattr(http.subprocess, "run", _wrk_answering(WRK_TIMEOUTS))
        with pytest.raises(http.HttpRunError, match="3 requests .* timed out"):
            http.run_wrk("wrk", "http://127.0.0.1:1/x", token="t", connections=1, seconds=1, script=SCRIPT)

    def test_a_clean_run_gives_its_figures_and_passes_the_token_out_of_sight(self, monkeypatch):
        seen = {}

        def fake_run(command, **kwargs):
            seen["command"], seen["env"] = command, kwargs["env"]
            return subprocess.CompletedProcess(command, 0, stdout=WRK_SCRIPTED, stderr="")

        monkeypatch.setattr(http.subprocess, "run", fake_run)
        figures = http.run_wrk("wrk", "http://127.0.0.1:1/x", token="secret", connections=1, seconds=3, script=SCRIPT)
        assert figures["requests"] == 9
        assert seen["env"]["BENCH_TOKEN"] == "secret"
        assert not any("secret" in part for part in seen["command"])  # `ps` shows the command line
        assert f"--script={SCRIPT}" in seen["command"] and "--duration=3s" in seen["command"]

    def test_a_failing_wrk_fails_the_run_with_its_message(self, monkeypatch):
        def fake_run(command, **kwargs):
            return subprocess.CompletedProcess(command, 1, stdout="", stderr="unable to connect to 127.0.0.1:1")

        monkeypatch.setattr(http.subprocess, "run", fake_run)
        with pytest.raises(http.HttpRunError, match="unable to connect"):
            http.run_wrk("wrk", "http://127.0.0.1:1/x", token="t", connections=1, seconds=1, script=SCRIPT)

    def test_without_wrk_the_runs_are_skipped_with_a_message(self, monkeypatch):
        monkeypatch.setattr(http.shutil, "which", lambda name: None)
        with pytest.raises(http.HttpSkipped, match="wrk is not installed"):
            http.http_runs(token="t", seconds=1, rounds=1)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        if self.path == "/denied" or self.headers.get("Authorization") != "Bearer good":
            self.send_response(401)
            self.end_headers()
            return
        rows = 99 if self.path == "/short" else 100
        body = json.dumps({"results": [{"id": i} for i in range(rows)]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class EndpointCheckTests:
    def test_a_page_of_100_with_200_passes(self, server):
        http.check_endpoint(server, "/ok", "good")

    def test_a_redirect_is_not_followed_but_refused(self, server):
        with pytest.raises(http.HttpRunError, match="answered 301"):
            http.check_endpoint(server, "/redirect", "good")

    def test_a_refused_token_is_reported(self, server):
        with pytest.raises(http.HttpRunError, match="answered 401"):
            http.check_endpoint(server, "/ok", "bad")

    def test_a_short_page_is_reported(self, server):
        with pytest.raises(http.HttpRunError, match="99 incidents, expected 100"):
            http.check_endpoint(server, "/short", "good")


class ReportTests:
    def test_the_http_table_shows_the_ratio_and_the_goal(self):
        report = {
            "command": "make bench-quick",
            "machine": {
                "date": "d", "nproc": 2, "cpu": "c", "memory": "m", "python": "3", "django": "5",
                "postgresql": "15", "incidents": 1,
            },
            "years": 1.0, "rounds": 1, "sync_rounds": 1, "rows": [], "http_seconds": 3, "http_rounds": 3,
            "http": [
                {"endpoint": "portal `/api/v1/incidents/?page_size=100`", "workers": 1, "connections": 1,
                 "p50_ms": 30.0, "p99_ms": 45.0, "rps": 33.0, "vs_floor": 2.5, "naive_over_portal": 3.1,
                 "goals": {http.GOAL: False}},
                {"endpoint": "floor `/bench/floor/incidents/?page_size=100`", "workers": 1, "connections": 1,
                 "p50_ms": 12.0, "p99_ms": 20.0, "rps": 80.0},
            ],
        }  # fmt: skip
        table = bench_run.markdown(report)
        portal_line = next(line for line in table.splitlines() if line.startswith("| portal `/api"))
        assert "| 2.50 | 3.10 | ❌ p50 ≤ 2× floor |" in portal_line
        assert "3 s per endpoint in 3 interleaved rounds" in table

    def test_a_skipped_http_run_is_said_in_the_report(self):
        report = {
            "command": "c",
            "machine": {
                "date": "d", "nproc": 2, "cpu": "c", "memory": "m", "python": "3", "django": "5",
                "postgresql": "15", "incidents": 1,
            },
            "years": 1.0, "rounds": 1, "sync_rounds": 1, "rows": [], "http": [],
            "http_skipped": "wrk is not installed (Debian: apt-get install wrk): the HTTP runs were skipped",
        }  # fmt: skip
        assert "Over HTTP: wrk is not installed" in bench_run.markdown(report)
