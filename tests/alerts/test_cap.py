"""CAP 1.2 output checked against the standard's rules, the Atom feed, and the CAP intake."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from alerts import services
from alerts.cap import NS, alert_to_cap, parse_cap
from alerts.choices import CapCategory, CapScope, Certainty, MsgType, Severity, Urgency
from alerts.models import Alert
from incidents.models import Hazard
from tests.alerts.helpers import approved, draft
from tests.factories import square

N = f"{{{NS}}}"
ALERT_ORDER = [
    "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
    "code", "note", "references", "incidents", "info",
]  # fmt: skip
INFO_ORDER = [
    "language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience", "eventCode",
    "effective", "onset", "expires", "senderName", "headline", "description", "instruction", "web", "contact",
    "parameter", "resource", "area",
]  # fmt: skip
AREA_ORDER = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
FORBIDDEN_ID = re.compile(r"[\s,<&]")


def tags(element) -> list[str]:
    return [child.tag.removeprefix(N) for child in element]


def assert_in_order(found: list[str], order: list[str]):
    positions = [order.index(tag) for tag in found]  # ValueError: an element CAP doesn't define
    assert positions == sorted(positions), found


def check_cap(xml: bytes) -> ET.Element:
    """The rules of CAP 1.2 (section 3) that a document of ours must follow."""
    root = ET.fromstring(xml)
    assert root.tag == N + "alert"
    assert_in_order(tags(root), ALERT_ORDER)
    for required in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        assert tags(root).count(required) == 1, required
    text = {tag: root.find(N + tag).text for tag in tags(root) if tag != "info"}
    assert not FORBIDDEN_ID.search(text["identifier"]) and not FORBIDDEN_ID.search(text["sender"])
    assert CAP_TIME.match(text["sent"])
    assert text["status"] in {"Actual", "Exercise", "System", "Test", "Draft"}
    assert text["msgType"] in {"Alert", "Update", "Cancel", "Ack", "Error"}
    assert text["scope"] in {"Public", "Restricted", "Private"}
    if text["scope"] == "Restricted":
        assert text.get("restriction")
    if text["msgType"] in {"Update", "Cancel"}:
        for reference in text["references"].split():
            sender, identifier, sent = reference.split(",")
            assert sender and identifier and CAP_TIME.match(sent)
    for info in root.findall(N + "info"):
        assert_in_order(tags(info), INFO_ORDER)
        for required in ("category", "event", "urgency", "severity", "certainty"):
            assert info.find(N + required) is not None, required
        assert all(c.text in CapCategory.values for c in info.findall(N + "category"))
        assert info.find(N + "urgency").text in Urgency.values
        assert info.find(N + "severity").text in Severity.values
        assert info.find(N + "certainty").text in Certainty.values
        for tag in ("effective", "onset", "expires"):
            if info.find(N + tag) is not None:
                assert CAP_TIME.match(info.find(N + tag).text)
        for area in info.findall(N + "area"):
            assert_in_order(tags(area), AREA_ORDER)
            assert area.find(N + "areaDesc").text
            for polygon in area.findall(N + "polygon"):
                pairs = polygon.text.split()
                assert len(pairs) >= 4 and pairs[0] == pairs[-1]
                for pair in pairs:
                    lat, lon = (float(v) for v in pair.split(","))
                    assert -90 <= lat <= 90 and -180 <= lon <= 180
            for circle in area.findall(N + "circle"):
                centre, radius = circle.text.split()
                lat, lon = (float(v) for v in centre.split(","))
                assert 26 < lat < 27 and 119 < lon < 120 and float(radius) > 0
    return root


class CapOutputTests:
    def test_an_approved_alert_is_valid_cap_with_area_polygon_and_circle(self, commander, audience):
        alert = approved(
            by=commander,
            station=audience.station,
            audiences=[audience],
            area_desc="东方伟业广场",
            area_polygon=square(119.55, 26.66),
            circle_lat=26.66,
            circle_lng=119.55,
            circle_radius_m=500,
            expires=timezone.now() + timedelta(hours=6),
            instruction="请绕行",
        )
        root = check_cap(alert_to_cap(alert))
        assert root.find(N + "status").text == "Actual"
        area = root.find(f"{N}info/{N}area")
        assert area.find(N + "circle").text == "26.66,119.55 0.5"
        # CAP polygons are "lat,lon": the first pair of the square's ring (lng-0.005, lat-0.005)
        assert area.find(N + "polygon").text.split()[0] == "26.655,119.545"

    def test_a_draft_is_cap_status_draft(self, duty_officer, audience):
        alert = draft(by=duty_officer, station=audience.station, audiences=[audience])
        assert check_cap(alert_to_cap(alert)).find(N + "status").text == "Draft"

    def test_an_update_and_a_cancel_reference_the_earlier_alert(self, commander, audience):
        original = approved(by=commander, station=audience.station, audiences=[audience])
        update = services.alert_update(alert=original, by=commander, headline="更新：人员已被带离")
        update = services.alert_approve(alert=update, by=commander)
        root = check_cap(alert_to_cap(update))
        assert root.find(N + "msgType").text == "Update"
        assert root.find(N + "references").text.split(",")[1] == original.identifier
        cancel = services.alert_cancel(alert=update, by=commander, note="误报")
        root = check_cap(alert_to_cap(cancel))
        assert root.find(N + "msgType").text == "Cancel"

    def test_a_restricted_alert_names_its_restriction(self, commander, audience):
        alert = approved(
            by=commander,
            station=audience.station,
            audiences=[audience],
            scope=CapScope.RESTRICTED,
            restriction="所领导",
        )
        assert check_cap(alert_to_cap(alert)).find(N + "restriction").text == "所领导"

    def test_the_api_serves_cap_xml_in_the_users_scope(self, client, commander, other_commander, audience):
        alert = approved(by=commander, station=audience.station, audiences=[audience])
        client.force_login(commander)
        response = client.get(f"/api/v1/alerts/{alert.pk}/cap/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/cap+xml")
        check_cap(response.content)
        client.force_login(other_commander)
        assert client.get(f"/api/v1/alerts/{alert.pk}/cap/").status_code == 404


class FeedTests:
    def test_the_atom_feed_lists_current_public_alerts_only(self, client, commander, duty_officer, audience):
        public = approved(by=commander, station=audience.station, audiences=[audience], headline="公开预警")
        approved(
            by=commander,
            station=audience.station,
            audiences=[audience],
            headline="内部通报",
            scope=CapScope.RESTRICTED,
            restriction="内部",
        )
        draft(by=duty_officer, station=audience.station, audiences=[audience], headline="草稿")
        cancelled = approved(by=commander, station=audience.station, audiences=[audience], headline="已撤回")
        services.alert_cancel(alert=cancelled, by=commander)
        response = client.get("/alerts/feed/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        atom = "{http://www.w3.org/2005/Atom}"
        titles = [entry.find(atom + "title").text for entry in root.findall(atom + "entry")]
        assert titles == ["公开预警"]
        assert root.find(f"{atom}entry/{atom}id").text == f"urn:cap:{public.sender}:{public.identifier}"


WARNING = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>NDMET-2026-0513-001</identifier>
  <sender>qxj@ningde.example</sender>
  <sent>2026-05-13T15:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨蓝色预警</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <expires>2026-05-14T15:00:00+08:00</expires>
    <headline>东湖片区暴雨蓝色预警</headline>
    <description>预计未来12小时东湖片区降雨量将达50毫米以上。</description>
    <area>
      <areaDesc>东湖湿地公园</areaDesc>
      <polygon>26.655,119.545 26.655,119.555 26.665,119.555 26.665,119.545 26.655,119.545</polygon>
    </area>
  </info>
</alert>"""


class IntakeTests:
    def test_a_meteorological_warning_becomes_a_draft_weather_alert_and_a_hazard(self, client, commander, circle):
        client.force_login(commander)
        response = client.post("/api/v1/alerts/intake/", WARNING.encode(), content_type="application/cap+xml")
        assert response.status_code == 201, response.content
        alert = Alert.objects.get(pk=response.json()["alert"])
        assert alert.kind == "weather" and alert.state == "draft" and alert.category == "Met"
        assert alert.area_desc == "东湖湿地公园" and alert.area_polygon["type"] == "Polygon"
        hazard = Hazard.objects.get(pk=response.json()["hazard"])
        assert hazard.kind == "weather" and alert.source_hazard == hazard
        check_cap(alert_to_cap(alert))

    def test_a_bad_enumeration_is_a_400_with_the_element_named(self, client, commander):
        client.force_login(commander)
        body = WARNING.replace("<urgency>Expected</urgency>", "<urgency>Soon</urgency>").encode()
        response = client.post("/api/v1/alerts/intake/", body, content_type="application/cap+xml")
        assert response.status_code == 400 and "urgency" in response.json()["errors"]
        assert not Alert.objects.exists()

    def test_entities_are_refused(self):
        evil = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><alert xmlns="' + NS.encode() + b'"/>'
        with pytest.raises(Exception, match="not accepted"):
            parse_cap(evil)

    def test_intake_needs_permission(self, client, auditor):
        client.force_login(auditor)
        response = client.post("/api/v1/alerts/intake/", WARNING.encode(), content_type="application/cap+xml")
        assert response.status_code == 403

    def test_cap_output_parses_back(self, commander, audience):
        alert = approved(by=commander, station=audience.station, audiences=[audience], msg_type=MsgType.ALERT)
        parsed = parse_cap(alert_to_cap(alert))
        assert parsed["identifier"] == alert.identifier and parsed["info"]["event"] == alert.event
