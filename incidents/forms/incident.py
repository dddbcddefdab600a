"""Forms of the incident pages: quick intake, edit, involved persons, notes and transitions.

The forms only collect and clean input; every write is a call to `incidents.services`. A service's
`ValidationError` is put back on the form (`ServiceForm.add_service_error`): on the field it names
when the form has that field, else above the form. Nothing is written when a service refuses.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, PatrolTeam, Station
from portal.forms import ServiceForm, now_local_minute
from portal.widgets import DateTimeLocalInput, PointMapWidget

from .. import services
from ..choices import Category, PersonRole, Priority, Source
from ..models import Incident, InvolvedPerson


class IncidentIntakeForm(ServiceForm):
    """Quick intake: what, how urgent, from where, when, and the point clicked on the map.

    The circle and station are derived from the point; choosing others is an override that needs
    a reason (the service checks it and keeps the reason on the incident).
    """

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P3)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    occurred_at = forms.DateTimeField(label=_("Occurred at"), widget=DateTimeLocalInput())
    summary = forms.CharField(label=_("Summary"), max_length=200)
    lat = forms.FloatField(
        label=_("Latitude"), widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    )
    lng = forms.FloatField(label=_("Longitude"), widget=PointMapWidget(lat_field="lat", lng_field="lng"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    circle = forms.ModelChoiceField(
        label=_("Circle (override)"),
        queryset=PatrolCircle.objects.none(),
        required=False,
        help_text=_("Leave empty to use the circle of the point."),
    )
    station = forms.ModelChoiceField(
        label=_("Station (override)"),
        queryset=Station.objects.none(),
        required=False,
        help_text=_("Leave empty to use the station of the point."),
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        max_length=300,
        required=False,
        help_text=_("Required when you choose another circle or station than the point gives."),
    )

    #: the fields shown under "Override the placement" (the template folds them away)
    override_fields = ("circle", "station", "override_reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = PatrolCircle.objects.visible_to(self.user).active().select_related("station")
        self.fields["station"].queryset = Station.objects.visible_to(self.user)
        if not self.is_bound and "occurred_at" not in self.initial:
            self.initial["occurred_at"] = now_local_minute()

    def save(self) -> Incident:
        """Record the incident through `incident_report`; raises ValidationError (shown by the view)."""
        data = self.cleaned_data
        return services.incident_report(
            by=self.user,
            category=data["category"],
            priority=data["priority"],
            source=data["source"],
            lat=data["lat"],
            lng=data["lng"],
            occurred_at=data["occurred_at"],
            summary=data["summary"],
            address=data.get("address") or "",
            circle=data.get("circle"),
            station=data.get("station"),
            override_reason=data.get("override_reason") or "",
        )


class IncidentEditForm(IncidentIntakeForm):
    """Edit the details of an incident over the version the editor opened (`version`, hidden).

    `incident_update` refuses the save when the version moved meanwhile (StaleIncidentError), and
    the view shows what changed; nothing is written then.
    """

    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = [
        "category",
        "priority",
        "source",
        "occurred_at",
        "summary",
        "description",
        "lat",
        "lng",
        "address",
        "outcome",
        "circle",
        "station",
        "override_reason",
        "version",
    ]

    def __init__(self, *args, incident: Incident, **kwargs):
        self.incident = incident
        initial = {
            "category": incident.category,
            "priority": incident.priority,
            "source": incident.source,
            "occurred_at": timezone.localtime(incident.occurred_at),
            "summary": incident.summary,
            "description": incident.description,
            "lat": incident.lat,
            "lng": incident.lng,
            "address": incident.address,
            "outcome": incident.outcome,
            "circle": incident.circle_id,
            "station": incident.station_id,
            "override_reason": incident.placement_override_reason,
            "version": incident.version,
        }
        initial.update(kwargs.pop("initial", None) or {})
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["circle"].label = _("Circle")
        self.fields["station"].label = _("Station")
        self.fields["circle"].help_text = _("Changing it is an override and needs a reason.")
        self.fields["station"].help_text = self.fields["circle"].help_text
        self.fields["override_reason"].help_text = _("Required when the circle or station is changed by hand.")

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        # The picker shows minutes only: an unchanged minute keeps the stored seconds (no false edit).
        stored = self.incident.occurred_at
        if value is not None and timezone.localtime(stored).replace(second=0, microsecond=0) == value:
            return stored
        return value

    def save(self) -> Incident:
        data = self.cleaned_data
        fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        fields["address"] = fields.get("address") or ""
        if fields.get("station") is None:
            fields.pop("station", None)  # every incident has a station: an empty select changes nothing
        return services.incident_update(
            incident=self.incident,
            by=self.user,
            expected_version=data["version"],
            override_reason=data.get("override_reason") or "",
            **fields,
        )


class PersonForm(ServiceForm):
    """A person involved in an incident; phone and ID number are validated by the model (checksum too)."""

    role = forms.ChoiceField(label=_("Role"), choices=PersonRole.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, person: InvolvedPerson | None = None, **kwargs):
        self.person = person
        if person is not None and "initial" not in kwargs:
            # The clear values are not put in the page: an edit leaves empty fields unchanged.
            kwargs["initial"] = {"role": person.role, "name": person.name, "notes": person.notes}
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        if person is not None:
            keep = _("Leave empty to keep the current value (%(masked)s).")
            if person.phone:
                self.fields["phone"].help_text = keep % {"masked": person.phone_masked}
            if person.id_number:
                self.fields["id_number"].help_text = keep % {"masked": person.id_number_masked}

    def save(self, *, incident: Incident | None = None) -> InvolvedPerson:
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}
        if self.person is None:
            return services.person_add(incident=incident, by=self.user, **data)
        for name in ("phone", "id_number"):
            if not data[name]:
                data.pop(name)  # empty means "keep": the form never shows the clear value
        if "id_number" in data:
            data["id_number"] = data["id_number"].upper()
        return services.person_update(person=self.person, by=self.user, **data)


class NoteForm(ServiceForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(ServiceForm):
    """Send a team; `override` sends a team that is busy elsewhere or off duty."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=PatrolTeam.objects.none())
    override = forms.BooleanField(label=_("Override (the team is busy or off duty)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = PatrolTeam.objects.visible_to(self.user)


class ArriveForm(ServiceForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=PatrolTeam.objects.none(), required=False)
    override = forms.BooleanField(label=_("Override (the team is busy or off duty)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = PatrolTeam.objects.visible_to(self.user)
