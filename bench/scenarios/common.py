"""What every scenario shares: the failure list (query counts) and the report row."""

from __future__ import annotations


class QueryCountError(AssertionError):
    pass


#: the query counts that regressed in this run (the runner fails at the end, after writing the results)
FAILURES: list[str] = []


def expect(condition: bool, message: str) -> None:
    if not condition:
        FAILURES.append(message)


def row(scenario, variant, m, **extra) -> dict:
    return {"scenario": scenario, "variant": variant, **m.as_dict(), **extra}


def per_second(count: int, m) -> int:
    """`count` items (rows, deliveries) over a measured call's median: items per second."""
    return round(count / (m.p50 / 1000))
