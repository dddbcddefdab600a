"""Incident numbers stay unique when several officers record at the same moment (PostgreSQL, real threads)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from incidents.choices import Category, Priority, Source
from incidents.models import Incident
from incidents.services import incident_report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite serialises writes)")
def test_concurrent_reports_get_distinct_consecutive_numbers(circle, duty_officer):
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def record():
        try:
            barrier.wait()
            incident_report(
                by=duty_officer,
                category=Category.FIGHT,
                priority=Priority.P2,
                source=Source.CALL_110,
                lat=26.6612,
                lng=119.5523,
                occurred_at=timezone.now() - timedelta(minutes=1),
                summary="并发测试",
            )
        except BaseException as error:  # noqa: BLE001 - collected and re-raised in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(Incident.objects.values_list("sequence", flat=True)) == list(range(1, 9))
    assert Incident.objects.values("number").distinct().count() == 8
    assert connection.vendor == "postgresql"
