"""The API's JSON renderer (orjson) writes what DRF's own renderer writes, only faster."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from portal.api.renderers import PortalJSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")

SAMPLES = [
    {"next": None, "results": [{"id": 1, "summary": "广场出口醉酒男子滋事", "lat": 26.6612345, "ok": True}]},
    {
        "utc": datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        "utc_micro": datetime(2026, 3, 1, 8, 30, 5, 123456, tzinfo=UTC),
        "local": datetime(2026, 3, 1, 16, 30, 5, 120000, tzinfo=SHANGHAI),
        "naive": datetime(2026, 3, 1, 16, 30),  # noqa: DTZ001 (a naive time is written without offset)
        "day": date(2026, 3, 1),
    },
    {"lazy": gettext_lazy("Not found."), "decimal": Decimal("1.50"), "uuid": UUID(int=7), "delta": timedelta(1)},
    {1: "integer key", "line": "a\u2028b\u2029c", "nested": [[], {}, ["x", None]]},
    [],
    {"big": 2**70},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_json_as_drfs_renderer(data):
    ours = PortalJSONRenderer().render(data, "application/json", {})
    drf = JSONRenderer().render(data, "application/json", {})
    assert ours == drf
    assert isinstance(orjson.loads(ours), (dict, list))


def test_indented_answers_are_drfs():
    data = {"a": [1, 2]}
    assert PortalJSONRenderer().render(data, "application/json; indent=4", {}) == JSONRenderer().render(
        data, "application/json; indent=4", {}
    )
    assert b"\n    " in PortalJSONRenderer().render(data, "application/json; indent=4", {})


def test_nothing_is_an_empty_body():
    assert PortalJSONRenderer().render(None) == b""
