"""Writes of the alerts app: drafting, approving (the outbox), cancelling and updating alerts, retries,
acknowledgements, and the scheduled drafts, escalations and reminders.

Approval is the one place deliveries are made: the alert's new state and every delivery row are
written in one transaction, and workers are woken only after it commits (a broker that is down
then is logged, not raised: the sweeper delivers later).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.choices import Category, HazardReporterKind, HazardSeverity, HazardType, IncidentStatus, Priority
from incidents.models import Hazard, Incident
from patrols.models import PatrolCircle, Station
from portal import geo
from portal.audit import audited
from portal.roles import Role, has_role, sees_all_stations

from .choices import (
    AlertKind,
    AlertState,
    AudienceGroup,
    CapCategory,
    CapScope,
    Certainty,
    DeliveryState,
    MsgType,
    Severity,
    Urgency,
)
from .models import Alert, Audience, Delivery, Endpoint

logger = logging.getLogger(__name__)

#: the fields a draft may be given or changed
DRAFT_FIELDS = (
    "kind",
    "status",
    "scope",
    "restriction",
    "note",
    "language",
    "category",
    "event",
    "urgency",
    "severity",
    "certainty",
    "headline",
    "description",
    "instruction",
    "effective",
    "expires",
    "area_desc",
    "area_polygon",
    "circle_lat",
    "circle_lng",
    "circle_radius_m",
    "source_incident",
    "source_hazard",
)


def may_approve(user) -> bool:
    """Station commanders and sub-bureau staff approve alerts; duty officers only draft them."""
    return sees_all_stations(user) or has_role(user, Role.STATION_COMMANDER)


def _check_scope(alert: Alert, by) -> None:
    if by is not None and not Alert.objects.visible_to(by).filter(pk=alert.pk).exists():
        raise ValidationError(_("This alert belongs to another station."), code="scope")


def _check_audiences(station: Station, audiences: Iterable[Audience], by) -> list[Audience]:
    audiences = list(audiences)
    for audience in audiences:
        if audience.station_id != station.pk and not (by is None or sees_all_stations(by)):
            raise ValidationError({"audiences": _("An audience of another station can't be chosen.")})
    return audiences


# --- drafting ----------------------------------------------------------------------------------------


@audited
@transaction.atomic
def alert_draft(
    *, by, station: Station, audiences: Iterable[Audience] = (), references: Alert | None = None, **fields
) -> Alert:
    """A new draft alert (kind, CAP info and area from `fields`); nothing is sent until it is approved."""
    unknown = set(fields) - set(DRAFT_FIELDS) - {"msg_type"}
    if unknown:
        raise TypeError(f"unknown alert fields: {sorted(unknown)}")
    if by is not None and not sees_all_stations(by) and by.station_id != station.pk:
        raise ValidationError({"station": _("You can draft alerts of your own station only.")})
    alert = Alert(station=station, drafted_by=by, references=references, **fields)
    alert.full_clean()
    alert.save()
    alert.audiences.set(_check_audiences(station, audiences, by))
    return alert


@audited
@transaction.atomic
def alert_edit(*, alert: Alert, by, audiences: Iterable[Audience] | None = None, **fields) -> Alert:
    """Change a draft; an approved or cancelled alert is changed only by an Update or a Cancel."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_scope(alert, by)
    if alert.state != AlertState.DRAFT:
        raise ValidationError(_("Only a draft can be edited: send an Update instead."), code="state")
    for name, value in fields.items():
        if name not in DRAFT_FIELDS:
            raise TypeError(f"unknown alert field: {name}")
        setattr(alert, name, value)
    alert.full_clean()
    alert.save()
    if audiences is not None:
        alert.audiences.set(_check_audiences(alert.station, audiences, by))
    return alert


INCIDENT_CATEGORIES = {
    Category.DISPUTE: CapCategory.SECURITY,
    Category.DRUNK_DISORDERLY: CapCategory.SECURITY,
    Category.FIGHT: CapCategory.SECURITY,
    Category.THEFT: CapCategory.SECURITY,
    Category.FRAUD: CapCategory.SECURITY,
    Category.MISSING_PERSON: CapCategory.RESCUE,
    Category.TRAFFIC: CapCategory.TRANSPORT,
    Category.ECOLOGICAL_WILDLIFE: CapCategory.ENV,
    Category.WATER_RESCUE: CapCategory.RESCUE,
    Category.FIRE_HAZARD: CapCategory.FIRE,
    Category.HELP_REQUEST: CapCategory.SAFETY,
    Category.OTHER: CapCategory.OTHER,
}
PRIORITY_URGENCY = {Priority.P1: Urgency.IMMEDIATE, Priority.P2: Urgency.EXPECTED}
PRIORITY_SEVERITY = {Priority.P1: Severity.SEVERE, Priority.P2: Severity.MODERATE}
HAZARD_CATEGORIES = {
    HazardType.WATER: CapCategory.SAFETY,
    HazardType.WILDLIFE: CapCategory.ENV,
    HazardType.FIRE: CapCategory.FIRE,
    HazardType.STRUCTURE: CapCategory.INFRA,
    HazardType.WEATHER: CapCategory.MET,
    HazardType.OTHER: CapCategory.SAFETY,
}
HAZARD_SEVERITY = {
    HazardSeverity.HIGH: Severity.SEVERE,
    HazardSeverity.MEDIUM: Severity.MODERATE,
    HazardSeverity.LOW: Severity.MINOR,
}
DEFAULT_RADIUS_M = 500


def audiences_near(station: Station, lat: float, lng: float, circle: PatrolCircle | None = None) -> list[Audience]:
    """The station's active audiences whose circle or area covers the point (pre-selected in a draft)."""
    chosen = []
    for audience in Audience.objects.active().filter(station=station).select_related("circle"):
        if audience.circle_id:
            covers = (circle is not None and audience.circle_id == circle.pk) or geo.contains(
                audience.circle.boundary, lat, lng
            )
        else:
            covers = bool(audience.area) and geo.contains(audience.area, lat, lng)
        if covers:
            chosen.append(audience)
    return chosen


def prefill_from_incident(incident: Incident) -> dict:
    """A draft's fields from an incident: its category, priority, place and summary (circle of 500 m)."""
    missing = incident.category == Category.MISSING_PERSON
    return {
        "station": incident.station,
        "kind": AlertKind.MISSING_PERSON if missing else AlertKind.WARNING,
        "category": INCIDENT_CATEGORIES.get(incident.category, CapCategory.OTHER),
        "event": str(incident.get_category_display()),
        "urgency": PRIORITY_URGENCY.get(incident.priority, Urgency.FUTURE),
        "severity": PRIORITY_SEVERITY.get(incident.priority, Severity.MINOR),
        "certainty": Certainty.OBSERVED,
        "headline": incident.summary[:160],
        "description": incident.description,
        "area_desc": (incident.address or (incident.circle.name if incident.circle_id else ""))[:200]
        or _("Around incident %(number)s") % {"number": incident.number},
        "circle_lat": incident.lat,
        "circle_lng": incident.lng,
        "circle_radius_m": DEFAULT_RADIUS_M,
        "source_incident": incident,
        "audiences": audiences_near(incident.station, incident.lat, incident.lng, incident.circle),
    }


def prefill_from_hazard(hazard: Hazard) -> dict:
    """A draft's fields from a safety hazard: its type, severity, place and warn radius."""
    weather = hazard.kind == HazardType.WEATHER
    return {
        "station": hazard.station,
        "kind": AlertKind.WEATHER if weather else AlertKind.HAZARD,
        "category": HAZARD_CATEGORIES.get(hazard.kind, CapCategory.SAFETY),
        "event": str(hazard.get_kind_display()),
        "urgency": Urgency.EXPECTED,
        "severity": HAZARD_SEVERITY.get(hazard.severity, Severity.MODERATE),
        "certainty": Certainty.OBSERVED,
        "headline": hazard.title[:160],
        "description": hazard.description,
        "area_desc": (hazard.circle.name if hazard.circle_id else hazard.title)[:200],
        "circle_lat": hazard.lat,
        "circle_lng": hazard.lng,
        "circle_radius_m": hazard.warn_radius_m,
        "source_hazard": hazard,
        "audiences": audiences_near(hazard.station, hazard.lat, hazard.lng, hazard.circle),
    }


def alert_draft_from_incident(*, incident: Incident, by, **overrides) -> Alert:
    return alert_draft(by=by, **{**prefill_from_incident(incident), **overrides})


def alert_draft_from_hazard(*, hazard: Hazard, by, **overrides) -> Alert:
    return alert_draft(by=by, **{**prefill_from_hazard(hazard), **overrides})


# --- approval: the outbox ----------------------------------------------------------------------------


def _write_outbox(alert: Alert, endpoint_ids: Iterable[int], now: datetime) -> int:
    """One pending delivery row per endpoint, due now, each with its own idempotency key; workers woken on commit."""
    rows = [Delivery(alert=alert, endpoint_id=pk, next_attempt_at=now) for pk in endpoint_ids]
    Delivery.objects.bulk_create(rows, batch_size=500)
    count = len(rows)
    if count:
        from .delivery import workers_wanted
        from .tasks import wake_workers

        wanted = workers_wanted(count)
        transaction.on_commit(lambda: wake_workers(alert_id=alert.pk, count=wanted))
    return count


def _release(alert: Alert, *, by, now: datetime) -> Alert:
    """Mark an alert approved and write its outbox; the caller holds the row lock."""
    alert.state = AlertState.APPROVED
    alert.approved_by = by
    alert.approved_at = alert.sent = now
    if alert.effective is None:
        alert.effective = now
    alert.full_clean()
    alert.save()
    endpoints = Endpoint.objects.active().filter(audience__alerts=alert).distinct().order_by("pk")
    _write_outbox(alert, endpoints.values_list("pk", flat=True), now)
    if alert.msg_type == MsgType.CANCEL and alert.references_id:
        _cancel_original(alert.references_id, by=by, now=now)
    return alert


def _cancel_original(alert_id: int, *, by, now: datetime) -> None:
    original = Alert.objects.select_for_update().get(pk=alert_id)
    if original.state == AlertState.APPROVED:
        original.state = AlertState.CANCELLED
        original.cancelled_by, original.cancelled_at = by, now
        original.save(update_fields=["state", "cancelled_by", "cancelled_at", "updated_at"])
    # what hasn't gone out yet of a cancelled alert never will
    Delivery.objects.filter(alert_id=alert_id, state__in=[DeliveryState.PENDING, DeliveryState.FAILED]).update(
        state=DeliveryState.DEAD, last_error=_("The alert was cancelled before this was sent."), next_attempt_at=None
    )


@audited
@transaction.atomic
def alert_approve(*, alert: Alert, by) -> Alert:
    """Approve a draft: its state and one delivery row per active endpoint of its audiences, in one transaction."""
    if not may_approve(by):
        raise ValidationError(_("Only a station commander or sub-bureau staff can approve an alert."), code="role")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_scope(alert, by)
    if alert.state != AlertState.DRAFT:
        raise ValidationError(
            _("Only a draft can be approved; this one is %(state)s.") % {"state": alert.get_state_display()},
            code="state",
        )
    if alert.references_id and alert.references.state != AlertState.APPROVED:
        raise ValidationError(_("The referenced alert is no longer in force."), code="references")
    if not alert.audiences.exists():
        raise ValidationError({"audiences": _("Choose at least one audience before approving.")})
    return _release(alert, by=by, now=timezone.now())


def _follow_up(alert: Alert, *, by, msg_type: str, **changes) -> Alert:
    original = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_scope(original, by)
    if original.state != AlertState.APPROVED:
        raise ValidationError(_("Only an approved alert in force can be updated or cancelled."), code="state")
    fields = {name: getattr(original, name) for name in DRAFT_FIELDS}
    fields.update(changes)
    follow = Alert(station=original.station, drafted_by=by, references=original, msg_type=msg_type, **fields)
    follow.full_clean()
    follow.save()
    follow.audiences.set(original.audiences.all())
    return follow


@audited
@transaction.atomic
def alert_update(*, alert: Alert, by, **changes) -> Alert:
    """Draft an Update of an approved alert (same audiences, its fields with `changes`), for approval."""
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown alert fields: {sorted(unknown)}")
    return _follow_up(alert, by=by, msg_type=MsgType.UPDATE, **changes)


@audited
@transaction.atomic
def alert_cancel(*, alert: Alert, by, note: str = "") -> Alert:
    """Cancel an alert. A draft is simply withdrawn. An approved one gets a CAP Cancel referencing it,
    sent at once to the same audiences when `by` may approve (else left as a draft to approve).
    """
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_scope(current, by)
    now = timezone.now()
    if current.state == AlertState.DRAFT:
        current.state = AlertState.CANCELLED
        current.cancelled_by, current.cancelled_at = by, now
        current.save(update_fields=["state", "cancelled_by", "cancelled_at", "updated_at"])
        return current
    changes = {"note": note.strip()[:300]} if note.strip() else {}
    cancel = _follow_up(current, by=by, msg_type=MsgType.CANCEL, **changes)
    if may_approve(by):
        return _release(cancel, by=by, now=now)
    return cancel


# --- deliveries --------------------------------------------------------------------------------------


@audited
@transaction.atomic
def delivery_retry(*, delivery: Delivery, by) -> Delivery:
    """Give a dead delivery a fresh start (after its endpoint was fixed, say): pending, attempts from zero."""
    delivery = Delivery.objects.select_for_update().select_related("alert").get(pk=delivery.pk)
    if by is not None and not Delivery.objects.visible_to(by).filter(pk=delivery.pk).exists():
        raise ValidationError(_("This delivery belongs to another station."), code="scope")
    if delivery.state != DeliveryState.DEAD:
        raise ValidationError(_("Only a dead delivery can be retried."), code="state")
    if delivery.alert.state != AlertState.APPROVED:
        raise ValidationError(_("The alert is no longer in force."), code="alert")
    now = timezone.now()
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.rate_limited = False
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "rate_limited", "updated_at"])
    from .tasks import wake_workers

    transaction.on_commit(lambda: wake_workers(alert_id=delivery.alert_id))
    return delivery


@transaction.atomic
def delivery_acknowledge(*, token: str) -> Delivery:
    """Record a recipient's acknowledgement from a signed link (the first one counts; repeats change nothing)."""
    from .channels import read_ack_token

    try:
        delivery_id, key_prefix = read_ack_token(token)
    except signing.SignatureExpired:
        raise ValidationError(_("This acknowledgement link has expired."), code="expired") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(_("This acknowledgement link is not valid."), code="invalid") from None
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or not delivery.idempotency_key.startswith(key_prefix):
        raise ValidationError(_("This acknowledgement link is not valid."), code="invalid")
    if delivery.acknowledged_at is None:
        if delivery.sent_at is None:
            # the link can only have been read from a message that arrived: its mark was lost with a worker
            raise ValidationError(_("This message is still being delivered; try again in a minute."), code="early")
        delivery.acknowledged_at = timezone.now()
        delivery.save(update_fields=["acknowledged_at", "updated_at"])
    return delivery


# --- schedules ---------------------------------------------------------------------------------------


def _auto_alert(
    *, auto_key: str, station: Station, audiences: list[Audience], approve: bool, **fields
) -> Alert | None:
    """Make a schedule's alert once per `auto_key` (a repeat run, or a second beat, makes nothing)."""
    if Alert.objects.filter(auto_key=auto_key).exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert(station=station, auto_key=auto_key, **fields)
            alert.full_clean(exclude=["auto_key"])
            alert.save()
            alert.audiences.set(audiences)
            if approve:
                _release(alert, by=None, now=timezone.now())
    except IntegrityError:  # another worker made it at the same moment
        return None
    return alert


def staff_audiences(station: Station) -> list[Audience]:
    return list(Audience.objects.active().filter(station=station, group=AudienceGroup.STAFF))


def p1_escalate(*, now: datetime | None = None) -> list[Alert]:
    """A P1 incident still not dispatched after ALERT_P1_ESCALATION_MINUTES: one escalation to its
    station's commanders (the station's staff audiences), sent at once, never twice for one incident.
    """
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.ALERT_P1_ESCALATION_MINUTES)
    late = (
        Incident.objects.filter(priority=Priority.P1, status=IncidentStatus.REPORTED, first_dispatched_at__isnull=True)
        .filter(reported_at__lte=limit)
        .exclude(alerts__auto_key__startswith="p1-escalation:")
        .select_related("station")
    )
    made = []
    for incident in late:
        minutes = int((now - incident.reported_at).total_seconds() // 60)
        alert = _auto_alert(
            auto_key=f"p1-escalation:{incident.pk}",
            station=incident.station,
            audiences=staff_audiences(incident.station),
            approve=True,
            kind=AlertKind.WARNING,
            scope=CapScope.RESTRICTED,
            restriction=_("Commanders of %(station)s") % {"station": incident.station.name},
            category=INCIDENT_CATEGORIES.get(incident.category, CapCategory.OTHER),
            event=_("P1 incident not dispatched"),
            urgency=Urgency.IMMEDIATE,
            severity=Severity.SEVERE,
            certainty=Certainty.OBSERVED,
            headline=(
                _("P1 incident %(number)s not dispatched after %(minutes)d minutes")
                % {"number": incident.number, "minutes": minutes}
            )[:160],
            description=incident.summary,
            instruction=_("Dispatch a team now, or record why none can go."),
            area_desc=(incident.address or incident.number)[:200],
            circle_lat=incident.lat,
            circle_lng=incident.lng,
            circle_radius_m=DEFAULT_RADIUS_M,
            source_incident=incident,
        )
        if alert is not None:
            made.append(alert)
    return made


def hazard_remind_overdue(*, today: date | None = None) -> list[Alert]:
    """Each open hazard past its due date: one reminder a day to its station's commanders."""
    today = today or timezone.localdate()
    made = []
    for hazard in Hazard.objects.overdue(today).select_related("station"):
        days = (today - hazard.due_date).days
        alert = _auto_alert(
            auto_key=f"hazard-reminder:{hazard.pk}:{today.isoformat()}",
            station=hazard.station,
            audiences=staff_audiences(hazard.station),
            approve=True,
            kind=AlertKind.HAZARD,
            scope=CapScope.RESTRICTED,
            restriction=_("Commanders of %(station)s") % {"station": hazard.station.name},
            category=HAZARD_CATEGORIES.get(hazard.kind, CapCategory.SAFETY),
            event=_("Hazard remediation overdue"),
            urgency=Urgency.EXPECTED,
            severity=HAZARD_SEVERITY.get(hazard.severity, Severity.MODERATE),
            certainty=Certainty.OBSERVED,
            headline=(
                _("Hazard “%(title)s” is %(days)d days past its due date") % {"title": hazard.title, "days": days}
            )[:160],
            description=hazard.description,
            instruction=_("Remediate the hazard or record its progress."),
            area_desc=hazard.title[:200],
            circle_lat=hazard.lat,
            circle_lng=hazard.lng,
            circle_radius_m=hazard.warn_radius_m,
            source_hazard=hazard,
        )
        if alert is not None:
            made.append(alert)
    return made


def bulletin_draft_weekly(*, today: date | None = None) -> list[Alert]:
    """Monday's incident bulletin (警情通报) per station, from last week's figures per circle: a draft to approve."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    start_day = monday - timedelta(days=7)
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    year, week, _weekday = start_day.isocalendar()
    made = []
    for station in Station.objects.order_by("pk"):
        incidents = Incident.objects.filter(station=station, reported_at__gte=start, reported_at__lt=end)
        lines = []
        for circle in PatrolCircle.objects.filter(station=station).order_by("name"):
            lines.append(_figures_line(circle.name, incidents.filter(circle=circle)))
        outside = incidents.filter(circle__isnull=True)
        if outside.exists():
            lines.append(_figures_line(_("Outside the circles"), outside))
        total = incidents.count()
        alert = _auto_alert(
            auto_key=f"weekly-bulletin:{station.pk}:{year}-W{week:02d}",
            station=station,
            audiences=list(Audience.objects.active().filter(station=station).exclude(group=AudienceGroup.STAFF)),
            approve=False,
            kind=AlertKind.BULLETIN,
            category=CapCategory.SECURITY,
            event=_("Weekly incident bulletin"),
            urgency=Urgency.PAST,
            severity=Severity.MINOR,
            certainty=Certainty.OBSERVED,
            headline=(
                _("%(station)s: %(total)d incidents in the week of %(start)s")
                % {"station": station.name, "total": total, "start": start_day.isoformat()}
            )[:160],
            description="\n".join(lines) or _("No incidents were recorded."),
            instruction=_("Stay alert to the categories that rose, and pass on clues to the station."),
            effective=timezone.now(),
            expires=timezone.now() + timedelta(days=7),
        )
        if alert is not None:
            made.append(alert)
    return made


def _figures_line(name: str, incidents) -> str:
    by_category = Counter(incidents.values_list("category", flat=True))
    labels = dict(Category.choices)
    parts = ", ".join(f"{labels.get(c, c)} {n}" for c, n in by_category.most_common())
    resolved = incidents.filter(status__in=[IncidentStatus.RESOLVED, IncidentStatus.CLOSED]).count()
    return _("%(circle)s: %(total)d incidents (%(resolved)d resolved)%(parts)s") % {
        "circle": name,
        "total": sum(by_category.values()),
        "resolved": resolved,
        "parts": f": {parts}" if parts else "",
    }


# --- meteorological intake -----------------------------------------------------------------------------


@audited
@transaction.atomic
def weather_intake(*, by, cap: dict, station: Station | None = None) -> tuple[Alert, Hazard | None]:
    """A CAP warning from the meteorological department: a draft weather alert and, where it names an
    area inside the sub-bureau, a weather hazard at that area (its station found from the point).
    """
    from incidents.services import hazard_report, incident_placement

    info = cap["info"]
    area = info.get("area") or {}
    polygon, circle = area.get("polygon"), area.get("circle")
    point = None
    if polygon:
        point = geo.centroid(polygon)
    elif circle:
        point = (circle["lat"], circle["lng"])
    if station is None and point is not None:
        station = incident_placement(lat=point[0], lng=point[1]).station
    if station is None:
        station = by.station if by is not None and by.station_id else Station.objects.order_by("pk").first()
    if station is None:
        raise ValidationError(_("There is no station to give the warning to."))
    fields = {
        "kind": AlertKind.WEATHER,
        "status": cap["status"] if cap["status"] != "Draft" else "Actual",
        "scope": CapScope.PUBLIC,
        "language": info.get("language") or "zh-CN",
        "category": info["category"],
        "event": info["event"][:100],
        "urgency": info["urgency"],
        "severity": info["severity"],
        "certainty": info["certainty"],
        "headline": (info.get("headline") or info["event"])[:160],
        "description": info.get("description", ""),
        "instruction": info.get("instruction", ""),
        "effective": info.get("effective"),
        "expires": info.get("expires"),
        "area_desc": (area.get("areaDesc") or "")[:200],
        "area_polygon": polygon,
        "note": _("From %(sender)s, CAP %(identifier)s") % {"sender": cap["sender"], "identifier": cap["identifier"]},
    }
    if circle:
        fields.update(circle_lat=circle["lat"], circle_lng=circle["lng"], circle_radius_m=circle["radius_m"])
    hazard = None
    if point is not None:
        radius = circle["radius_m"] if circle else _radius_of(polygon, point)
        hazard = hazard_report(
            by=by,
            kind=HazardType.WEATHER,
            title=fields["headline"][:100],
            lat=point[0],
            lng=point[1],
            reported_by_kind=HazardReporterKind.DEPARTMENT,
            reported_by_text=cap["sender"][:100],
            severity={Severity.EXTREME: "high", Severity.SEVERE: "high", Severity.MINOR: "low"}.get(
                info["severity"], "medium"
            ),
            warn_radius_m=max(1, min(5000, radius)),
            description=fields["description"],
            station=station,
        )
        fields["source_hazard"] = hazard
    alert = alert_draft(
        by=None,
        station=station,
        audiences=audiences_near(station, *point) if point else [],
        **fields,
    )
    if by is not None:
        alert.drafted_by = by
        alert.save(update_fields=["drafted_by"])
    return alert, hazard


def _radius_of(polygon: dict, point: tuple[float, float]) -> int:
    min_lng, min_lat, max_lng, max_lat = geo.bbox(polygon)
    corners = [(min_lat, min_lng), (min_lat, max_lng), (max_lat, min_lng), (max_lat, max_lng)]
    return int(max(geo.distance_m(point[0], point[1], lat, lng) for lat, lng in corners))
