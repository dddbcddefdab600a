"""Measuring: variants of one scenario run side by side in interleaved, shuffled rounds.

Each round calls every variant once, in a fresh random order, so that drift (caches, the machine's
other work, autovacuum) falls on all of them alike. Times are wall-clock (`perf_counter_ns`).
Queries per call are counted in a separate call under `CaptureQueriesContext`, and peak memory per
call in another under `tracemalloc` (both slow a call down, so neither is timed).
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Measured:
    name: str
    times_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    data_queries: int | None = None
    peak_kib: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]

    def as_dict(self) -> dict:
        return {
            "p50_ms": round(self.p50, 3),
            "p95_ms": round(self.p95, 3),
            "calls": len(self.times_ms),
            "queries": self.queries,
            "data_queries": self.data_queries,
            "peak_kib": None if self.peak_kib is None else round(self.peak_kib, 1),
            **self.extra,
        }


#: tables that authentication, sessions and permission checks read: queries on them are not "the page's"
AUTH_TABLES = ("portal_apitoken", "portal_user", "django_session", "auth_group", "auth_permission", "axes_")
_TARGET = re.compile(r'\b(?:FROM|UPDATE|INTO)\s+"?(\w+)"?', re.IGNORECASE)


def data_query_count(queries: list[dict]) -> int:
    """Queries whose first table is not one of authentication's (BEGIN/COMMIT/SAVEPOINT not counted)."""
    count = 0
    for q in queries:
        match = _TARGET.search(q["sql"])
        if match and not match.group(1).startswith(AUTH_TABLES):
            count += 1
    return count


def compare(
    variants: dict[str, Callable[[], object]], *, rounds: int, warmup: int = 3, seed: int = 0, memory: bool = True
):
    """{name: Measured} of every variant; each callable does one complete call (and checks its answer)."""
    rng = random.Random(seed)
    results = {name: Measured(name) for name in variants}
    for _ in range(warmup):
        for fn in variants.values():
            fn()
    for name, fn in variants.items():
        with CaptureQueriesContext(connection) as captured:
            fn()
        results[name].queries = len(captured.captured_queries)
        results[name].data_queries = data_query_count(captured.captured_queries)
        if not memory:
            continue
        gc.collect()
        tracemalloc.start()
        fn()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[name].peak_kib = peak / 1024
    order = list(variants)
    gc.collect()
    gc.disable()  # collections land on whichever variant happens to run: keep them out of the rounds
    try:
        for index in range(rounds):
            rng.shuffle(order)
            for name in order:
                started = time.perf_counter_ns()
                variants[name]()
                results[name].times_ms.append((time.perf_counter_ns() - started) / 1e6)
            if index % 20 == 19:
                gc.collect()
    finally:
        gc.enable()
    return results


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None
