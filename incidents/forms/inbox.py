"""Forms of the inboxes around the incident: tips, mediation cases, hazards and service requests.

The forms only collect and clean input; `save()` is one call to an `incidents.services` function. A
service's `ValidationError` is put back on the form (`ServiceForm.add_service_error`): on the field it
names when the form has that field, else above the form. When a service refuses, nothing is written.

Choices of related rows (informants, mediation rooms, stations, incidents) are the user's visible
rows. A station user's new rows go to their own station (as `ScopedModelForm` pins it); sub-bureau
staff may choose a station, or leave it to the service to derive from the point.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.choices import PostKind
from patrols.models import Informant, PatrolPost, Station
from portal.forms import DateInput, ServiceForm, now_local_minute
from portal.roles import sees_all_stations
from portal.widgets import DateTimeLocalInput, PointMapWidget

from .. import services
from ..choices import (
    Category,
    HazardReporterKind,
    HazardSeverity,
    HazardType,
    MediationAgency,
    MediationOutcome,
    Priority,
    RemediationStatus,
    TipChannel,
)
from ..models import (
    Hazard,
    Incident,
    MediationCase,
    MediationFollowUp,
    MediationSession,
    ServiceRequest,
    ServiceType,
    Tip,
)


class StationChoiceMixin:
    """A `station` field for sub-bureau staff (optional: empty lets the service derive it); station users
    don't get the field and work in their own station."""

    station_help = _("Leave empty to use the station of the point.")

    def _setup_station(self, *, required: bool = False) -> None:
        if sees_all_stations(self.user):
            self.fields["station"] = forms.ModelChoiceField(
                label=_("Station"),
                queryset=Station.objects.visible_to(self.user),
                required=required,
                help_text="" if required else self.station_help,
            )

    def chosen_station(self) -> Station | None:
        if "station" in self.fields:
            return self.cleaned_data.get("station")
        return self.user.station


def _point_fields(required: bool) -> tuple[forms.FloatField, forms.FloatField]:
    lat = forms.FloatField(
        label=_("Latitude"),
        required=required,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=_("Longitude"), required=required, widget=PointMapWidget(lat_field="lat", lng_field="lng")
    )
    return lat, lng


# --- tips ---------------------------------------------------------------------------------------------


class TipForm(StationChoiceMixin, ServiceForm):
    """Record a tip: who passed it on and how, what it says, when it came in and (optionally) where."""

    channel = forms.ChoiceField(label=_("Channel"), choices=TipChannel.choices)
    informant = forms.ModelChoiceField(
        label=_("Informant"),
        queryset=Informant.objects.none(),
        required=False,
        help_text=_("Required when the tip came from an informant."),
    )
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeLocalInput())
    lat, lng = _point_fields(required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    station_help = _("Leave empty to use the station of the point or of the informant.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informant"].queryset = (
            Informant.objects.visible_to(self.user).filter(is_active=True).select_related("circle")
        )
        self.fields["lng"].help_text = _("Optional: leave both empty when the tip has no location.")
        self._setup_station()
        self._style()
        if not self.is_bound and "received_at" not in self.initial:
            self.initial["received_at"] = now_local_minute()

    def save(self) -> Tip:
        data = self.cleaned_data
        return services.tip_record(
            by=self.user,
            channel=data["channel"],
            content=data["content"],
            informant=data.get("informant"),
            station=self.chosen_station(),
            lat=data.get("lat"),
            lng=data.get("lng"),
            address=data.get("address") or "",
            received_at=data["received_at"],
        )


class TipVerifyForm(ServiceForm):
    """A button without fields: the tip was checked and holds."""

    def __init__(self, *args, tip: Tip, **kwargs):
        self.tip = tip
        super().__init__(*args, **kwargs)

    def save(self) -> Tip:
        return services.tip_verify(tip=self.tip, by=self.user)


class TipDismissForm(ServiceForm):
    reason = forms.CharField(label=_("Reason for dismissal"), max_length=300)

    def __init__(self, *args, tip: Tip, **kwargs):
        self.tip = tip
        super().__init__(*args, **kwargs)

    def save(self) -> Tip:
        return services.tip_dismiss(tip=self.tip, by=self.user, reason=self.cleaned_data["reason"])


class TipConvertForm(ServiceForm):
    """Turn a verified tip into an incident: category, priority and summary, prefilled from the tip.

    The location defaults to the tip's; a tip without one needs a point here.
    """

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P3)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    lat, lng = _point_fields(required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args, tip: Tip, **kwargs):
        self.tip = tip
        initial = {
            "summary": (tip.content.splitlines() or [""])[0][:200],
            "priority": Priority.P3,
            "lat": tip.lat,
            "lng": tip.lng,
            "address": tip.address,
            **(kwargs.pop("initial", None) or {}),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["lng"].help_text = _("The tip's location unless you set another.")

    def save(self) -> Incident:
        data = self.cleaned_data
        return services.tip_convert(
            tip=self.tip,
            by=self.user,
            category=data["category"],
            priority=data["priority"],
            summary=data["summary"],
            lat=data.get("lat"),
            lng=data.get("lng"),
            address=data.get("address") or "",
        )


# --- mediation ----------------------------------------------------------------------------------------


class MediationOpenForm(ServiceForm):
    """Take a dispute incident (by its number) to a mediation room visible to the user."""

    incident = forms.CharField(
        label=_("Incident number"), max_length=32, help_text=_("The dispute incident, e.g. DQ-2026-000123.")
    )
    room = forms.ModelChoiceField(label=_("Mediation room"), queryset=PatrolPost.objects.none())
    parties = forms.CharField(
        label=_("Parties"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One party per line.")
    )
    agencies = forms.MultipleChoiceField(
        label=_("Participating agencies"),
        choices=MediationAgency.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mediator = forms.CharField(label=_("Mediator"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = PatrolPost.objects.visible_to(self.user).filter(kind=PostKind.MEDIATION_ROOM)

    def clean_incident(self) -> Incident:
        number = self.cleaned_data["incident"].strip()
        incident = Incident.objects.visible_to(self.user).filter(number__iexact=number).first()
        if incident is None:
            raise ValidationError(_("No incident %(number)s that you may see."), params={"number": number})
        return incident

    def save(self) -> MediationCase:
        data = self.cleaned_data
        return services.mediation_open(
            incident=data["incident"],
            room=data["room"],
            by=self.user,
            parties=data["parties"],
            agencies=data.get("agencies") or [],
            mediator=data.get("mediator") or "",
        )


class MediationSessionForm(ServiceForm):
    prefix = "session"

    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    attendees = forms.CharField(label=_("Attendees"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: MediationCase, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())

    def save(self) -> MediationSession:
        data = self.cleaned_data
        return services.mediation_add_session(
            case=self.case,
            by=self.user,
            held_on=data["held_on"],
            notes=data["notes"],
            attendees=data.get("attendees") or "",
        )


class MediationFollowUpForm(ServiceForm):
    prefix = "followup"

    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    agreement_kept = forms.NullBooleanField(label=_("Agreement kept"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, case: MediationCase, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_on", timezone.localdate())

    def save(self) -> MediationFollowUp:
        data = self.cleaned_data
        return services.mediation_add_follow_up(
            case=self.case,
            by=self.user,
            visited_on=data["visited_on"],
            notes=data.get("notes") or "",
            agreement_kept=data.get("agreement_kept"),
        )


class MediationCloseForm(ServiceForm):
    prefix = "close"

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(value, label) for value, label in MediationOutcome.choices if value != MediationOutcome.PENDING],
    )
    agreement = forms.CharField(
        label=_("Agreement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required for a settlement."),
    )
    referred_to = forms.CharField(
        label=_("Referred to"), max_length=200, required=False, help_text=_("Required for a referral.")
    )

    def __init__(self, *args, case: MediationCase, **kwargs):
        self.case = case
        kwargs.setdefault("initial", {"agreement": case.agreement})
        super().__init__(*args, **kwargs)

    def save(self) -> MediationCase:
        data = self.cleaned_data
        return services.mediation_close(
            case=self.case,
            by=self.user,
            outcome=data["outcome"],
            agreement=data.get("agreement") or "",
            referred_to=data.get("referred_to") or "",
        )


# --- hazards ------------------------------------------------------------------------------------------


class HazardForm(StationChoiceMixin, ServiceForm):
    """Report a safety hazard: where (on the map), what, who reported it, how bad, how far to warn, by when."""

    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=HazardType.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=HazardSeverity.choices, initial=HazardSeverity.MEDIUM)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lat, lng = _point_fields(required=True)
    warn_radius_m = forms.IntegerField(
        label=_("Warn radius (m)"),
        initial=100,
        help_text=_("New incidents and patrols within this distance show the warning."),
    )
    reported_by_kind = forms.ChoiceField(label=_("Reported by"), choices=HazardReporterKind.choices)
    reported_by_text = forms.CharField(
        label=_("Reporter"),
        max_length=100,
        required=False,
        help_text=_("The department, informant or team that reported it."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_station()
        self._style()

    def save(self) -> Hazard:
        data = self.cleaned_data
        return services.hazard_report(
            by=self.user,
            kind=data["kind"],
            title=data["title"],
            lat=data["lat"],
            lng=data["lng"],
            reported_by_kind=data["reported_by_kind"],
            reported_by_text=data.get("reported_by_text") or "",
            severity=data["severity"],
            warn_radius_m=data["warn_radius_m"],
            description=data.get("description") or "",
            due_date=data.get("due_date"),
            station=self.chosen_station(),
        )


class HazardStatusForm(ServiceForm):
    status = forms.ChoiceField(label=_("Status"), choices=RemediationStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, hazard: Hazard, **kwargs):
        self.hazard = hazard
        super().__init__(*args, **kwargs)

    def save(self) -> Hazard:
        data = self.cleaned_data
        return services.hazard_set_status(
            hazard=self.hazard, by=self.user, status=data["status"], note=data.get("note") or ""
        )


# --- service requests ---------------------------------------------------------------------------------


class ServiceRequestForm(StationChoiceMixin, ServiceForm):
    """Receive a consultation or errand request; it falls due after the service's time limit."""

    service_type = forms.ModelChoiceField(label=_("Service"), queryset=ServiceType.objects.none())
    requester_name = forms.CharField(label=_("Requester"), max_length=50)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.visible_to(self.user).active()
        self.fields["phone"].widget.attrs["autocomplete"] = "off"
        self._setup_station(required=True)
        self._style()

    def save(self) -> ServiceRequest:
        data = self.cleaned_data
        station = self.chosen_station()
        if station is None:
            raise ValidationError({"station": _("Choose the station responsible.")})
        return services.service_request_create(
            by=self.user,
            service_type=data["service_type"],
            station=station,
            requester_name=data["requester_name"],
            phone=data.get("phone") or "",
            details=data.get("details") or "",
        )


class ServiceRequestCloseForm(ServiceForm):
    """Complete (with what was done) or reject (with the reason) a request."""

    text = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    service_fields = {"result": "text", "reason": "text"}

    def __init__(self, *args, service_request: ServiceRequest, action: str, **kwargs):
        self.service_request, self.action = service_request, action
        super().__init__(*args, **kwargs)
        if action == "reject":
            self.fields["text"].label = _("Reason")

    def save(self) -> ServiceRequest:
        text = self.cleaned_data.get("text") or ""
        if self.action == "start":
            return services.service_request_start(service_request=self.service_request, by=self.user)
        if self.action == "complete":
            return services.service_request_complete(service_request=self.service_request, by=self.user, result=text)
        return services.service_request_reject(service_request=self.service_request, by=self.user, reason=text)
