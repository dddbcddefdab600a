"""CAP 1.2 (OASIS Common Alerting Protocol) out of an alert, and into an intake dict out of a CAP document.

Element order, required elements and enumerations follow the standard (CAP-v1.2, section 3.2):
alert = identifier, sender, sent, status, msgType, [source], scope, [restriction], [addresses],
[note], [references], info*; info = language, category+, event, urgency, severity, certainty,
[effective], [expires], [senderName], headline, [description], [instruction], [web], area*;
area = areaDesc, polygon*, circle*. Times are "YYYY-MM-DDThh:mm:ss+hh:mm" (no "Z"); a polygon is
"lat,lon" pairs, closed; a circle is "lat,lon radius" with the radius in kilometres.
"""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .choices import CapCategory, CapScope, CapStatus, Certainty, MsgType, Severity, Urgency
from .models import Alert

NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml"
ET.register_namespace("", NS)


def cap_time(value: datetime) -> str:
    """CAP's date-time form: local time with an explicit offset, no fractions, never "Z"."""
    local = timezone.localtime(value).replace(microsecond=0)
    text = local.isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def _polygon_text(area: dict) -> list[str]:
    """GeoJSON (lng, lat) rings -> CAP "lat,lon lat,lon …" polygons (outer rings only)."""
    polygons = [area["coordinates"]] if area["type"] == "Polygon" else area["coordinates"]
    return [" ".join(f"{lat},{lng}" for lng, lat in polygon[0]) for polygon in polygons]


def _sub(parent: ET.Element, tag: str, text: str | None) -> None:
    if text not in (None, ""):
        ET.SubElement(parent, f"{{{NS}}}{tag}").text = str(text)


def reference_of(alert: Alert) -> str:
    return f"{alert.sender},{alert.identifier},{cap_time(alert.sent or alert.created_at)}"


def alert_to_cap(alert: Alert) -> bytes:
    """The alert as a CAP 1.2 XML document (UTF-8, with its declaration)."""
    root = ET.Element(f"{{{NS}}}alert")
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent or alert.created_at))
    _sub(root, "status", alert.cap_status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", alert.scope)
    if alert.scope == CapScope.RESTRICTED:
        _sub(root, "restriction", alert.restriction)
    _sub(root, "note", alert.note)
    if alert.references_id:
        _sub(root, "references", reference_of(alert.references))
    info = ET.SubElement(root, f"{{{NS}}}info")
    _sub(info, "language", alert.language)
    _sub(info, "category", alert.category)
    _sub(info, "event", alert.event)
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    if alert.effective:
        _sub(info, "effective", cap_time(alert.effective))
    if alert.expires:
        _sub(info, "expires", cap_time(alert.expires))
    _sub(info, "senderName", alert.station.name)
    _sub(info, "headline", alert.headline)
    _sub(info, "description", alert.description)
    _sub(info, "instruction", alert.instruction)
    if alert.area_desc:
        area = ET.SubElement(info, f"{{{NS}}}area")
        _sub(area, "areaDesc", alert.area_desc)
        if alert.area_polygon:
            for text in _polygon_text(alert.area_polygon):
                _sub(area, "polygon", text)
        if alert.circle_lat is not None:
            _sub(area, "circle", f"{alert.circle_lat},{alert.circle_lng} {alert.circle_radius_m / 1000:g}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- intake ------------------------------------------------------------------------------------------

FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
ENUMS = {
    "status": CapStatus.values,
    "msgType": [*MsgType.values, "Ack", "Error"],
    "scope": CapScope.values,
    "category": CapCategory.values,
    "urgency": Urgency.values,
    "severity": Severity.values,
    "certainty": Certainty.values,
}


def _text(element: ET.Element | None, tag: str, *, required: bool = False, errors: dict) -> str:
    child = element.find(f"{{{NS}}}{tag}") if element is not None else None
    value = (child.text or "").strip() if child is not None else ""
    if required and not value:
        errors[tag] = _("This element is required.")
    elif value and tag in ENUMS and value not in ENUMS[tag]:
        errors[tag] = _("“%(value)s” is not one of CAP's values.") % {"value": value}
    return value


def _time(value: str, tag: str, errors: dict) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None or timezone.is_naive(parsed):
        errors[tag] = _("Give a date and time with its offset, e.g. 2026-05-13T23:00:00+08:00.")
    return parsed


def _parse_polygon(text: str, errors: dict) -> dict | None:
    try:
        pairs = [tuple(float(v) for v in pair.split(",")) for pair in text.split()]
        ring = [[lng, lat] for lat, lng in pairs]
    except ValueError:
        errors["polygon"] = _("A polygon is space-separated “lat,lon” pairs.")
        return None
    try:
        from portal import geo

        return geo.validate_area({"type": "Polygon", "coordinates": [ring]})
    except ValidationError as error:
        errors["polygon"] = " ".join(error.messages)
        return None


def _parse_circle(text: str, errors: dict) -> dict | None:
    try:
        centre, radius = text.split()
        lat, lng = (float(v) for v in centre.split(","))
        return {"lat": lat, "lng": lng, "radius_m": max(1, round(float(radius) * 1000))}
    except ValueError:
        errors["circle"] = _("A circle is “lat,lon radius-in-km”.")
        return None


def parse_cap(data: bytes) -> dict:
    """Read a CAP 1.2 alert (its first info and area); raise ValidationError with per-element errors."""
    if FORBIDDEN.search(data[:4096]) or FORBIDDEN.search(data):
        raise ValidationError({"xml": _("Document type declarations and entities are not accepted.")})
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ValidationError({"xml": _("Not well-formed XML: %(error)s") % {"error": error}}) from None
    if root.tag != f"{{{NS}}}alert":
        raise ValidationError({"xml": _("The root element must be <alert> in the CAP 1.2 namespace.")})
    errors: dict = {}
    result = {
        tag: _text(root, tag, required=True, errors=errors)
        for tag in ("identifier", "sender", "sent", "status", "msgType", "scope")
    }
    result["sent"] = _time(result["sent"], "sent", errors)
    info_element = root.find(f"{{{NS}}}info")
    if info_element is None:
        errors["info"] = _("A warning needs an <info> block.")
        raise ValidationError(errors)
    info = {tag: _text(info_element, tag, required=True, errors=errors) for tag in ("category", "event")}
    for tag in ("urgency", "severity", "certainty"):
        info[tag] = _text(info_element, tag, required=True, errors=errors)
    for tag in ("language", "headline", "description", "instruction"):
        info[tag] = _text(info_element, tag, errors=errors)
    info["effective"] = _time(_text(info_element, "effective", errors=errors), "effective", errors)
    info["expires"] = _time(_text(info_element, "expires", errors=errors), "expires", errors)
    if info["language"] not in ("", "zh-CN", "en"):
        info["language"] = "en" if info["language"].lower().startswith("en") else "zh-CN"
    area_element = info_element.find(f"{{{NS}}}area")
    area: dict = {}
    if area_element is not None:
        area["areaDesc"] = _text(area_element, "areaDesc", required=True, errors=errors)
        polygon = _text(area_element, "polygon", errors=errors)
        circle = _text(area_element, "circle", errors=errors)
        area["polygon"] = _parse_polygon(polygon, errors) if polygon else None
        area["circle"] = _parse_circle(circle, errors) if circle and not polygon else None
    info["area"] = area
    result["info"] = info
    if errors:
        raise ValidationError(errors)
    return result
