"""Around the incident: tips, mediation cases, safety hazards and police service requests."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.choices import PostKind
from patrols.models import Informant, PatrolCircle, PatrolPost, Station, phone_validator
from portal import geo, privacy
from portal.models import LocatedModel

from .. import querysets
from ..choices import (
    OPEN_HAZARD_STATUSES,
    Category,
    HazardReporterKind,
    HazardSeverity,
    HazardType,
    MediationAgency,
    MediationOutcome,
    RemediationStatus,
    ServiceKind,
    ServiceRequestStatus,
    TipChannel,
    TipStatus,
)
from .incident import Incident

# The incident categories a mediation case may come from (the Fengqiao way settles disputes).
MEDIATION_CATEGORIES = frozenset({Category.DISPUTE})


def _page_url(name: str, pk) -> str:
    """The URL of an inbox page (`incidents:<name>`), or "" while the pages aren't wired in."""
    try:
        return reverse(f"incidents:{name}", args=[pk])
    except NoReverseMatch:
        return ""


class Tip(models.Model):
    """A clue (线索) from an informant, a chat group or the public, waiting in a station's inbox.

    Workflow `new -> verified -> converted` (an incident is created and linked) or `dismissed`.
    The location is optional: a clue may come without one.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="tips")
    informant = models.ForeignKey(
        Informant, verbose_name=_("informant"), null=True, blank=True, on_delete=models.PROTECT, related_name="tips"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=TipChannel.choices)
    content = models.TextField(_("content"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TipStatus.choices, default=TipStatus.NEW, editable=False, db_index=True
    )
    incident = models.OneToOneField(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="tip",
    )
    dismiss_reason = models.CharField(_("reason for dismissal"), max_length=300, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)

    objects = querysets.TipQuerySet.as_manager()

    class Meta:
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True) | Q(lat__isnull=False, lng__isnull=False),
                name="tip_point_complete",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(status=TipStatus.CONVERTED, incident__isnull=False)
                | (~Q(status=TipStatus.CONVERTED) & Q(incident__isnull=True)),
                name="tip_converted_iff_incident",
                violation_error_message=_("Exactly the converted tips are linked to an incident."),
            ),
        ]

    def __str__(self) -> str:
        return self.content[:40]

    def get_absolute_url(self) -> str:
        return _page_url("tip_detail", self.pk)

    def clean(self):
        super().clean()
        if (self.lat is None) != (self.lng is None):
            raise ValidationError({"lng": _("Give both latitude and longitude, or neither.")})
        if self.lat is not None:
            try:
                self.lat, self.lng = geo.validate_point(self.lat, self.lng)
            except ValidationError as error:
                raise ValidationError({"lat": error.messages}) from None
        if self.channel == TipChannel.INFORMANT and not self.informant_id:
            raise ValidationError({"informant": _("Choose the informant who passed on the tip.")})

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lng is not None


class MediationCase(models.Model):
    """A dispute taken to a mediation room and settled the Fengqiao way, at the grassroots.

    Opened from a dispute incident, held in a post of kind mediation room, with the agencies that
    take part, dated sessions, the agreement and follow-up visits; closed as settled, failed or
    referred. An incident has at most one pending case.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="mediation_cases"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="mediation_cases", editable=False
    )
    room = models.ForeignKey(
        PatrolPost,
        verbose_name=_("mediation room"),
        on_delete=models.PROTECT,
        related_name="mediation_cases",
        limit_choices_to={"kind": PostKind.MEDIATION_ROOM},
    )
    parties = models.TextField(_("parties"), help_text=_("One party per line."))
    agencies = models.JSONField(
        _("participating agencies"), default=list, blank=True, help_text=_("Values of MediationAgency.")
    )
    mediator = models.CharField(_("mediator"), max_length=100, blank=True)
    agreement = models.TextField(_("agreement"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=MediationOutcome.choices, default=MediationOutcome.PENDING, editable=False
    )
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = querysets.MediationCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(outcome=MediationOutcome.PENDING),
                name="mediation_one_pending_per_incident",
                violation_error_message=_("This incident already has a pending mediation case."),
            ),
            models.CheckConstraint(
                condition=Q(outcome=MediationOutcome.PENDING, closed_at__isnull=True)
                | (~Q(outcome=MediationOutcome.PENDING) & Q(closed_at__isnull=False)),
                name="mediation_closed_iff_outcome",
                violation_error_message=_("A case is closed exactly when it has an outcome."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="mediation_closed_after_opened",
                violation_error_message=_("A case can't close before it opened."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident.number} @ {self.room}"

    def get_absolute_url(self) -> str:
        return _page_url("mediation_detail", self.pk)

    def clean(self):
        super().clean()
        errors = {}
        if self.incident_id and self.incident.category not in MEDIATION_CATEGORIES:
            errors["incident"] = _("Only a dispute incident can go to mediation.")
        if self.room_id and self.room.kind != PostKind.MEDIATION_ROOM:
            errors["room"] = _("Choose a post that is a mediation room.")
        agencies = self.agencies or []
        if not isinstance(agencies, list) or any(a not in MediationAgency.values for a in agencies):
            errors["agencies"] = _("Choose agencies from the list.")
        elif len(set(agencies)) != len(agencies):
            errors["agencies"] = _("Each agency is listed once.")
        if not (self.parties or "").strip():
            errors["parties"] = _("Name the parties.")
        if errors:
            raise ValidationError(errors)

    def get_agencies_display(self) -> list[str]:
        return [str(MediationAgency(a).label) for a in self.agencies or [] if a in MediationAgency.values]

    @property
    def party_list(self) -> list[str]:
        return [line.strip() for line in (self.parties or "").splitlines() if line.strip()]


class MediationSession(models.Model):
    """One sitting of a mediation case, on a date, with who attended and what was said."""

    case = models.ForeignKey(
        MediationCase, verbose_name=_("mediation case"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField(_("held on"))
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = querysets.MediationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class MediationFollowUp(models.Model):
    """A follow-up visit (回访) after a settlement: is the agreement being kept?"""

    case = models.ForeignKey(
        MediationCase, verbose_name=_("mediation case"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    visited_on = models.DateField(_("visited on"))
    agreement_kept = models.BooleanField(_("agreement kept"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = querysets.MediationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation follow-up")
        verbose_name_plural = _("mediation follow-ups")
        ordering = ["case", "visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.visited_on}"


class Hazard(LocatedModel):
    """A safety hazard (安全隐患) with a warn radius: new incidents and patrols near it show the warning.

    Reported by a department, an informant or a patrol; remediated by a due date through
    `open -> in_progress -> remediated -> closed`.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="hazards")
    circle = models.ForeignKey(
        PatrolCircle, verbose_name=_("circle"), null=True, blank=True, on_delete=models.PROTECT, related_name="hazards"
    )
    kind = models.CharField(_("type"), max_length=20, choices=HazardType.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    reported_by_kind = models.CharField(_("reported by"), max_length=20, choices=HazardReporterKind.choices)
    reported_by_text = models.CharField(
        _("reporter"), max_length=100, blank=True, help_text=_("The department, informant or team that reported it.")
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=HazardSeverity.choices, default=HazardSeverity.MEDIUM
    )
    warn_radius_m = models.PositiveIntegerField(_("warn radius (m)"), default=100)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("remediation status"),
        max_length=20,
        choices=RemediationStatus.choices,
        default=RemediationStatus.OPEN,
        editable=False,
        db_index=True,
    )
    status_note = models.CharField(_("latest remediation note"), max_length=300, blank=True, editable=False)
    remediated_at = models.DateTimeField(_("remediated at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = querysets.HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("safety hazard")
        verbose_name_plural = _("safety hazards")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_radius_m__gte=1) & Q(warn_radius_m__lte=5000),
                name="hazard_radius_range",
                violation_error_message=_("The warn radius must be 1–5000 m."),
            ),
            models.CheckConstraint(
                condition=Q(status=RemediationStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=RemediationStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="hazard_closed_iff_closed_at",
                violation_error_message=_("Exactly the closed hazards have a closing time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _page_url("hazard_detail", self.pk)

    def geojson_properties(self) -> dict:
        return {
            "title": self.title,
            "kind": self.kind,
            "severity": self.severity,
            "status": self.status,
            "warn_radius_m": self.warn_radius_m,
        }

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_HAZARD_STATUSES


class ServiceType(models.Model):
    """An entry of the police-service catalogue (警务咨询 / 警务代办), with the time limit it is promised in."""

    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    time_limit_hours = models.PositiveIntegerField(_("time limit (hours)"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = querysets.ServiceTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_limit_hours__gte=1),
                name="service_type_time_limit_positive",
                violation_error_message=_("The time limit is at least one hour."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceRequest(models.Model):
    """A resident's request for a consultation or an errand, handled by a station within the time limit.

    `due_at` is the receipt time plus the service type's time limit, fixed when the request is
    received (a later change of the catalogue doesn't move promises already made).
    """

    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="requests"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="service_requests"
    )
    requester_name = models.CharField(_("requester"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ServiceRequestStatus.choices,
        default=ServiceRequestStatus.RECEIVED,
        editable=False,
        db_index=True,
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due at"), editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    result = models.TextField(_("result"), blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = querysets.ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=F("received_at")),
                name="service_request_due_after_receipt",
                violation_error_message=_("A request falls due after it is received."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[ServiceRequestStatus.COMPLETED, ServiceRequestStatus.REJECTED], closed_at__isnull=False
                )
                | (
                    ~Q(status__in=[ServiceRequestStatus.COMPLETED, ServiceRequestStatus.REJECTED])
                    & Q(closed_at__isnull=True)
                ),
                name="service_request_closed_iff_closed_at",
                violation_error_message=_("Exactly the completed or rejected requests have a closing time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} – {self.requester_name}"

    def save(self, *args, **kwargs):
        if self.due_at is None and self.service_type_id and self.received_at:
            self.due_at = self.received_at + timedelta(hours=self.service_type.time_limit_hours)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return _page_url("servicerequest_detail", self.pk)

    @property
    def phone_masked(self) -> str:
        return privacy.masked(self, "phone")

    @property
    def is_overdue(self) -> bool:
        return self.closed_at is None and self.due_at is not None and self.due_at < timezone.now()
