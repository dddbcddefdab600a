"""The runner: `python -m bench [--quick] [--count N --years Y] [--only list,sync,...] [--fresh]`.

1. Refuses anything but PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the figures are about them.
2. Creates the database `portal_bench` (BENCH_DATABASE) next to DATABASE_URL's, migrates it, loads the
   sub-bureau (`seed_demo --incidents 0`) and `generate_incidents --count N --years Y` (COPY), then
   `VACUUM ANALYZE`. The data size is written as the database's comment, so a later run of the same
   size reuses the data (`--fresh` rebuilds it).
3. Runs the scenarios (`bench.scenarios`), each side by side with its floor and naive baseline in
   interleaved, shuffled rounds.
4. Over HTTP (`bench.http`, `--http/--no-http`): gunicorn on loopback loaded by wrk, the incident list
   against its floor and naive baseline (on unless `--only` leaves out the list).
5. Writes `bench/results/<mode>.json`, the Markdown table `bench/results/<mode>.md` (and prints it) and
   the chart `bench/results/<mode>.svg` (`bench.chart`).
   Exits non-zero if a query count regressed or an HTTP run failed (never because of a time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

QUICK = {
    "count": 20_000,
    "years": 1.0,
    "rounds": 20,
    "sync_rows": 5_000,
    "sync_rounds": 3,
    "deep_offset": 10_000,
    "http_seconds": 3,
    "http_rounds": 1,
    "broadcast_endpoints": 1_000,
    "broadcast_rounds": 3,
    "broadcast_naive_endpoints": 1_000,
}
FULL = {
    "count": 1_000_000,
    "years": 5.0,
    "rounds": 200,
    "sync_rows": 100_000,
    "sync_rounds": 3,
    "deep_offset": 100_000,
    "http_seconds": 15,
    "http_rounds": 5,
    "broadcast_endpoints": 10_000,
    # one naive round at 10,000 recipients (a Celery task each) takes ~11 min on two shared cores: the naive
    # baseline is measured on 1,000 recipients and scaled (its cost is a task per recipient), and 2 rounds
    # keep the scenario under ~10 min
    "broadcast_rounds": 2,
    "broadcast_naive_endpoints": 1_000,
}


def fail(message: str) -> int:
    print(f"bench: {message}", file=sys.stderr)
    return 2


def _admin_conninfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.replace("postgis", "postgres"), parts.netloc, "/postgres", parts.query, ""))


def prepare_database(url: str, name: str, label: str, fresh: bool) -> bool:
    """Create (or re-create) the bench database; True when it must be loaded."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None and row[0] == label and not fresh:
            return False
        if row is not None:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def mark_loaded(url: str, name: str, label: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(label)))


def load(count: int, years: float, out) -> float:
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("seed_demo", "--incidents", "0", stdout=out)
    call_command("generate_incidents", "--count", str(count), "--years", str(years), stdout=out)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def bench_user():
    """A sub-bureau staff member (sees every station) with a read token."""
    from django.contrib.auth.models import Group

    from portal.models import User
    from portal.roles import Role, setup_roles
    from portal.tokens import token_create

    setup_roles()
    user, _ = User.objects.get_or_create(username="bench", defaults={"is_active": True})
    user.groups.set([Group.objects.get(name=Role.SUB_BUREAU_STAFF)])
    _token, raw = token_create(user=user, name="bench", scopes="incidents:read,reference:read", days=1)
    return user, raw


def machine(count: int) -> dict:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM incidents_incident")
        incidents = cursor.fetchone()[0]
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "incidents": incidents,
        "generated": count,
    }


def _fmt(value, digits=2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Run `{report['command']}` on {m['date']}: {m['nproc']} CPUs ({m['cpu']}), {m['memory']}, "
        f"Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']}; "
        f"{m['incidents']:,} incidents ({report['years']} years); {report['rounds']} rounds per scenario "
        f"(sync: {report['sync_rounds']}).",
        "",
        "| scenario | variant | p50 ms | p95 ms | ×floor (p50) | naive÷portal | queries (data) | peak KiB | size "
        "| goals |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["rows"]:
        size = ""
        if row.get("bytes") is not None:
            size = f"{row['bytes'] / 1024:.0f} kB"
            if row.get("gzip_bytes") is not None:
                size += f" ({row['gzip_bytes'] / 1024:.0f} kB gz)"
        if row.get("rows_per_s"):
            size = f"{row['rows_per_s']:,} rows/s"
        goals = "; ".join(f"{'✅' if ok else '❌'} {goal}" for goal, ok in (row.get("goals") or {}).items())
        queries = "" if row.get("queries") is None else f"{row['queries']} ({row['data_queries']})"
        lines.append(
            f"| {row['scenario']} | {row['variant']} | {_fmt(row['p50_ms'])} | {_fmt(row['p95_ms'])} | "
            f"{_fmt(row.get('vs_floor'))} | {_fmt(row.get('naive_over_portal'))} | {queries} | "
            f"{_fmt(row.get('peak_kib'), 0)} | {size} | {goals} |"
        )
    if report.get("http"):
        lines += [
            "",
            f"Over HTTP (gunicorn sync workers on 127.0.0.1, wrk: {report['http_seconds']} s per endpoint"
            + (f" in {report['http_rounds']} interleaved rounds" if report["http_rounds"] > 1 else "")
            + "):",
        ]
        lines += [
            "",
            "| endpoint | workers / connections | p50 ms | p99 ms | requests/s | ×floor (p50) | naive÷portal "
            "| goals |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for row in report["http"]:
            goals = "; ".join(f"{'✅' if ok else '❌'} {goal}" for goal, ok in (row.get("goals") or {}).items())
            lines.append(
                f"| {row['endpoint']} | {row['workers']} / {row['connections']} | {_fmt(row['p50_ms'])} | "
                f"{_fmt(row['p99_ms'])} | {_fmt(row['rps'], 0)} | {_fmt(row.get('vs_floor'))} | "
                f"{_fmt(row.get('naive_over_portal'))} | {goals} |"
            )
    if report.get("http_skipped"):
        lines += ["", f"Over HTTP: {report['http_skipped']}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small data and few rounds (CI): ~20,000 incidents.")
    parser.add_argument("--count", type=int, help="Incidents to generate (default 1,000,000; quick 20,000).")
    parser.add_argument("--years", type=float, help="Spread over this many years (default 5; quick 1).")
    parser.add_argument("--rounds", type=int, help="Rounds per scenario.")
    parser.add_argument("--sync-rows", type=int, help="Changed incidents in the sync scenario.")
    parser.add_argument("--only", default="", help="Comma-separated scenarios: list,sync,dashboards,map,broadcast.")
    parser.add_argument(
        "--broadcast-endpoints", type=int, help="Endpoints of the broadcast scenario (default 10,000; quick 1,000)."
    )
    parser.add_argument("--fresh", action="store_true", help="Rebuild the bench database even if it fits.")
    parser.add_argument("--name", help="Results file name (default: quick or full or count).")
    parser.add_argument(
        "--http",
        action=argparse.BooleanOptionalAction,
        help="The incident list over HTTP (gunicorn + wrk; quick: 3 s per endpoint, full: 15 s). "
        "Default: on, unless --only leaves out the list.",
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return fail(
            "the benchmarks run on PostgreSQL only (SQLite's figures say nothing about production): "
            "set DATABASE_URL=postgres://USER@HOST:PORT/DB (the bench uses its own database next to it, "
            "portal_bench)."
        )
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        return fail("the benchmarks need Redis (cache, throttling): set REDIS_URL=redis://HOST:PORT/0.")

    conf = dict(QUICK if args.quick else FULL)
    for key in ("count", "years", "rounds", "sync_rows", "broadcast_endpoints"):
        if getattr(args, key) is not None:
            conf[key] = getattr(args, key)
    if args.count and not args.quick:
        conf["deep_offset"] = min(conf["deep_offset"], args.count // 2)
    conf["sync_rows"] = min(conf["sync_rows"], conf["count"] // 2)
    name = os.environ.setdefault("BENCH_DATABASE", "portal_bench")
    label = f"bench count={conf['count']} years={conf['years']} seed=1"

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure to reach Redis is the same message
        return fail(f"Redis at REDIS_URL does not answer ({error}).")
    started = time.monotonic()
    try:
        needs_load = prepare_database(url, name, label, args.fresh)
    except Exception as error:  # noqa: BLE001
        return fail(f"could not create the database {name} next to DATABASE_URL's ({error}).")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        return fail("DATABASE_URL does not name PostgreSQL.")
    setup_test_environment()  # the test client's response.context etc.; DEBUG stays off
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    newer = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", "--noinput", verbosity=0)  # a reused database gets the code's newer migrations
    if newer and not needs_load:  # rows a migration wrote: fresh statistics and visibility, as after a load
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    if needs_load:
        print(f"Loading {conf['count']:,} incidents over {conf['years']} years into {name} …", flush=True)
        seconds = load(conf["count"], conf["years"], sys.stdout)
        mark_loaded(url, name, label)
        print(f"Loaded in {seconds:.1f} s.", flush=True)
    else:
        print(f"Reusing {name} ({label}).", flush=True)

    from django.test import Client

    from bench import scenarios

    user, token = bench_user()
    session_client = Client()
    session_client.force_login(user)
    ctx = {
        **conf,
        "user": user,
        "token": token,
        "client": Client(),
        "session_client": session_client,
        "dashboard_periods": ("30d",) if args.quick else ("30d", "7d"),
        "panel_query_limit": {},
    }
    # warm-up: the first requests import lazily, fill caches and warm PostgreSQL's buffers
    for _ in range(3):
        ctx["client"].get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {token}")
    only = [s for s in args.only.split(",") if s] or list(scenarios.SCENARIOS)
    rows = []
    for key in only:
        print(f"Scenario {key} …", flush=True)
        t0 = time.monotonic()
        before = len(scenarios.FAILURES)
        try:
            rows += scenarios.SCENARIOS[key](ctx)
        except scenarios.QueryCountError as error:
            scenarios.FAILURES.append(str(error))
        for message in scenarios.FAILURES[before:]:
            print(f"  FAILED: {message}", flush=True)
        print(f"  {time.monotonic() - t0:.1f} s", flush=True)
    failures = scenarios.FAILURES
    http_rows: list[dict] = []
    http_skipped = ""
    run_http = args.http if args.http is not None else "list" in only  # they measure the list
    if run_http:
        from bench import http

        print("Over HTTP …", flush=True)
        t0 = time.monotonic()
        try:
            http_rows = http.http_runs(token=token, seconds=conf["http_seconds"], rounds=conf["http_rounds"])
        except http.HttpSkipped as error:
            http_skipped = str(error)
            print(f"  SKIPPED: {error}", flush=True)
        except http.HttpRunError as error:
            failures.append(f"over HTTP: {error}")
            print(f"  FAILED: {error}", flush=True)
        print(f"  {time.monotonic() - t0:.1f} s", flush=True)
    mode = args.name or ("quick" if args.quick else ("full" if conf["count"] == FULL["count"] else str(conf["count"])))
    command = "make bench-quick" if args.quick else "python -m bench " + " ".join(argv or sys.argv[1:])
    report = {
        "command": command.strip(),
        "machine": machine(conf["count"]),
        **{k: conf[k] for k in ("years", "rounds", "sync_rounds", "sync_rows")},
        "rows": rows,
        "http": http_rows,
        "http_seconds": conf["http_seconds"],
        "http_rounds": conf["http_rounds"],
        "http_skipped": http_skipped,
        "failures": failures,
        "seconds": round(time.monotonic() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{mode}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n")
    table = markdown(report)
    (RESULTS / f"{mode}.md").write_text(table)
    from bench import chart

    chart.write(report, RESULTS / f"{mode}.svg")
    print(table)
    print(f"Written bench/results/{mode}.json, .md and .svg in {report['seconds']} s.")
    if failures:
        print("The run failed:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
