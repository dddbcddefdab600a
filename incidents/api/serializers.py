"""Serializers of the incidents API: one read serializer per model, small input serializers per write.

Inputs only check the shape of what comes in (types, lengths, ids in the caller's scope); every rule
about what may be done is the services' (`incidents.services`), so the pages and the API can't differ.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from patrols.api.serializers import StationBriefSerializer
from patrols.models import Informant, PatrolCircle, PatrolTeam, Station
from portal.api.fields import InputSerializer, MaskedField, ScopedPrimaryKeyRelatedField, optional_text
from portal.models import User
from portal.representation import choice_labels, url_template

from ..choices import (
    Category,
    HazardReporterKind,
    HazardSeverity,
    HazardType,
    IncidentStatus,
    PersonRole,
    Priority,
    RemediationStatus,
    Source,
    TipChannel,
)
from ..models import (
    Hazard,
    Incident,
    IncidentEvent,
    InvolvedPerson,
    MediationCase,
    ServiceRequest,
    ServiceType,
    Tip,
)


class CircleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PatrolCircle
        fields = ["id", "name"]


class TeamBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PatrolTeam
        fields = ["id", "name", "call_sign"]


def _label(field: str) -> serializers.CharField:
    return serializers.CharField(source=f"get_{field}_display", read_only=True)


# --- incidents ------------------------------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="incident-detail")
    status_label = _label("status")
    category_label = _label("category")
    priority_label = _label("priority")
    source_label = _label("source")
    circle = CircleBriefSerializer(read_only=True, allow_null=True)
    station = StationBriefSerializer(read_only=True)
    reported_by = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "number",
            "status",
            "status_label",
            "category",
            "category_label",
            "priority",
            "priority_label",
            "source",
            "source_label",
            "occurred_at",
            "reported_at",
            "summary",
            "description",
            "address",
            "outcome",
            "circle",
            "station",
            "placement_override_reason",
            "first_dispatched_at",
            "first_arrived_at",
            "resolved_at",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
            "reported_by",
            "lat",
            "lng",
        ]
        read_only_fields = fields

    def get_reported_by(self, incident) -> str | None:
        return str(incident.reported_by) if incident.reported_by_id else None

    # A page of 500 incidents through the generic field machinery costs ~0.5 ms a row (attribute
    # lookups via `inspect.signature`, a translated-choices dict rebuilt per `get_FOO_display`, a
    # `reverse()` per URL), and model instances for each row and its circle, station and reporter
    # cost as much again: the list and the sync walk were 15x their floor (docs/benchmarks.md). The
    # same representation is built here directly from plain rows of `ROW_FIELDS` (the list reads
    # them with `values_list`; one incident is turned into such a row), with what doesn't change
    # between rows (labels in the request's language, the URL pattern) made once per serializer.
    # The declared fields above still describe it (OpenAPI); tests/api/test_incident_representation.py
    # checks both agree.

    def to_representation(self, incident):
        if self.context.get("request") is None:
            return super().to_representation(incident)  # the url field needs the request (and says so)
        row = self.represent_rows([incident_row(incident)])[0]
        return {name: _text(value) if isinstance(value, datetime) else value for name, value in row.items()}

    def represent_rows(self, rows) -> list[dict]:
        """The representation of rows of `ROW_FIELDS` (tuples in that order, e.g. from `values_list`).

        Times are left as datetimes in the current time zone, for the renderer to write (orjson writes
        them as DRF's encoder does, `_text`, several times faster); `to_representation` writes them.
        """
        labels, url, zone = self._constants()
        status_labels, category_labels = labels["status"], labels["category"]
        priority_labels, source_labels = labels["priority"], labels["source"]
        reporters: dict[int, str] = {}

        def when(value):
            return None if value is None else value.astimezone(zone)

        def reporter(pk, display_name, first_name, last_name, username):
            if pk is None:
                return None
            if pk not in reporters:
                # the user's own rule for its name (User.__str__), once per reporter on the page
                names = {"display_name": display_name, "first_name": first_name, "last_name": last_name}
                reporters[pk] = str(User(pk=pk, username=username, **names))
            return reporters[pk]

        out = []
        for (
            pk,
            number,
            status,
            category,
            priority,
            source,
            occurred_at,
            reported_at,
            summary,
            description,
            address,
            outcome,
            circle_id,
            circle_name,
            station_id,
            station_code,
            station_name,
            placement_override_reason,
            first_dispatched_at,
            first_arrived_at,
            resolved_at,
            closed_at,
            version,
            created_at,
            updated_at,
            reported_by_id,
            reported_by_display_name,
            reported_by_first_name,
            reported_by_last_name,
            reported_by_username,
            lat,
            lng,
        ) in rows:
            out.append(
                {
                    "id": pk,
                    "url": url.format(pk),
                    "number": number,
                    "status": status,
                    "status_label": status_labels.get(status, status),
                    "category": category,
                    "category_label": category_labels.get(category, category),
                    "priority": priority,
                    "priority_label": priority_labels.get(priority, priority),
                    "source": source,
                    "source_label": source_labels.get(source, source),
                    "occurred_at": when(occurred_at),
                    "reported_at": when(reported_at),
                    "summary": summary,
                    "description": description,
                    "address": address,
                    "outcome": outcome,
                    "circle": None if circle_id is None else {"id": circle_id, "name": circle_name},
                    "station": {"id": station_id, "code": station_code, "name": station_name},
                    "placement_override_reason": placement_override_reason,
                    "first_dispatched_at": when(first_dispatched_at),
                    "first_arrived_at": when(first_arrived_at),
                    "resolved_at": when(resolved_at),
                    "closed_at": when(closed_at),
                    "version": version,
                    "created_at": when(created_at),
                    "updated_at": when(updated_at),
                    "reported_by": reporter(
                        reported_by_id,
                        reported_by_display_name,
                        reported_by_first_name,
                        reported_by_last_name,
                        reported_by_username,
                    ),
                    "lat": None if lat is None else float(lat),
                    "lng": None if lng is None else float(lng),
                }
            )
        return out

    def _constants(self):
        cached = getattr(self, "_fast_constants", None)
        if cached is None:
            cached = self._fast_constants = (
                {name: choice_labels(choices) for name, choices in _CHOICES.items()},
                # what the declared `url` field makes (without building the serializer's fields)
                url_template(
                    self._declared_fields["url"].view_name,
                    request=self.context.get("request"),
                    format=self.context.get("format"),
                ),
                timezone.get_current_timezone(),
            )
        return cached


#: the columns of an incident's representation, in the order `represent_rows` unpacks them
ROW_FIELDS = (
    "id",
    "number",
    "status",
    "category",
    "priority",
    "source",
    "occurred_at",
    "reported_at",
    "summary",
    "description",
    "address",
    "outcome",
    "circle_id",
    "circle__name",
    "station_id",
    "station__code",
    "station__name",
    "placement_override_reason",
    "first_dispatched_at",
    "first_arrived_at",
    "resolved_at",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
    "reported_by_id",
    "reported_by__display_name",
    "reported_by__first_name",
    "reported_by__last_name",
    "reported_by__username",
    "lat",
    "lng",
)


def incident_row(incident: Incident) -> tuple:
    """One incident (with its circle, station and reporter joined) as a row of `ROW_FIELDS`."""
    values = []
    for name in ROW_FIELDS:
        value = incident
        for part in name.split("__"):
            value = None if value is None else getattr(value, part)
        values.append(value)
    return tuple(values)


#: a time as DRF writes it: ISO 8601, "Z" for UTC (what the declared DateTimeFields and the renderer make)
_text = JSONEncoder().default

_CHOICES = {"status": IncidentStatus, "category": Category, "priority": Priority, "source": Source}


class IncidentCreateSerializer(InputSerializer):
    """A new incident (`incident_report`): placed by its point unless a circle or station is given with a reason."""

    category = serializers.ChoiceField(choices=Category.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P3)
    source = serializers.ChoiceField(choices=Source.choices)
    lat = serializers.FloatField(help_text="Latitude (WGS84).")
    lng = serializers.FloatField(help_text="Longitude (WGS84).")
    occurred_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    summary = serializers.CharField(max_length=200)
    description = optional_text()
    address = optional_text(200)
    circle = ScopedPrimaryKeyRelatedField(queryset=PatrolCircle.objects.all(), required=False, allow_null=True)
    station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), required=False, allow_null=True)
    override_reason = optional_text(300, help_text="Needed when circle or station differ from the point's.")
    note = optional_text(help_text="Text of the first timeline entry.")


class IncidentUpdateSerializer(InputSerializer):
    """An edit (`incident_update`) of the fields given; status moves only through the actions."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    lat = serializers.FloatField(required=False)
    lng = serializers.FloatField(required=False)
    occurred_at = serializers.DateTimeField(required=False)
    summary = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True)
    circle = ScopedPrimaryKeyRelatedField(queryset=PatrolCircle.objects.all(), required=False, allow_null=True)
    station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), required=False)
    override_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


def _at() -> serializers.DateTimeField:
    return serializers.DateTimeField(required=False, help_text="When it happened (default: now).")


def _team(required: bool) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=PatrolTeam.objects.all(), required=required, **({} if required else {"allow_null": True})
    )


class DispatchSerializer(InputSerializer):
    team = _team(True)
    override = serializers.BooleanField(default=False, help_text="Send a busy or off-duty team anyway.")
    at = _at()


class EnRouteSerializer(InputSerializer):
    team = _team(False)
    at = _at()


class ArriveSerializer(InputSerializer):
    team = _team(False)
    override = serializers.BooleanField(default=False)
    at = _at()


class ResolveSerializer(InputSerializer):
    outcome = optional_text()
    at = _at()


class CloseSerializer(InputSerializer):
    note = optional_text()
    at = _at()


class ReasonSerializer(InputSerializer):
    reason = optional_text()
    at = _at()


class NoteSerializer(InputSerializer):
    text = optional_text()


def _blank_status() -> serializers.ChoiceField:
    """A status of a timeline entry: empty when the entry isn't a status change."""
    return serializers.ChoiceField(choices=IncidentStatus.choices, allow_blank=True, read_only=True)


class IncidentEventSerializer(serializers.ModelSerializer):
    kind_label = _label("kind")
    from_status = _blank_status()
    to_status = _blank_status()
    team = TeamBriefSerializer(read_only=True, allow_null=True)
    actor = serializers.SerializerMethodField()
    changes = serializers.DictField(read_only=True)

    class Meta:
        model = IncidentEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "from_status",
            "to_status",
            "team",
            "text",
            "changes",
            "version",
            "actor",
            "at",
        ]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        return str(event.actor) if event.actor_id else None


class InvolvedPersonSerializer(serializers.ModelSerializer):
    """Phone and ID number masked, unless revealed for this request (`context["revealed"]`, logged)."""

    role_label = _label("role")
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = InvolvedPerson
        fields = ["id", "role", "role_label", "name", "phone", "id_number", "notes"]
        read_only_fields = fields

    def _value(self, person, field: str) -> str:
        revealed = self.context.get("revealed", {}).get(person.pk, {})
        return revealed[field] if field in revealed else getattr(person, f"{field}_masked")

    def get_phone(self, person) -> str:
        return self._value(person, "phone")

    def get_id_number(self, person) -> str:
        return self._value(person, "id_number")


class PersonCreateSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=PersonRole.choices)
    name = serializers.CharField(max_length=50)
    phone = optional_text(20)
    id_number = optional_text(18)
    notes = optional_text()


# --- around the incident --------------------------------------------------------------------------


class TipSerializer(serializers.ModelSerializer):
    channel_label = _label("channel")
    status_label = _label("status")

    class Meta:
        model = Tip
        fields = [
            "id",
            "station",
            "informant",
            "channel",
            "channel_label",
            "content",
            "address",
            "received_at",
            "status",
            "status_label",
            "incident",
            "dismiss_reason",
            "handled_at",
            "lat",
            "lng",
        ]
        read_only_fields = fields


class TipCreateSerializer(InputSerializer):
    channel = serializers.ChoiceField(choices=TipChannel.choices)
    content = serializers.CharField()
    station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), required=False, allow_null=True)
    informant = ScopedPrimaryKeyRelatedField(queryset=Informant.objects.all(), required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    address = optional_text(200)
    received_at = serializers.DateTimeField(required=False)


class DismissSerializer(InputSerializer):
    reason = optional_text(300)


class MediationCaseSerializer(serializers.ModelSerializer):
    outcome_label = _label("outcome")
    agencies = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = MediationCase
        fields = [
            "id",
            "incident",
            "station",
            "room",
            "parties",
            "agencies",
            "mediator",
            "agreement",
            "outcome",
            "outcome_label",
            "referred_to",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields


class HazardSerializer(serializers.ModelSerializer):
    kind_label = _label("kind")
    severity_label = _label("severity")
    status_label = _label("status")

    class Meta:
        model = Hazard
        fields = [
            "id",
            "station",
            "circle",
            "kind",
            "kind_label",
            "title",
            "description",
            "reported_by_kind",
            "reported_by_text",
            "severity",
            "severity_label",
            "warn_radius_m",
            "due_date",
            "status",
            "status_label",
            "status_note",
            "remediated_at",
            "closed_at",
            "created_at",
            "updated_at",
            "lat",
            "lng",
        ]
        read_only_fields = fields


class HazardCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=HazardType.choices)
    title = serializers.CharField(max_length=100)
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    reported_by_kind = serializers.ChoiceField(choices=HazardReporterKind.choices)
    reported_by_text = optional_text(100)
    severity = serializers.ChoiceField(choices=HazardSeverity.choices, default=HazardSeverity.MEDIUM)
    warn_radius_m = serializers.IntegerField(default=100, min_value=1, max_value=5000)
    description = optional_text()
    due_date = serializers.DateField(required=False, allow_null=True)
    station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), required=False, allow_null=True)


class HazardStatusSerializer(InputSerializer):
    status = serializers.ChoiceField(choices=RemediationStatus.choices)
    note = optional_text(300)


class ServiceTypeSerializer(serializers.ModelSerializer):
    kind_label = _label("kind")

    class Meta:
        model = ServiceType
        fields = ["id", "kind", "kind_label", "name", "description", "time_limit_hours", "is_active"]
        read_only_fields = fields


class ServiceRequestSerializer(serializers.ModelSerializer):
    status_label = _label("status")
    phone = MaskedField("phone")

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "service_type",
            "station",
            "requester_name",
            "phone",
            "details",
            "status",
            "status_label",
            "received_at",
            "due_at",
            "closed_at",
            "result",
        ]
        read_only_fields = fields


class ServiceRequestCreateSerializer(InputSerializer):
    service_type = ScopedPrimaryKeyRelatedField(queryset=ServiceType.objects.all())
    station = ScopedPrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, help_text="Default: the caller's station."
    )
    requester_name = serializers.CharField(max_length=50)
    phone = optional_text(20)
    details = optional_text()
    received_at = serializers.DateTimeField(required=False)
