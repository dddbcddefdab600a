"""The in-process scenarios: each returns rows of the report (portal, floor, naive, goals, checks).

A scenario measures the portal's own code path through Django's test client (every middleware, the
token authentication, DRF's content negotiation, rendering) against its floor and its naive baseline
(`bench.baselines`). Query counts are asserted (a regression fails the run); times are only reported.

One module per scenario family; `SCENARIOS` maps the runner's `--only` names to them.
"""

from __future__ import annotations

from bench.scenarios.api import incident_list, incremental_sync
from bench.scenarios.broadcast import broadcast
from bench.scenarios.common import FAILURES, QueryCountError
from bench.scenarios.dashboards import dashboards
from bench.scenarios.imports import import_csv
from bench.scenarios.map import map_layer

SCENARIOS = {
    "list": incident_list,
    "sync": incremental_sync,
    "dashboards": dashboards,
    "map": map_layer,
    "import": import_csv,
    "broadcast": broadcast,
}

__all__ = ["FAILURES", "SCENARIOS", "QueryCountError"]
