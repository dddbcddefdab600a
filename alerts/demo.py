"""Demo alerts data: each station's audiences with e-mail and SMS endpoints (console backends: nothing
leaves the machine, no webhook is called), and a couple of sent alerts. Safe to load again and again.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from patrols.models import Station

from . import services
from .choices import AlertKind, AudienceGroup, CapCategory, Certainty, DeliveryState, EndpointKind, Severity, Urgency
from .models import Audience, Delivery, Endpoint

# (name, group, [(endpoint kind, name, address)]) — example.com addresses and made-up numbers only
AUDIENCES = [
    ("警社联络群", AudienceGroup.POLICE_COMMUNITY, [(EndpointKind.EMAIL, "社区网格员邮箱", "grid@example.com")]),
    ("警企联络群", AudienceGroup.POLICE_ENTERPRISE, [(EndpointKind.EMAIL, "企业保卫科邮箱", "security@example.com")]),
    ("警校联络群", AudienceGroup.POLICE_SCHOOL, [(EndpointKind.SMS, "学校安保短信", "13800000001")]),
    ("所领导", AudienceGroup.STAFF, [(EndpointKind.SMS, "值班所领导短信", "13800000002")]),
]
ALERTS = [
    {
        "kind": AlertKind.WARNING,
        "category": CapCategory.SECURITY,
        "event": "盗窃",
        "urgency": Urgency.EXPECTED,
        "severity": Severity.MODERATE,
        "certainty": Certainty.LIKELY,
        "headline": "夜间商圈电动车盗窃高发，请加锁停放",
        "instruction": "电动车请停放在有监控的区域并加装二道锁。",
    },
    {
        "kind": AlertKind.WEATHER,
        "category": CapCategory.MET,
        "event": "暴雨蓝色预警",
        "urgency": Urgency.EXPECTED,
        "severity": Severity.MODERATE,
        "certainty": Certainty.LIKELY,
        "headline": "东湖片区暴雨蓝色预警：湿地栈道暂停开放",
        "instruction": "请勿前往湖边及栈道，注意防范积水。",
    },
]


def load_alerts_demo() -> Counter:
    tally: Counter = Counter()
    for station in Station.objects.order_by("pk"):
        audiences = []
        for name, group, endpoints in AUDIENCES:
            audience, created = Audience.objects.get_or_create(station=station, name=name, defaults={"group": group})
            tally["audiences"] += created
            audiences.append(audience)
            for kind, endpoint_name, address in endpoints:
                _endpoint, created = Endpoint.objects.get_or_create(
                    audience=audience, name=endpoint_name, defaults={"kind": kind, "address": address}
                )
                tally["endpoints"] += created
        public = [a for a in audiences if a.group != AudienceGroup.STAFF]
        for number, fields in enumerate(ALERTS):
            alert = services._auto_alert(
                auto_key=f"demo:{station.code}:{number}", station=station, audiences=public, approve=True, **fields
            )
            if alert is not None:
                tally["alerts"] += 1
                # shown as delivered: the demo sends nothing on loading
                Delivery.objects.filter(alert=alert).update(
                    state=DeliveryState.SENT, sent_at=timezone.now(), attempts=1, next_attempt_at=None
                )
    return tally
