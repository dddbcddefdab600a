"""`GET /healthz`: the state of every part the portal needs, as JSON; 200 when all answer, else 503."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .tasks import HEARTBEAT_KEY


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_cache() -> dict:
    cache.set("portal:healthz", "1", timeout=10)
    if cache.get("portal:healthz") != "1":
        raise RuntimeError("cache read back nothing")
    return {"ok": True, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process"}
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True, "mode": "redis"}


def _check_worker() -> dict:
    beat = cache.get(HEARTBEAT_KEY)
    if not beat:
        raise RuntimeError("no worker heartbeat yet")
    age = (timezone.now() - datetime.fromisoformat(beat)).total_seconds()
    if age > settings.WORKER_HEARTBEAT_MAX_AGE.total_seconds():
        raise RuntimeError(f"last heartbeat {int(age)} s ago")
    return {"ok": True, "age_seconds": int(age)}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    if settings.HEALTHZ_REQUIRE_WORKER:
        checks["worker"] = _check_worker
    report = {}
    for name, check in checks.items():
        try:
            report[name] = check()
        except Exception as error:  # a health check reports every failure, whatever it is
            report[name] = {"ok": False, "error": str(error)[:200]}
    healthy = all(part["ok"] for part in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": report}, status=200 if healthy else 503
    )
