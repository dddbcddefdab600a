"""Migrations of the rollups: 0005 turns the day JSON into bin rows, 0006 adds the week, month and year rows."""

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


@pytest.mark.django_db(transaction=True)
def test_migrations_0006_and_0008_sum_the_day_rows_into_longer_spans():
    circle = CircleFactory(boundary=square(119.55, 26.66))
    before, after = [("incidents", "0005_incidentbinrollup")], [("incidents", "0006_rollup_spans")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        bins = executor.loader.project_state(before).apps.get_model("incidents", "IncidentBinRollup")
        at = {"station_id": circle.station_id, "circle_id": circle.pk}
        # Monday 2 and Tuesday 3 March 2026 (one week), Monday 9 March (the next week)
        bins.objects.create(day=date(2026, 3, 2), weekday=1, measure=rollups.HOUR, bin="9", count=2, **at)
        bins.objects.create(day=date(2026, 3, 3), weekday=2, measure=rollups.HOUR, bin="9", count=1, **at)
        bins.objects.create(day=date(2026, 3, 9), weekday=1, measure=rollups.HOUR, bin="9", count=4, **at)
        bins.objects.create(day=date(2026, 3, 3), weekday=2, measure="queue", bin="12", count=5, **at)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        bins = executor.loader.project_state(after).apps.get_model("incidents", "IncidentBinRollup")
        rolled = sorted(bins.objects.exclude(span="day").values_list("span", "day", "weekday", "measure", "count"))
        assert rolled == [
            ("month", date(2026, 3, 1), 0, "queue", 5),
            ("month", date(2026, 3, 1), 1, rollups.HOUR, 6),  # the hours keep their weekday
            ("month", date(2026, 3, 1), 2, rollups.HOUR, 1),
            ("week", date(2026, 3, 2), 0, "queue", 5),
            ("week", date(2026, 3, 2), 1, rollups.HOUR, 2),
            ("week", date(2026, 3, 2), 2, rollups.HOUR, 1),
            ("week", date(2026, 3, 9), 1, rollups.HOUR, 4),
            ("year", date(2026, 1, 1), 0, "queue", 5),
            ("year", date(2026, 1, 1), 1, rollups.HOUR, 6),
            ("year", date(2026, 1, 1), 2, rollups.HOUR, 1),
        ]
        assert bins.objects.filter(span="day").count() == 4
        # 0008: the quarters, summed from the months
        executor = MigrationExecutor(connection)
        executor.migrate([("incidents", "0008_rollup_quarters")])
        bins = executor.loader.project_state([("incidents", "0008_rollup_quarters")]).apps.get_model(
            "incidents", "IncidentBinRollup"
        )
        assert sorted(bins.objects.filter(span="quarter").values_list("day", "weekday", "measure", "count")) == [
            (date(2026, 1, 1), 0, "queue", 5),
            (date(2026, 1, 1), 1, rollups.HOUR, 6),
            (date(2026, 1, 1), 2, rollups.HOUR, 1),
        ]
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
