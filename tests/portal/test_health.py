import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_each_part_and_answers_200(client):
    """/healthz answers JSON naming the database, cache and broker, with 200 when all answer."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "cache", "broker"} <= set(body["checks"])
    assert all(part["ok"] for part in body["checks"].values())


@pytest.mark.django_db
@override_settings(HEALTHZ_REQUIRE_WORKER=True)
def test_healthz_is_503_without_a_worker_heartbeat(client):
    """When a worker is required and none has reported, /healthz answers 503 and says why."""
    from django.core.cache import cache

    cache.delete("portal:worker-heartbeat")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
@override_settings(HEALTHZ_REQUIRE_WORKER=True)
def test_healthz_is_200_after_the_heartbeat_task_ran(client):
    from portal.tasks import record_heartbeat

    record_heartbeat.delay()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["ok"] is True
