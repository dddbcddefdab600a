"""Small builders shared by the alerts tests."""

from __future__ import annotations

from alerts import services
from alerts.choices import AlertKind, CapCategory


def draft(*, by, station, audiences=(), **fields):
    values = {
        "kind": AlertKind.WARNING,
        "category": CapCategory.SECURITY,
        "event": "醉酒滋事",
        "headline": "东方伟业广场出口有醉酒人员滋事",
        "description": "请广场周边商户注意安全。",
        **fields,
    }
    return services.alert_draft(by=by, station=station, audiences=list(audiences), **values)


def approved(*, by, station, audiences, **fields):
    return services.alert_approve(alert=draft(by=by, station=station, audiences=audiences, **fields), by=by)
