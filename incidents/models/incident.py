"""The incident, its team assignments, its append-only timeline and the people involved."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, PatrolTeam, Station, phone_validator
from portal import privacy
from portal.models import LocatedModel

from .. import querysets
from ..choices import END_STATUSES, OPEN_STATUSES, Category, EventKind, IncidentStatus, PersonRole, Priority, Source
from ..validators import validate_resident_id


def _interval(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


def _after(later: str, earlier: str) -> Q:
    """`later` is empty, or `earlier` is empty, or later >= earlier."""
    return Q(**{f"{later}__isnull": True}) | Q(**{f"{earlier}__isnull": True}) | Q(**{f"{later}__gte": F(earlier)})


def _requires(statuses, field: str) -> Q:
    """Rows in one of `statuses` have `field` set."""
    return ~Q(status__in=list(statuses)) | Q(**{f"{field}__isnull": False})


class IncidentCounter(models.Model):
    """The last sequence number given to an incident in a year.

    `incident_report` locks the year's row (select_for_update) while it takes the next number, so
    that two duty officers recording at the same moment never get the same number. Internal: not
    audited, not shown.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("incident number counter")
        verbose_name_plural = _("incident number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Incident(LocatedModel):
    """One incident (警情): what happened, where, who handled it, and every step from report to close.

    Its circle and station are derived from its point (point-in-polygon over the active circles;
    outside every circle, the nearest station) unless an officer overrode them with a reason. Its
    status moves only through the services of `incidents.services`, which keep the stage times
    (`first_dispatched_at`, `first_arrived_at`, `resolved_at`, `closed_at`) exact and never
    back-fill a stage that did not happen. `version` grows with every change, so that a form saved
    over a newer version is refused rather than silently overwriting it.
    """

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P3)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.REPORTED,
        editable=False,
        db_index=True,
    )
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    circle = models.ForeignKey(
        PatrolCircle,
        verbose_name=_("circle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="incidents")
    placement_override_reason = models.CharField(
        _("reason for the placement override"),
        max_length=300,
        blank=True,
        help_text=_("Why the circle or station differs from the one found from the location."),
    )
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    teams = models.ManyToManyField(
        PatrolTeam, verbose_name=_("teams"), through="Assignment", blank=True, related_name="incidents"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_incidents",
        editable=False,
    )
    first_dispatched_at = models.DateTimeField(_("first dispatched at"), null=True, blank=True, editable=False)
    first_arrived_at = models.DateTimeField(_("first arrived at"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    external_ref = models.CharField(
        _("external reference"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("The incident's number in the system it was imported from (unique when given)."),
    )
    import_batch = models.ForeignKey(
        "incidents.IncidentImport",
        verbose_name=_("imported with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = querysets.IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["lat", "lng"], name="incident_point")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="incident_external_ref_unique",
                violation_error_message=_("An incident with this external reference already exists."),
            ),
            models.UniqueConstraint(
                fields=["year", "sequence"],
                name="incident_sequence_unique_per_year",
                violation_error_message=_("This incident number is already taken."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values),
                name="incident_status_valid",
                violation_error_message=_("Unknown incident status."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="incident_version_positive",
                violation_error_message=_("The version starts at 1."),
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__lte=F("reported_at")),
                name="incident_occurred_by_report",
                violation_error_message=_("An incident can't occur after it was reported."),
            ),
            models.CheckConstraint(
                condition=_after("first_dispatched_at", "reported_at"),
                name="incident_dispatch_after_report",
                violation_error_message=_("A dispatch can't precede the report."),
            ),
            models.CheckConstraint(
                condition=_after("first_arrived_at", "reported_at"),
                name="incident_arrival_after_report",
                violation_error_message=_("An arrival can't precede the report."),
            ),
            models.CheckConstraint(
                condition=_after("first_arrived_at", "first_dispatched_at"),
                name="incident_arrival_after_dispatch",
                violation_error_message=_("An arrival can't precede the dispatch."),
            ),
            models.CheckConstraint(
                condition=_after("resolved_at", "reported_at"),
                name="incident_resolved_after_report",
                violation_error_message=_("An incident can't be resolved before it was reported."),
            ),
            models.CheckConstraint(
                condition=_after("resolved_at", "first_arrived_at"),
                name="incident_resolved_after_arrival",
                violation_error_message=_("An incident can't be resolved before the arrival."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("resolved_at")),
                name="incident_closed_after_resolved",
                violation_error_message=_("Only a resolved incident can be closed, after it was resolved."),
            ),
            models.CheckConstraint(
                condition=_requires((IncidentStatus.DISPATCHED, IncidentStatus.EN_ROUTE), "first_dispatched_at"),
                name="incident_dispatched_has_time",
                violation_error_message=_("A dispatched incident needs its dispatch time."),
            ),
            models.CheckConstraint(
                condition=_requires((IncidentStatus.ON_SCENE,), "first_arrived_at"),
                name="incident_on_scene_has_time",
                violation_error_message=_("An incident on scene needs its arrival time."),
            ),
            models.CheckConstraint(
                condition=_requires((IncidentStatus.RESOLVED, IncidentStatus.CLOSED), "resolved_at"),
                name="incident_resolved_has_time",
                violation_error_message=_("A resolved incident needs its resolution time."),
            ),
            models.CheckConstraint(
                condition=Q(status=IncidentStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=IncidentStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="incident_closed_iff_closed_at",
                violation_error_message=_("Exactly the closed incidents have a closing time."),
            ),
            models.CheckConstraint(
                condition=~Q(status=IncidentStatus.REPORTED)
                | Q(first_dispatched_at__isnull=True, first_arrived_at__isnull=True, resolved_at__isnull=True),
                name="incident_reported_has_no_stages",
                violation_error_message=_("A newly reported incident has no later stage times."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    def get_absolute_url(self) -> str:
        try:
            return reverse("incidents:incident_detail", args=[self.pk])
        except NoReverseMatch:  # the pages are wired in later; the admin and API don't depend on it
            return ""

    def clean(self):
        super().clean()
        if self.circle_id and self.station_id and self.circle.station_id != self.station_id:
            raise ValidationError({"circle": _("The circle belongs to another station.")})

    def geojson_properties(self) -> dict:
        return {
            "number": self.number,
            "summary": self.summary,
            "category": self.category,
            "priority": self.priority,
            "status": self.status,
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
        }

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_ended(self) -> bool:
        return self.status in END_STATUSES

    # The intervals dashboards report (DESIGN.md): None when either end is missing, never guessed.
    @property
    def queue_time(self) -> timedelta | None:
        """Reported -> first dispatch."""
        return _interval(self.reported_at, self.first_dispatched_at)

    @property
    def travel_time(self) -> timedelta | None:
        """First dispatch -> first arrival; None for a patrol that found the incident (no dispatch)."""
        return _interval(self.first_dispatched_at, self.first_arrived_at)

    @property
    def response_time(self) -> timedelta | None:
        """Reported -> first arrival."""
        return _interval(self.reported_at, self.first_arrived_at)

    @property
    def on_scene_time(self) -> timedelta | None:
        """First arrival -> resolved."""
        return _interval(self.first_arrived_at, self.resolved_at)


class Assignment(models.Model):
    """A team sent to (or found at) an incident: when dispatched, when it arrived, when it was cleared.

    `dispatched_at` is empty for a patrol that discovered the incident itself. An active assignment
    (not cleared) holds the team: it can't be sent to another open incident without an override.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="assignments"
    )
    team = models.ForeignKey(PatrolTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="assignments")
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_note = models.CharField(
        _("override"), max_length=200, blank=True, help_text=_("Why a busy or off-duty team was sent.")
    )

    objects = querysets.AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["incident", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "team"],
                condition=Q(cleared_at__isnull=True),
                name="assignment_one_active_per_team",
                violation_error_message=_("The team is already assigned to this incident."),
            ),
            models.CheckConstraint(
                condition=_after("arrived_at", "dispatched_at"),
                name="assignment_arrival_order",
                violation_error_message=_("A team can't arrive before it was dispatched."),
            ),
            models.CheckConstraint(
                condition=_after("cleared_at", "arrived_at") & _after("cleared_at", "dispatched_at"),
                name="assignment_cleared_order",
                violation_error_message=_("A team can't be cleared before it was sent or arrived."),
            ),
            models.CheckConstraint(
                condition=Q(dispatched_at__isnull=False) | Q(arrived_at__isnull=False),
                name="assignment_dispatched_or_arrived",
                violation_error_message=_("An assignment is either a dispatch or an arrival."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident.number} ← {self.team}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class IncidentEvent(models.Model):
    """One entry of an incident's timeline: a status change, assignment, note, override or edit.

    Append-only: written by the services with its actor and time, never changed or deleted (not
    even in bulk). `version` is the incident's version after the event, so that a refused edit can
    say what changed since the version the editor started from; `changes` holds an edit's
    {field: [old, new]}.
    """

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=IncidentStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=IncidentStatus.choices, blank=True)
    team = models.ForeignKey(
        PatrolTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_events",
    )
    text = models.TextField(_("text"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_events",
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = querysets.AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The incident timeline is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The incident timeline is append-only."))


class InvolvedPerson(models.Model):
    """A person involved in an incident: reporter, victim, suspect, witness or other.

    Phone and ID number are personal data: shown masked (`phone_masked`, `id_number_masked`) unless
    revealed through `portal.privacy.reveal`, which logs it; the audit log stores them masked too.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="persons"
    )
    role = models.CharField(_("role"), max_length=20, choices=PersonRole.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, validators=[validate_resident_id])
    notes = models.TextField(_("notes"), blank=True)

    objects = querysets.IncidentChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("involved person")
        verbose_name_plural = _("involved persons")
        ordering = ["incident", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        self.id_number = (self.id_number or "").strip().upper()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.id_number = (self.id_number or "").strip().upper()

    @property
    def phone_masked(self) -> str:
        return privacy.masked(self, "phone")

    @property
    def id_number_masked(self) -> str:
        return privacy.masked(self, "id_number")
