"""Every write of the incidents app. Views, forms, the API, commands and seed data call these.

Conventions (HackSoft style): keyword-only arguments, typed, one transaction each, `by` is the user
acting (every audit-log entry written inside is attributed to them, also outside a request).
Refusals are `ValidationError`s with a translated message (a dict keyed by field where a form field
is to blame) and change nothing: no row, no timeline event, no team state.

Each service returns the fresh row it changed; the instance passed in is not updated, so use the
return value:

    incident = incident_report(by=user, category=Category.FIGHT, priority=Priority.P2,
                               source=Source.CALL_110, lat=26.6612, lng=119.5523,
                               occurred_at=now, summary="...")
    incident = incident_dispatch(incident=incident, team=team, by=user)
    incident = incident_arrive(incident=incident, team=team, by=user)
    incident = incident_resolve(incident=incident, by=user, outcome="...")

The transition services take an optional `at` (aware datetime, not in the future, not before the
incident's previous stage) for steps entered after the fact; by default it is now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrols.choices import DUTY_TRANSITIONS, DutyState
from patrols.models import Informant, PatrolCircle, PatrolPost, PatrolTeam, Station
from patrols.services import team_set_duty_state
from portal import geo
from portal.audit import audited

from . import rollups
from .choices import (
    HAZARD_TRANSITIONS,
    INCIDENT_TRANSITIONS,
    OPEN_STATUSES,
    SERVICE_REQUEST_TRANSITIONS,
    TIP_TRANSITIONS,
    EventKind,
    HazardSeverity,
    IncidentStatus,
    MediationOutcome,
    RemediationStatus,
    ServiceRequestStatus,
    Source,
    TipChannel,
    TipStatus,
)
from .models import (
    Assignment,
    Hazard,
    Incident,
    IncidentCounter,
    IncidentEvent,
    InvolvedPerson,
    MediationCase,
    MediationFollowUp,
    MediationSession,
    ServiceRequest,
    ServiceType,
    Tip,
)

# A little tolerance for clocks of phones that run ahead of the server.
CLOCK_SKEW = timedelta(minutes=2)


# --- plumbing ---------------------------------------------------------------------------------


def _required_text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    return value


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise ValidationError({field: _("Give the time with its time zone.")}, code="naive")
    return value


def _when(at: datetime | None, *floors: datetime | None, field: str = "at") -> datetime:
    """The time of a step: `at` or now; never in the future, never before the previous steps."""
    now = timezone.now()
    if at is None:
        at = now
    _aware(at, field)
    if at > now + CLOCK_SKEW:
        raise ValidationError({field: _("The time can't be in the future.")}, code="future")
    floor = max((f for f in floors if f is not None), default=None)
    if floor is not None and at < floor:
        raise ValidationError(
            {
                field: _("The time can't be before the previous step (%(floor)s).")
                % {"floor": timezone.localtime(floor).strftime("%Y-%m-%d %H:%M:%S")}
            },
            code="before_previous",
        )
    return at


def _lock_incident(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    rollups.remember(locked)  # the day and station it counted in before this change
    return locked


def _lock_team(team: PatrolTeam) -> PatrolTeam:
    return PatrolTeam.objects.select_for_update().get(pk=team.pk)


def _event(
    incident: Incident,
    *,
    kind: str,
    by,
    at: datetime | None = None,
    text: str = "",
    team=None,
    from_status: str = "",
    to_status: str = "",
    changes: dict | None = None,
) -> IncidentEvent:
    # Every write of an incident writes an event: the one place that keeps the dashboards' rollups current.
    rollups.incident_changed(incident)
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        actor=by,
        at=at or timezone.now(),
        version=incident.version,
        text=text,
        team=team,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
    )


def _touch(incident: Incident) -> None:
    """Move `updated_at` on (API clients sync on it) without a new version: the row's fields didn't change."""
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now())


def _save(incident: Incident, fields: Iterable[str]) -> None:
    """Save a changed incident under a new version."""
    incident.version += 1
    incident.save(update_fields=[*fields, "version", "updated_at"])


def _check_transition(incident: Incident, to_status: str) -> None:
    if to_status not in INCIDENT_TRANSITIONS[incident.status]:
        raise ValidationError(
            _("Incident %(number)s is “%(current)s”: it can't become “%(new)s”.")
            % {
                "number": incident.number,
                "current": IncidentStatus(incident.status).label,
                "new": IncidentStatus(to_status).label,
            },
            code="illegal_transition",
        )


# --- placement and numbers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a point belongs: a circle (or None outside every circle) and the station responsible."""

    circle: PatrolCircle | None
    station: Station


def incident_placement(*, lat: float, lng: float) -> Placement:
    """The first active circle containing the point and its station; outside every circle, the nearest station.

    Pages may call it to preview the placement of a point clicked on the map.
    """
    return incident_placements(lats=[lat], lngs=[lng])[0]


def incident_placements(*, lats: Sequence[float], lngs: Sequence[float]) -> list[Placement]:
    """`incident_placement` of many points at once (imports): two queries and one vectorised pass per circle."""
    circles = list(PatrolCircle.objects.active().select_related("station").order_by("pk"))
    found = geo.first_containing_each(circles, lats, lngs)
    in_circle = {circle.pk: Placement(circle=circle, station=circle.station) for circle in circles}
    stations: list[Station] | None = None
    placements = []
    for lat, lng, circle in zip(lats, lngs, found, strict=True):
        if circle is not None:
            placements.append(in_circle[circle.pk])
            continue
        if stations is None:
            stations = list(Station.objects.order_by("pk"))
            if not stations:
                raise ValidationError(
                    _("No police station is set up yet: an incident can't be placed."), code="no_station"
                )
        nearest = min(stations, key=lambda s: geo.distance_m(lat, lng, s.lat, s.lng))
        placements.append(Placement(circle=None, station=nearest))
    return placements


def _choose_placement(
    *, lat: float, lng: float, circle: PatrolCircle | None, station: Station | None, override_reason: str
) -> tuple[Placement, Placement | None]:
    """(the placement to use, the derived one it overrides or None).

    A station alone keeps the derived circle when it is that circle's station, else means "no
    circle"; a circle alone brings its station. Anything differing from the derived placement
    needs a reason.
    """
    derived = incident_placement(lat=lat, lng=lng)
    if circle is None and station is None:
        return derived, None
    if circle is None:
        circle = derived.circle if station == derived.station else None
    elif station is None:
        station = circle.station
    elif circle.station_id != station.pk:
        raise ValidationError({"circle": _("The circle belongs to another station.")}, code="circle_station")
    chosen = Placement(circle=circle, station=station)
    if chosen == derived:
        return derived, None
    if not (override_reason or "").strip():
        raise ValidationError(
            {
                "override_reason": _(
                    "Give a reason for placing the incident in another circle or station than its location gives."
                )
            },
            code="override_reason",
        )
    return chosen, derived


def _describe(placement: Placement | None) -> str:
    if placement is None:
        return ""
    return f"{placement.circle or _('no circle')} / {placement.station}"


def _allocate_number(*, reported_at: datetime, station: Station) -> tuple[int, int, str]:
    """(year, sequence, number) of the next incident, e.g. DQ-2026-000123.

    The year's counter row is created if missing and then locked (select_for_update) until the
    transaction ends, so concurrent reports get consecutive, distinct numbers on PostgreSQL; on
    SQLite the write transaction (IMMEDIATE mode) serialises them.
    """
    year = timezone.localtime(reported_at).year
    sequence = allocate_sequences(year=year, count=1)
    return year, sequence, incident_number(prefix=station.sub_bureau.code, year=year, sequence=sequence)


def allocate_sequences(*, year: int, count: int) -> int:
    """Take `count` consecutive sequence numbers of `year`; returns the first.

    The year's counter row is created if missing and locked until the transaction ends (see
    `_allocate_number`); call it inside a transaction.
    """
    IncidentCounter.objects.get_or_create(year=year)
    counter = IncidentCounter.objects.select_for_update().get(year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def incident_number(*, prefix: str, year: int, sequence: int) -> str:
    """The number shown for an incident: the sub-bureau's code, the year and the sequence, e.g. DQ-2026-000123."""
    return f"{prefix}-{year}-{sequence:06d}"


# --- incidents ------------------------------------------------------------------------------------


class StaleIncidentError(ValidationError):
    """An edit made over a version of the incident that has since changed.

    `changed_fields` are the labels of what changed after the editor's version, `events` the
    timeline entries that changed it; the message names both the fields and who changed them.
    """

    def __init__(self, *, incident: Incident, expected_version: int, events: list[IncidentEvent]):
        fields: list[str] = []
        for event in events:
            for name in _fields_of(event):
                label = str(Incident._meta.get_field(name).verbose_name)
                if label not in fields:
                    fields.append(label)
        who = sorted({str(e.actor) for e in events if e.actor is not None})
        self.changed_fields = fields
        self.events = events
        super().__init__(
            _(
                "Incident %(number)s was changed by %(who)s after you opened it (your version %(expected)s, now "
                "%(current)s). Changed: %(fields)s. Reload it and make your changes again."
            )
            % {
                "number": incident.number,
                "who": ", ".join(who) or _("someone else"),
                "expected": expected_version,
                "current": incident.version,
                "fields": ", ".join(fields) or _("details"),
            },
            code="stale",
        )


def _fields_of(event: IncidentEvent) -> list[str]:
    if event.kind in (EventKind.EDIT, EventKind.OVERRIDE):
        return [name for name in event.changes if name != "placement_override_reason"]
    if event.kind == EventKind.TRANSITION:
        return ["status", "teams"] if event.team_id else ["status"]
    if event.kind == EventKind.ASSIGNMENT:
        return ["teams"]
    return []


#: the fields `incident_update` may change; status and stage times move only by the transitions
EDITABLE_FIELDS = frozenset(
    {
        "category",
        "priority",
        "source",
        "occurred_at",
        "address",
        "summary",
        "description",
        "outcome",
        "lat",
        "lng",
        "circle",
        "station",
    }
)


@audited
@transaction.atomic
def incident_report(
    *,
    by,
    category: str,
    priority: str,
    source: str,
    lat: float,
    lng: float,
    occurred_at: datetime,
    summary: str,
    description: str = "",
    address: str = "",
    reported_at: datetime | None = None,
    circle: PatrolCircle | None = None,
    station: Station | None = None,
    override_reason: str = "",
    note: str = "",
) -> Incident:
    """Record a new incident: number it, place it, and open its timeline.

    The circle and station come from the point (see `incident_placement`) unless `circle` and/or
    `station` are given, which then needs `override_reason`; the reason is kept on the incident
    and an override event is added after the "reported" one. `note` is the first event's text.
    """
    try:
        lat, lng = geo.validate_point(lat, lng)
    except ValidationError as error:
        raise ValidationError({"lat": error.messages}) from None
    reported_at = _when(reported_at, field="reported_at")
    _aware(occurred_at, "occurred_at")
    if occurred_at > reported_at:
        raise ValidationError({"occurred_at": _("An incident can't occur after it was reported.")}, code="order")
    placement, derived = _choose_placement(
        lat=lat, lng=lng, circle=circle, station=station, override_reason=override_reason
    )
    year, sequence, number = _allocate_number(reported_at=reported_at, station=placement.station)
    incident = Incident(
        number=number,
        year=year,
        sequence=sequence,
        category=category,
        priority=priority,
        source=source,
        occurred_at=occurred_at,
        reported_at=reported_at,
        lat=lat,
        lng=lng,
        address=address.strip(),
        circle=placement.circle,
        station=placement.station,
        summary=(summary or "").strip(),
        description=description,
        reported_by=by,
        placement_override_reason=override_reason.strip() if derived else "",
    )
    incident.full_clean()
    incident.save()
    _event(incident, kind=EventKind.TRANSITION, by=by, at=reported_at, to_status=IncidentStatus.REPORTED, text=note)
    if derived is not None:
        _event(
            incident,
            kind=EventKind.OVERRIDE,
            by=by,
            at=reported_at,
            text=incident.placement_override_reason,
            changes={
                "circle": [str(derived.circle or ""), str(placement.circle or "")],
                "station": [str(derived.station), str(placement.station)],
            },
        )
    return incident


@audited
@transaction.atomic
def incident_update(*, incident: Incident, by, expected_version: int, override_reason: str = "", **fields) -> Incident:
    """Edit an incident's details (EDITABLE_FIELDS) if nobody changed it since `expected_version`.

    A moved version raises `StaleIncidentError` naming the fields changed meanwhile and by whom.
    Fields equal to their current value are ignored, so a form may post all of them; nothing
    changed means no new version and no event. A moved point is placed again, unless the incident's
    placement was overridden (that choice stands); a changed circle or station is an override and
    needs `override_reason`. One "edit" (or "override") event records {field: [old, new]}.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"incident_update() can't change {', '.join(sorted(unknown))}; use the transition services")
    locked = _lock_incident(incident)
    if locked.version != expected_version:
        events = list(locked.events.filter(version__gt=expected_version).select_related("actor"))
        raise StaleIncidentError(incident=locked, expected_version=expected_version, events=events)
    changed = {name: value for name, value in fields.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    old = {name: getattr(locked, name) for name in changed}
    override = None
    if {"lat", "lng", "circle", "station"} & changed.keys():
        lat, lng = changed.get("lat", locked.lat), changed.get("lng", locked.lng)
        try:
            lat, lng = geo.validate_point(lat, lng)
        except ValidationError as error:
            raise ValidationError({"lat": error.messages}) from None
        changed.update(lat=lat, lng=lng)
        if "circle" in changed or "station" in changed:
            placement, override = _choose_placement(
                lat=lat,
                lng=lng,
                circle=changed.get("circle", locked.circle),
                station=changed.get("station", locked.station),
                override_reason=override_reason,
            )
            changed["placement_override_reason"] = override_reason.strip() if override else ""
        elif locked.placement_override_reason:
            placement = Placement(circle=locked.circle, station=locked.station)
        else:
            placement = incident_placement(lat=lat, lng=lng)
        changed.update(circle=placement.circle, station=placement.station)
    for name, value in changed.items():
        old.setdefault(name, getattr(locked, name))
        setattr(locked, name, value)
    diff = {name: [_plain(old[name]), _plain(value)] for name, value in changed.items() if old[name] != value}
    if not diff:
        return locked
    locked.full_clean()
    _save(locked, diff.keys())
    labels = ", ".join(str(Incident._meta.get_field(name).verbose_name) for name in diff)
    _event(
        locked,
        kind=EventKind.OVERRIDE if override else EventKind.EDIT,
        by=by,
        changes=diff,
        text=override_reason.strip() if override else _("Changed: %(fields)s.") % {"fields": labels},
    )
    return locked


def _plain(value) -> str | float | int | None:
    """A JSON-friendly form of a field value for an edit event."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return str(value)


def _active_elsewhere(team: PatrolTeam, incident: Incident) -> Assignment | None:
    """The team's active assignment to another open incident, if any."""
    return (
        Assignment.objects.active()
        .filter(team=team, incident__status__in=OPEN_STATUSES)
        .exclude(incident=incident)
        .select_related("incident")
        .first()
    )


def _check_team_free(team: PatrolTeam, incident: Incident, *, override: bool) -> str:
    """Refuse an off-duty or busy team unless overridden; returns what was overridden ("" if nothing)."""
    busy = _active_elsewhere(team, incident)
    if busy is not None and not override:
        raise ValidationError(
            {
                "team": _(
                    "%(team)s is already on incident %(number)s; dispatch it with an override to send it anyway."
                )
                % {"team": team, "number": busy.incident.number}
            },
            code="team_busy",
        )
    if team.duty_state == DutyState.OFF_DUTY and not override:
        raise ValidationError(
            {
                "team": _("%(team)s is off duty; put it on patrol first, or dispatch it with an override.")
                % {"team": team}
            },
            code="team_off_duty",
        )
    if busy is not None:
        return _("was on incident %(number)s") % {"number": busy.incident.number}
    if team.duty_state == DutyState.OFF_DUTY:
        return _("was off duty")
    return ""


def _move_team(team: PatrolTeam, state: str, *, by, note: str) -> None:
    """Keep a team's duty state in step with its incidents.

    The incident services are the authority here: their own checks (busy, off duty, override) have
    passed, so a move outside the manual table (e.g. returning -> on scene when a returning team
    comes upon an incident) is forced; team_set_duty_state still records who and when.
    """
    if team.duty_state == state:
        return
    force = state not in DUTY_TRANSITIONS.get(team.duty_state, ())
    team_set_duty_state(team=team, state=state, by=by, note=note[:200], force=force)


def _release_teams(incident: Incident, *, by, at: datetime) -> None:
    """Clear every active assignment; each team with nothing else to do starts returning."""
    for assignment in incident.assignments.active().order_by("pk"):
        assignment.cleared_at = at
        assignment.save(update_fields=["cleared_at"])
        team = _lock_team(assignment.team)
        if team.duty_state in (DutyState.RESPONDING, DutyState.ON_SCENE) and _active_elsewhere(team, incident) is None:
            _move_team(team, DutyState.RETURNING, by=by, note=incident.number)


def _assignment_times(incident: Incident) -> list[datetime | None]:
    times: list[datetime | None] = []
    for dispatched_at, arrived_at in incident.assignments.active().values_list("dispatched_at", "arrived_at"):
        times += [dispatched_at, arrived_at]
    return times


@audited
@transaction.atomic
def incident_dispatch(
    *, incident: Incident, team: PatrolTeam, by, override: bool = False, at: datetime | None = None
) -> Incident:
    """Send a team: a reported incident becomes dispatched; an open one gets another team.

    The team starts responding. A team already on another open incident, or off duty, is refused
    unless `override` is given (what was overridden is kept on the assignment). The first dispatch
    sets `first_dispatched_at`; later ones add an assignment event and leave it alone.
    """
    incident = _lock_incident(incident)
    if incident.status == IncidentStatus.REPORTED:
        _check_transition(incident, IncidentStatus.DISPATCHED)
    elif incident.status not in OPEN_STATUSES:
        _check_transition(incident, IncidentStatus.DISPATCHED)  # raises: an ended incident takes no team
    team = _lock_team(team)
    if incident.assignments.active().filter(team=team).exists():
        raise ValidationError(
            {"team": _("%(team)s is already assigned to this incident.") % {"team": team}}, code="already_assigned"
        )
    overridden = _check_team_free(team, incident, override=override)
    at = _when(at, incident.reported_at, incident.first_dispatched_at)
    Assignment.objects.create(incident=incident, team=team, dispatched_at=at, by=by, override_note=overridden)
    _move_team(team, DutyState.RESPONDING, by=by, note=incident.number)
    if incident.status == IncidentStatus.REPORTED:
        incident.status = IncidentStatus.DISPATCHED
        incident.first_dispatched_at = at
        _save(incident, ["status", "first_dispatched_at"])
        _event(
            incident,
            kind=EventKind.TRANSITION,
            by=by,
            at=at,
            team=team,
            from_status=IncidentStatus.REPORTED,
            to_status=IncidentStatus.DISPATCHED,
            text=overridden,
        )
    else:
        _save(incident, [])
        _event(
            incident,
            kind=EventKind.ASSIGNMENT,
            by=by,
            at=at,
            team=team,
            text=_("Dispatched %(team)s.") % {"team": team} + (f" ({overridden})" if overridden else ""),
        )
    return incident


@audited
@transaction.atomic
def incident_mark_en_route(
    *, incident: Incident, by, team: PatrolTeam | None = None, at: datetime | None = None
) -> Incident:
    """A dispatched incident's team is on its way."""
    incident = _lock_incident(incident)
    _check_transition(incident, IncidentStatus.EN_ROUTE)
    at = _when(at, incident.first_dispatched_at)
    previous = incident.status
    incident.status = IncidentStatus.EN_ROUTE
    _save(incident, ["status"])
    _event(
        incident,
        kind=EventKind.TRANSITION,
        by=by,
        at=at,
        team=team,
        from_status=previous,
        to_status=IncidentStatus.EN_ROUTE,
    )
    return incident


@audited
@transaction.atomic
def incident_arrive(
    *, incident: Incident, by, team: PatrolTeam | None = None, override: bool = False, at: datetime | None = None
) -> Incident:
    """A team is on the scene.

    From reported (a patrol that came upon the incident: `first_dispatched_at` stays empty, so no
    travel time), dispatched or en route the incident goes on scene and `first_arrived_at` is set;
    on an incident already on scene it records a further team's arrival. A team not assigned yet is
    added (and, like a dispatch, refused when busy elsewhere or off duty unless `override`). With no
    team, the only dispatched team that hasn't arrived is taken, if there is exactly one.
    """
    incident = _lock_incident(incident)
    if incident.status != IncidentStatus.ON_SCENE:
        _check_transition(incident, IncidentStatus.ON_SCENE)
    elif team is None:
        raise ValidationError(
            _("Incident %(number)s is already on scene.") % {"number": incident.number}, code="illegal_transition"
        )
    assignment = None
    overridden = ""
    if team is not None:
        team = _lock_team(team)
        assignment = incident.assignments.active().filter(team=team).first()
        if assignment is not None and assignment.arrived_at is not None:
            raise ValidationError(
                {"team": _("%(team)s has already arrived.") % {"team": team}}, code="already_arrived"
            )
        if assignment is None:
            overridden = _check_team_free(team, incident, override=override)
    else:
        waiting = list(incident.assignments.active().filter(arrived_at__isnull=True).select_related("team")[:2])
        if len(waiting) == 1:
            assignment = waiting[0]
            team = _lock_team(assignment.team)
    at = _when(at, incident.reported_at, incident.first_dispatched_at, assignment and assignment.dispatched_at)
    if assignment is None and team is not None:
        assignment = Assignment(incident=incident, team=team, by=by, override_note=overridden)
    if assignment is not None:
        assignment.arrived_at = at
        assignment.save()
        _move_team(team, DutyState.ON_SCENE, by=by, note=incident.number)
    if incident.status != IncidentStatus.ON_SCENE:
        previous = incident.status
        incident.status = IncidentStatus.ON_SCENE
        incident.first_arrived_at = at
        _save(incident, ["status", "first_arrived_at"])
        _event(
            incident,
            kind=EventKind.TRANSITION,
            by=by,
            at=at,
            team=team,
            from_status=previous,
            to_status=IncidentStatus.ON_SCENE,
            text=overridden,
        )
    else:
        _save(incident, [])
        _event(
            incident, kind=EventKind.ASSIGNMENT, by=by, at=at, team=team, text=_("%(team)s arrived.") % {"team": team}
        )
    return incident


@audited
@transaction.atomic
def incident_resolve(*, incident: Incident, by, outcome: str, at: datetime | None = None) -> Incident:
    """The incident is dealt with: record the outcome, clear the teams (they start returning)."""
    incident = _lock_incident(incident)
    _check_transition(incident, IncidentStatus.RESOLVED)
    outcome = _required_text(outcome, "outcome", _("Describe the outcome."))
    at = _when(at, incident.reported_at, incident.first_arrived_at, *_assignment_times(incident))
    _release_teams(incident, by=by, at=at)
    previous = incident.status
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = at
    incident.outcome = outcome
    _save(incident, ["status", "resolved_at", "outcome"])
    _event(
        incident,
        kind=EventKind.TRANSITION,
        by=by,
        at=at,
        from_status=previous,
        to_status=IncidentStatus.RESOLVED,
        text=outcome,
    )
    return incident


@audited
@transaction.atomic
def incident_close(*, incident: Incident, by, note: str = "", at: datetime | None = None) -> Incident:
    """Close a resolved incident (its record is complete)."""
    incident = _lock_incident(incident)
    _check_transition(incident, IncidentStatus.CLOSED)
    at = _when(at, incident.resolved_at)
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = at
    _save(incident, ["status", "closed_at"])
    _event(
        incident,
        kind=EventKind.TRANSITION,
        by=by,
        at=at,
        from_status=IncidentStatus.RESOLVED,
        to_status=IncidentStatus.CLOSED,
        text=note.strip(),
    )
    return incident


def _end(incident: Incident, *, to_status: str, by, reason: str, at: datetime | None) -> Incident:
    incident = _lock_incident(incident)
    _check_transition(incident, to_status)
    reason = _required_text(reason, "reason", _("Give the reason."))
    at = _when(
        at, incident.reported_at, incident.first_dispatched_at, incident.first_arrived_at, *_assignment_times(incident)
    )
    _release_teams(incident, by=by, at=at)
    previous = incident.status
    incident.status = to_status
    _save(incident, ["status"])
    _event(incident, kind=EventKind.TRANSITION, by=by, at=at, from_status=previous, to_status=to_status, text=reason)
    return incident


@audited
@transaction.atomic
def incident_cancel(*, incident: Incident, by, reason: str, at: datetime | None = None) -> Incident:
    """Cancel an incident that needs no handling (a false or duplicate report); its teams are cleared."""
    return _end(incident, to_status=IncidentStatus.CANCELLED, by=by, reason=reason, at=at)


@audited
@transaction.atomic
def incident_transfer(*, incident: Incident, by, reason: str, at: datetime | None = None) -> Incident:
    """Hand an open incident to another unit (the reason says which and why); its teams are cleared."""
    return _end(incident, to_status=IncidentStatus.TRANSFERRED, by=by, reason=reason, at=at)


@audited
@transaction.atomic
def incident_add_note(*, incident: Incident, by, text: str) -> IncidentEvent:
    """Add a note to the timeline (allowed at every status, also after the close)."""
    text = _required_text(text, "text", _("Write the note."))
    incident = Incident.objects.get(pk=incident.pk)
    event = _event(incident, kind=EventKind.NOTE, by=by, text=text)
    _touch(incident)
    return event


# --- dispatch suggestions -----------------------------------------------------------------------

_STATE_RANK = {
    DutyState.PATROLLING: 0,
    DutyState.RETURNING: 1,
    DutyState.RESPONDING: 2,
    DutyState.ON_SCENE: 2,
    DutyState.OFF_DUTY: 3,
}


@dataclass(frozen=True)
class DispatchSuggestion:
    """A team that could be sent, how far it is, and what would stop it (`busy_with`, off duty)."""

    team: PatrolTeam
    distance_m: float | None
    in_circle: bool
    busy_with: str | None = None

    @property
    def available(self) -> bool:
        """Dispatchable without an override."""
        return self.busy_with is None and self.team.duty_state != DutyState.OFF_DUTY


def dispatch_suggestions(*, incident: Incident, user=None) -> list[DispatchSuggestion]:
    """Teams to send to an incident, best first.

    Order: teams of the incident's circle first; then patrolling, returning, busy (responding or
    on scene), off duty last; then distance in metres from the team's position (last reported,
    else its base post; unknown last); then name. Teams already on this incident are left out;
    with `user`, only the teams they may see.
    """
    teams = PatrolTeam.objects.visible_to(user) if user is not None else PatrolTeam.objects.all()
    already = incident.assignments.active().values_list("team_id", flat=True)
    teams = teams.select_related("base_post", "circle").exclude(pk__in=list(already))
    busy = dict(
        Assignment.objects.active()
        .filter(incident__status__in=OPEN_STATUSES)
        .exclude(incident=incident)
        .values_list("team_id", "incident__number")
    )
    suggestions = []
    for team in teams:
        position = team.position
        distance = round(geo.distance_m(incident.lat, incident.lng, *position), 1) if position else None
        suggestions.append(
            DispatchSuggestion(
                team=team,
                distance_m=distance,
                busy_with=busy.get(team.pk),
                in_circle=incident.circle_id is not None and team.circle_id == incident.circle_id,
            )
        )

    def rank(s: DispatchSuggestion):
        state = _STATE_RANK.get(s.team.duty_state, 3)
        if s.busy_with and state < 2:
            state = 2
        return (not s.in_circle, state, s.distance_m is None, s.distance_m or 0.0, s.team.name)

    return sorted(suggestions, key=rank)


# --- involved persons -------------------------------------------------------------------------


@audited
@transaction.atomic
def person_add(
    *, incident: Incident, by, role: str, name: str, phone: str = "", id_number: str = "", notes: str = ""
) -> InvolvedPerson:
    """Add a person involved in an incident. The timeline names the role and name, never phone or ID."""
    person = InvolvedPerson(
        incident=incident,
        role=role,
        name=(name or "").strip(),
        phone=(phone or "").strip(),
        id_number=(id_number or "").strip().upper(),
        notes=notes,
    )
    person.full_clean()
    person.save()
    _event(incident, kind=EventKind.PERSON, by=by, text=_("Added %(person)s.") % {"person": person})
    _touch(incident)
    return person


PERSON_FIELDS = frozenset({"role", "name", "phone", "id_number", "notes"})


@audited
@transaction.atomic
def person_update(*, person: InvolvedPerson, by, **fields) -> InvolvedPerson:
    """Change a person's details (PERSON_FIELDS)."""
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"person_update() can't change {', '.join(sorted(unknown))}")
    person = InvolvedPerson.objects.select_for_update().get(pk=person.pk)
    changed = [name for name, value in fields.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, fields[name])
    person.full_clean()
    person.save()
    labels = ", ".join(str(InvolvedPerson._meta.get_field(name).verbose_name) for name in changed)
    _event(
        person.incident,
        kind=EventKind.PERSON,
        by=by,
        text=_("Changed %(person)s: %(fields)s.") % {"person": person, "fields": labels},
    )
    _touch(person.incident)
    return person


@audited
@transaction.atomic
def person_remove(*, person: InvolvedPerson, by) -> None:
    """Remove a person entered by mistake (the audit log keeps the row, masked)."""
    incident = person.incident
    _event(incident, kind=EventKind.PERSON, by=by, text=_("Removed %(person)s.") % {"person": person})
    person.delete()
    _touch(incident)


# --- tips -----------------------------------------------------------------------------------------


def _check_tip_transition(tip: Tip, to_status: str) -> None:
    if to_status not in TIP_TRANSITIONS[tip.status]:
        raise ValidationError(
            _("This tip is “%(current)s”: it can't become “%(new)s”.")
            % {"current": TipStatus(tip.status).label, "new": TipStatus(to_status).label},
            code="illegal_transition",
        )


@audited
@transaction.atomic
def tip_record(
    *,
    by,
    channel: str,
    content: str,
    station: Station | None = None,
    informant: Informant | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    received_at: datetime | None = None,
) -> Tip:
    """Put a tip in a station's inbox.

    The station is the one given, else the one its point is placed in, else the informant's
    circle's station, else the recording user's station.
    """
    if station is None:
        if lat is not None and lng is not None:
            try:
                lat, lng = geo.validate_point(lat, lng)
            except ValidationError as error:
                raise ValidationError({"lat": error.messages}) from None
            station = incident_placement(lat=lat, lng=lng).station
        elif informant is not None:
            station = informant.circle.station
        elif getattr(by, "station", None) is not None:
            station = by.station
        else:
            raise ValidationError({"station": _("Choose the station that handles this tip.")}, code="required")
    tip = Tip(
        station=station,
        informant=informant,
        channel=channel,
        content=(content or "").strip(),
        lat=lat,
        lng=lng,
        address=address.strip(),
        received_at=_when(received_at, field="received_at"),
        recorded_by=by,
    )
    tip.full_clean()
    tip.save()
    return tip


@audited
@transaction.atomic
def tip_verify(*, tip: Tip, by) -> Tip:
    """The tip was checked and holds."""
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    _check_tip_transition(tip, TipStatus.VERIFIED)
    tip.status, tip.handled_by, tip.handled_at = TipStatus.VERIFIED, by, timezone.now()
    tip.save(update_fields=["status", "handled_by", "handled_at"])
    return tip


@audited
@transaction.atomic
def tip_dismiss(*, tip: Tip, by, reason: str) -> Tip:
    """The tip leads nowhere (the reason is kept)."""
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    _check_tip_transition(tip, TipStatus.DISMISSED)
    tip.dismiss_reason = _required_text(reason, "reason", _("Give the reason."))
    tip.status, tip.handled_by, tip.handled_at = TipStatus.DISMISSED, by, timezone.now()
    tip.save(update_fields=["status", "dismiss_reason", "handled_by", "handled_at"])
    return tip


_TIP_SOURCES = {
    TipChannel.INFORMANT: Source.INFORMANT_TIP,
    TipChannel.CHAT_GROUP: Source.CHAT_GROUP,
    TipChannel.PHONE: Source.INFORMANT_TIP,
    TipChannel.WALK_IN: Source.WALK_IN,
    TipChannel.ONLINE: Source.ONLINE,
}


@audited
@transaction.atomic
def tip_convert(
    *,
    tip: Tip,
    by,
    category: str,
    priority: str,
    summary: str = "",
    description: str = "",
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    occurred_at: datetime | None = None,
    circle: PatrolCircle | None = None,
    station: Station | None = None,
    override_reason: str = "",
) -> Incident:
    """Turn a verified tip into an incident (through `incident_report`) and link the two.

    The location is the one given, else the tip's (one is needed); the summary defaults to the
    tip's first line, the occurrence time to when the tip came in, the source follows the channel.
    """
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    _check_tip_transition(tip, TipStatus.CONVERTED)
    if lat is None or lng is None:
        if not tip.has_point:
            raise ValidationError({"lat": _("The tip has no location: give one for the incident.")}, code="required")
        lat, lng = tip.lat, tip.lng
    incident = incident_report(
        by=by,
        category=category,
        priority=priority,
        source=_TIP_SOURCES[tip.channel],
        lat=lat,
        lng=lng,
        occurred_at=occurred_at or tip.received_at,
        summary=summary or tip.content.splitlines()[0][:200],
        description=description or tip.content,
        address=address or tip.address,
        circle=circle,
        station=station,
        override_reason=override_reason,
        note=_("Converted from tip #%(id)s.") % {"id": tip.pk},
    )
    tip.status, tip.incident, tip.handled_by, tip.handled_at = TipStatus.CONVERTED, incident, by, timezone.now()
    tip.save(update_fields=["status", "incident", "handled_by", "handled_at"])
    return incident


# --- mediation ------------------------------------------------------------------------------------


def _mediation_event(case: MediationCase, *, by, text: str) -> None:
    _event(case.incident, kind=EventKind.MEDIATION, by=by, text=text)
    _touch(case.incident)


@audited
@transaction.atomic
def mediation_open(
    *, incident: Incident, room: PatrolPost, by, parties: str, agencies: Iterable[str] = (), mediator: str = ""
) -> MediationCase:
    """Take a dispute to a mediation room. Refused for other categories, rooms that aren't mediation
    rooms, and incidents that already have a pending case."""
    case = MediationCase(
        incident=incident,
        station_id=incident.station_id,
        room=room,
        parties=(parties or "").strip(),
        agencies=list(agencies),
        mediator=mediator.strip(),
        opened_by=by,
    )
    case.full_clean()
    case.save()
    _mediation_event(case, by=by, text=_("Mediation opened in %(room)s.") % {"room": room})
    return case


def _lock_case(case: MediationCase) -> MediationCase:
    return MediationCase.objects.select_for_update(of=("self",)).select_related("incident").get(pk=case.pk)


def _check_day(day: date, *, not_before: datetime, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date can't be in the future.")}, code="future")
    if day < timezone.localtime(not_before).date():
        raise ValidationError({field: _("The date can't be before the case was opened or closed.")}, code="order")


@audited
@transaction.atomic
def mediation_add_session(
    *, case: MediationCase, by, held_on: date, notes: str, attendees: str = ""
) -> MediationSession:
    """Record a sitting of a pending case."""
    case = _lock_case(case)
    if case.outcome != MediationOutcome.PENDING:
        raise ValidationError(_("The case is closed: no more sessions."), code="closed")
    _check_day(held_on, not_before=case.opened_at, field="held_on")
    session = MediationSession(
        case=case, held_on=held_on, notes=(notes or "").strip(), attendees=attendees.strip(), recorded_by=by
    )
    session.full_clean()
    session.save()
    return session


@audited
@transaction.atomic
def mediation_close(
    *, case: MediationCase, by, outcome: str, agreement: str = "", referred_to: str = "", at: datetime | None = None
) -> MediationCase:
    """Close a pending case as settled (needs the agreement), failed, or referred (needs where to)."""
    case = _lock_case(case)
    if case.outcome != MediationOutcome.PENDING:
        raise ValidationError(_("The case is already closed."), code="closed")
    if outcome not in (MediationOutcome.SETTLED, MediationOutcome.FAILED, MediationOutcome.REFERRED):
        raise ValidationError({"outcome": _("Choose settled, failed or referred.")}, code="invalid")
    agreement = (agreement or case.agreement or "").strip()
    if outcome == MediationOutcome.SETTLED and not agreement:
        raise ValidationError({"agreement": _("A settlement needs the agreement text.")}, code="required")
    if outcome == MediationOutcome.REFERRED:
        referred_to = _required_text(referred_to, "referred_to", _("Say where the case was referred to."))
    case.outcome, case.agreement, case.referred_to = outcome, agreement, referred_to.strip()
    case.closed_at = _when(at, case.opened_at)
    case.save(update_fields=["outcome", "agreement", "referred_to", "closed_at"])
    _mediation_event(
        case, by=by, text=_("Mediation closed: %(outcome)s.") % {"outcome": MediationOutcome(outcome).label}
    )
    return case


@audited
@transaction.atomic
def mediation_add_follow_up(
    *, case: MediationCase, by, visited_on: date, notes: str = "", agreement_kept: bool | None = None
) -> MediationFollowUp:
    """Record a follow-up visit to a settled case."""
    case = _lock_case(case)
    if case.outcome != MediationOutcome.SETTLED:
        raise ValidationError(_("Follow-up visits are for settled cases."), code="not_settled")
    _check_day(visited_on, not_before=case.closed_at, field="visited_on")
    follow_up = MediationFollowUp(
        case=case, visited_on=visited_on, notes=(notes or "").strip(), agreement_kept=agreement_kept, visited_by=by
    )
    follow_up.full_clean()
    follow_up.save()
    return follow_up


# --- hazards --------------------------------------------------------------------------------------


@audited
@transaction.atomic
def hazard_report(
    *,
    by,
    kind: str,
    title: str,
    lat: float,
    lng: float,
    reported_by_kind: str,
    severity: str = HazardSeverity.MEDIUM,
    warn_radius_m: int = 100,
    reported_by_text: str = "",
    description: str = "",
    due_date: date | None = None,
    station: Station | None = None,
) -> Hazard:
    """Record a safety hazard; its circle comes from its point, its station too unless given."""
    try:
        lat, lng = geo.validate_point(lat, lng)
    except ValidationError as error:
        raise ValidationError({"lat": error.messages}) from None
    placement = incident_placement(lat=lat, lng=lng)
    hazard = Hazard(
        kind=kind,
        title=(title or "").strip(),
        lat=lat,
        lng=lng,
        reported_by_kind=reported_by_kind,
        reported_by_text=reported_by_text.strip(),
        severity=severity,
        warn_radius_m=warn_radius_m,
        description=description,
        due_date=due_date,
        station=station or placement.station,
        circle=placement.circle,
        created_by=by,
    )
    hazard.full_clean()
    hazard.save()
    return hazard


@audited
@transaction.atomic
def hazard_set_status(*, hazard: Hazard, by, status: str, note: str = "") -> Hazard:
    """Move a hazard's remediation along HAZARD_TRANSITIONS (remediated -> in progress reopens it)."""
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if status not in HAZARD_TRANSITIONS.get(hazard.status, ()):
        raise ValidationError(
            _("This hazard is “%(current)s”: it can't become “%(new)s”.")
            % {
                "current": RemediationStatus(hazard.status).label,
                "new": RemediationStatus(status).label if status in RemediationStatus.values else status,
            },
            code="illegal_transition",
        )
    now = timezone.now()
    hazard.status, hazard.status_note = status, note.strip()[:300]
    if status == RemediationStatus.REMEDIATED:
        hazard.remediated_at = now
    elif status == RemediationStatus.IN_PROGRESS:
        hazard.remediated_at = None
    if status == RemediationStatus.CLOSED:
        hazard.closed_at = now
    hazard.save(update_fields=["status", "status_note", "remediated_at", "closed_at", "updated_at"])
    return hazard


def hazards_near(*, lat: float, lng: float, user=None) -> list[Hazard]:
    """Open hazards whose warn radius covers the point, nearest first, each with `distance_m` set.

    With `user`, only the hazards they may see (pages pass it).
    """
    hazards = Hazard.objects.visible_to(user) if user is not None else Hazard.objects.all()
    found = list(hazards.near(lat, lng).select_related("station"))
    for hazard in found:
        hazard.distance_m = round(geo.distance_m(lat, lng, hazard.lat, hazard.lng), 1)
    return sorted(found, key=lambda h: h.distance_m)


# --- service requests -----------------------------------------------------------------------------


@audited
@transaction.atomic
def service_request_create(
    *,
    by,
    service_type: ServiceType,
    station: Station,
    requester_name: str,
    phone: str = "",
    details: str = "",
    received_at: datetime | None = None,
) -> ServiceRequest:
    """Receive a consultation or errand request; it falls due after the service's time limit."""
    if not service_type.is_active:
        raise ValidationError({"service_type": _("This service is no longer offered.")}, code="inactive")
    received_at = _when(received_at, field="received_at")
    request = ServiceRequest(
        service_type=service_type,
        station=station,
        requester_name=(requester_name or "").strip(),
        phone=(phone or "").strip(),
        details=details,
        received_at=received_at,
        recorded_by=by,
        due_at=received_at + timedelta(hours=service_type.time_limit_hours),
    )
    request.full_clean()
    request.save()
    return request


def _move_request(service_request: ServiceRequest, *, by, status: str, result: str = "") -> ServiceRequest:
    service_request = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    if status not in SERVICE_REQUEST_TRANSITIONS[service_request.status]:
        raise ValidationError(
            _("This request is “%(current)s”: it can't become “%(new)s”.")
            % {
                "current": ServiceRequestStatus(service_request.status).label,
                "new": ServiceRequestStatus(status).label,
            },
            code="illegal_transition",
        )
    service_request.status, service_request.handled_by = status, by
    if status in (ServiceRequestStatus.COMPLETED, ServiceRequestStatus.REJECTED):
        service_request.closed_at = timezone.now()
        service_request.result = result
    service_request.save(update_fields=["status", "handled_by", "closed_at", "result"])
    return service_request


@audited
@transaction.atomic
def service_request_start(*, service_request: ServiceRequest, by) -> ServiceRequest:
    """Someone is working on the request."""
    return _move_request(service_request, by=by, status=ServiceRequestStatus.IN_PROGRESS)


@audited
@transaction.atomic
def service_request_complete(*, service_request: ServiceRequest, by, result: str) -> ServiceRequest:
    """The request is done; `result` says what was answered or done."""
    result = _required_text(result, "result", _("Say what was done."))
    return _move_request(service_request, by=by, status=ServiceRequestStatus.COMPLETED, result=result)


@audited
@transaction.atomic
def service_request_reject(*, service_request: ServiceRequest, by, reason: str) -> ServiceRequest:
    """The request can't be taken on; `reason` says why."""
    reason = _required_text(reason, "reason", _("Give the reason."))
    return _move_request(service_request, by=by, status=ServiceRequestStatus.REJECTED, result=reason)
