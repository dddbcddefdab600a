"""A real Celery worker, started against the real Redis broker, runs the heartbeat task."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(settings):
    """A solo-pool worker on a queue of its own, so that no other worker steals the test's task."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "worker-test-key-0123456789",
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            "test-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.services
def test_a_worker_runs_the_heartbeat_task_through_redis(worker):
    from portal.celery import app
    from portal.tasks import record_heartbeat

    app.conf.task_always_eager = False
    try:
        result = record_heartbeat.apply_async(queue="test-heartbeat", ignore_result=False)
        beat = result.get(timeout=60)
    finally:
        app.conf.task_always_eager = True
    assert beat.startswith("20")
    assert worker.poll() is None, "the worker died"
