"""The examples of docs/api.md run against a live server: the Python sync client and every curl command."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import IncidentFactory

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
pytestmark = pytest.mark.django_db(transaction=True)


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.fixture
def env(live_server, make_token, commander, station, circle):
    for _ in range(3):
        IncidentFactory(station=station, circle=circle)
    return {
        **os.environ,
        "PORTAL": live_server.url,
        "TOKEN": make_token(commander, "incidents:read,incidents:write,reference:read"),
    }


def test_the_python_sync_client_runs(env, tmp_path):
    client = next(block for block in _blocks("python") if "def sync(" in block)
    result = subprocess.run(
        [sys.executable, "-c", client], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3 incidents, next poll from ")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_succeeds(env, tmp_path):
    commands = [block for block in _blocks("sh") if "curl" in block]
    assert len(commands) >= 4
    for command in commands:
        result = subprocess.run(
            ["bash", "-c", command], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, (command, result.stderr)
    assert (tmp_path / "incidents.csv").exists()
