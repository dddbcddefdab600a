"""Migration incidents/0005 turns the day rollups' JSON (hours, grid cells, histograms) into bin rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incidents import rollups
from tests.factories import CircleFactory, square

BEFORE = [("incidents", "0004_incidentrollup_covering_index")]
AFTER = [("incidents", "0005_incidentbinrollup")]


@pytest.mark.django_db(transaction=True)
def test_the_day_rollups_become_bin_rows_that_equal_them():
    circle = CircleFactory(boundary=square(119.55, 26.66))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("incidents", "IncidentDayRollup")
        hours = [0] * 24
        hours[9], hours[22] = 2, 1
        old.objects.create(
            day=date(2026, 3, 2), weekday=1, station_id=circle.station_id, circle_id=circle.pk, count=3,
            hours=hours, cells={"266:1195": 3}, intervals={"queue": {"12": 1, "0": 1}, "travel": {}},
        )  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("incidents", "IncidentBinRollup")
        assert sorted(new.objects.values_list("measure", "bin", "count")) == [
            (rollups.CELL, "266:1195", 3),
            (rollups.HOUR, "22", 1),
            (rollups.HOUR, "9", 2),
            ("queue", "0", 1),
            ("queue", "12", 1),
        ]
        assert set(new.objects.values_list("day", "weekday", "station_id", "circle_id")) == {
            (date(2026, 3, 2), 1, circle.station_id, circle.pk)
        }
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
