"""The incidents API: incidents (with their actions, timeline and involved persons), tips, mediation
cases, hazards, service types and service requests.

Every write is one call to `incidents.services`; a refusal (ValidationError) is a 400 in the error
shape, an edit over a stale version a 412. Reads go through `visible_to(user)` (base viewsets).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from portal import privacy
from portal.api.exceptions import PreconditionFailed
from portal.api.exports import export_response
from portal.api.renderers import CSVRenderer, ExportRenderer, GeoJSONRenderer, PortalJSONRenderer, XLSXRenderer
from portal.api.schema import IF_MATCH_OPTIONAL
from portal.api.sqlcache import compiled_once
from portal.api.views import ScopedViewSetMixin
from portal.models import TokenScope
from portal.roles import may_reveal_personal_data

from .. import services
from ..filtersets import BBoxFilter, IncidentFilterSet
from ..filtersets_inbox import HazardFilterSet, MediationFilterSet, ServiceRequestFilterSet, TipFilterSet
from ..models import Hazard, Incident, InvolvedPerson, MediationCase, ServiceRequest, ServiceType, Tip
from . import serializers as s

# the bbox filter is text ("minlon,minlat,maxlon,maxlat") in the OpenAPI description
extend_schema_field(OpenApiTypes.STR)(BBoxFilter)

READ, WRITE = TokenScope.INCIDENTS_READ.value, TokenScope.INCIDENTS_WRITE.value

#: the orders an incident list may be walked in (each ends with the id as tie-breaker)
INCIDENT_ORDERINGS = ("-reported_at", "reported_at", "-occurred_at", "occurred_at", "updated_at", "id", "-id")

#: the rows of a list page, declared once: each request clones it (resolving its 32 columns and three
#: joins anew took longer than PostgreSQL takes for the page), then scopes, filters and pages it; a
#: page's statement is compiled once per shape of query (`portal.api.sqlcache`)
LIST_ROWS = compiled_once(Incident.objects.values_list(*s.ROW_FIELDS, named=True))

EXPORT_NOTE = (
    " Add `format=csv` or `format=xlsx` for the whole filtered list as a file (not paged; logged in the "
    "access log with `reason`)."
)


class IncidentsScopes:
    read_scope = READ
    write_scope = WRITE


def _detail_action(request_serializer, summary: str):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: s.IncidentSerializer},
        parameters=[IF_MATCH_OPTIONAL],
    )


@extend_schema_view(
    list=extend_schema(
        summary="List incidents",
        description="Incidents in your scope, filtered, in pages. With `updated_since` (or `ordering=updated_at`) "
        "the list is a synchronisation walk: see docs/api.md." + EXPORT_NOTE,
        parameters=[
            OpenApiParameter(
                "ordering",
                str,
                enum=list(INCIDENT_ORDERINGS),
                description="The order of the pages. Default: -reported_at; updated_at when updated_since is given.",
            ),
            OpenApiParameter("reason", str, description="Exports only: why the list is exported (logged)."),
        ],
    ),
    retrieve=extend_schema(summary="One incident"),
    create=extend_schema(
        summary="Record an incident", request=s.IncidentCreateSerializer, responses={201: s.IncidentSerializer}
    ),
    partial_update=extend_schema(
        summary="Edit an incident (If-Match required)",
        request=s.IncidentUpdateSerializer,
        responses={200: s.IncidentSerializer},
    ),
)
class IncidentViewSet(IncidentsScopes, ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Incident.objects.with_related()
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilterSet
    renderer_classes = [PortalJSONRenderer, GeoJSONRenderer, CSVRenderer, XLSXRenderer, BrowsableAPIRenderer]
    http_method_names = ["get", "post", "patch", "head", "options"]
    sync_field = "updated_at"
    action_permissions = {
        name: "change"
        for name in (
            "dispatch_team",
            "en_route",
            "arrive",
            "resolve",
            "close",
            "cancel",
            "transfer",
            "notes",
            "persons",
        )
    }

    # --- listing ---------------------------------------------------------------------------------

    def _ordering(self, request) -> str:
        value = request.query_params.get("ordering") or ""
        if not value:
            return "updated_at" if request.query_params.get("updated_since") else "-reported_at"
        if value not in INCIDENT_ORDERINGS:
            raise exceptions.ValidationError(
                {"ordering": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(INCIDENT_ORDERINGS)}]}
            )
        return value

    def get_cursor_ordering(self, request) -> tuple[str, ...]:
        return (self._ordering(request),)

    def is_sync(self, request) -> bool:
        return self._ordering(request) == "updated_at"

    def list(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        if isinstance(renderer, ExportRenderer):
            queryset = self.filter_queryset(self.get_queryset()).order_by("-reported_at", "-pk")
            return export_response(
                request=request,
                fmt=renderer.format,
                queryset=queryset,
                columns=INCIDENT_COLUMNS,
                filename="incidents",
                fields=[header for header, _value in INCIDENT_COLUMNS],
                object_type=Incident._meta.label,
            )
        self._ordering(request)  # a bad ordering is a 400 before anything else
        # plain rows, not model instances: a page is one query and no object per row (docs/benchmarks.md)
        rows = self.filter_queryset(LIST_ROWS.visible_to(request.user))
        page = self.paginate_queryset(rows)
        serializer = s.IncidentSerializer(context=self.get_serializer_context())
        if page is None:
            return Response(serializer.represent_rows(rows))
        return self.get_paginated_response(serializer.represent_rows(page))

    # --- one incident ----------------------------------------------------------------------------

    def etag_version(self, obj) -> int | None:
        return obj.version

    def _fresh(self, incident: Incident) -> Incident:
        """The row again with what the serializer shows (it may have left the caller's scope)."""
        return Incident.objects.with_related().get(pk=incident.pk)

    def create(self, request, *args, **kwargs):
        serializer = s.IncidentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        incident = self._fresh(services.incident_report(by=request.user, **serializer.validated_data))
        location = self.reverse_action("detail", args=[incident.pk])
        return self.detail_response(incident, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        version = self.expected_version(incident)
        serializer = s.IncidentUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        override_reason = fields.pop("override_reason", "")
        incident = services.incident_update(
            incident=incident, by=request.user, expected_version=version, override_reason=override_reason, **fields
        )
        return self.detail_response(self._fresh(incident))

    def _act(self, request, input_serializer, service, **renames):
        incident = self.get_object()
        version = self.expected_version(incident, required=False)
        if version is not None and version != incident.version:
            raise PreconditionFailed(
                _("Incident %(number)s is at version %(current)s, not %(given)s: reload it.")
                % {"number": incident.number, "current": incident.version, "given": version}
            )
        serializer = input_serializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = {renames.get(k, k): v for k, v in serializer.validated_data.items()}
        incident = service(incident=incident, by=request.user, **values)
        return self.detail_response(self._fresh(incident))

    @_detail_action(s.DispatchSerializer, "Dispatch a team")
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_team(self, request, pk=None):
        return self._act(request, s.DispatchSerializer, services.incident_dispatch)

    @_detail_action(s.EnRouteSerializer, "The team is on its way")
    @action(detail=True, methods=["post"], url_path="en-route")
    def en_route(self, request, pk=None):
        return self._act(request, s.EnRouteSerializer, services.incident_mark_en_route)

    @_detail_action(s.ArriveSerializer, "A team arrived on the scene")
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._act(request, s.ArriveSerializer, services.incident_arrive)

    @_detail_action(s.ResolveSerializer, "Resolve (the outcome is required)")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, s.ResolveSerializer, services.incident_resolve)

    @_detail_action(s.CloseSerializer, "Close a resolved incident")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, s.CloseSerializer, services.incident_close)

    @_detail_action(s.ReasonSerializer, "Cancel (the reason is required)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(request, s.ReasonSerializer, services.incident_cancel)

    @_detail_action(s.ReasonSerializer, "Transfer to another unit (the reason is required)")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._act(request, s.ReasonSerializer, services.incident_transfer)

    # --- timeline and persons ----------------------------------------------------------------------

    @extend_schema(
        summary="The incident's timeline", responses={200: s.IncidentEventSerializer(many=True)}, filters=False
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        incident = self.get_object()
        events = incident.events.select_related("actor", "team").order_by("at", "pk")
        return Response(s.IncidentEventSerializer(events, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Add a note to the timeline",
        request=s.NoteSerializer,
        responses={201: s.IncidentEventSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def notes(self, request, pk=None):
        incident = self.get_object()
        serializer = s.NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.incident_add_note(incident=incident, by=request.user, text=serializer.validated_data["text"])
        return Response(s.IncidentEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="People involved (phone and ID number masked unless revealed)",
        parameters=[
            OpenApiParameter(
                "reveal",
                str,
                description="Comma-separated fields to show in clear: phone, id_number. Needs the permission to "
                "reveal personal data and a `reason`; each reveal is logged.",
            ),
            OpenApiParameter("reason", str, description="Why the data is revealed (required with `reveal`)."),
        ],
        responses={200: s.InvolvedPersonSerializer(many=True)},
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an involved person",
        request=s.PersonCreateSerializer,
        responses={201: s.InvolvedPersonSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def persons(self, request, pk=None):
        incident = self.get_object()
        if request.method == "POST":
            serializer = s.PersonCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            person = services.person_add(incident=incident, by=request.user, **serializer.validated_data)
            return Response(s.InvolvedPersonSerializer(person).data, status=status.HTTP_201_CREATED)
        persons = list(InvolvedPerson.objects.visible_to(request.user).filter(incident=incident).order_by("pk"))
        revealed = self._reveal(request, persons)
        return Response(s.InvolvedPersonSerializer(persons, many=True, context={"revealed": revealed}).data)

    def _reveal(self, request, persons: list[InvolvedPerson]) -> dict[int, dict[str, str]]:
        wanted = [f.strip() for f in (request.query_params.get("reveal") or "").split(",") if f.strip()]
        if not wanted:
            return {}
        unknown = [f for f in wanted if f not in ("phone", "id_number")]
        if unknown:
            raise exceptions.ValidationError({"reveal": [_("Only phone and id_number can be revealed.")]})
        reason = (request.query_params.get("reason") or "").strip()
        if not reason:
            raise exceptions.ValidationError({"reason": [_("Give a reason to reveal personal data.")]})
        if not may_reveal_personal_data(request.user):
            raise exceptions.PermissionDenied(_("You may not reveal personal data."))
        return {
            person.pk: privacy.reveal(user=request.user, instance=person, fields=wanted, reason=reason)
            for person in persons
        }


INCIDENT_COLUMNS = [
    ("number", lambda i: i.number),
    ("status", lambda i: i.status),
    ("category", lambda i: i.category),
    ("priority", lambda i: i.priority),
    ("source", lambda i: i.source),
    ("occurred_at", lambda i: i.occurred_at),
    ("reported_at", lambda i: i.reported_at),
    ("summary", lambda i: i.summary),
    ("address", lambda i: i.address),
    ("circle", lambda i: i.circle.name if i.circle_id else ""),
    ("station", lambda i: i.station.name),
    ("lat", lambda i: i.lat),
    ("lng", lambda i: i.lng),
    ("first_dispatched_at", lambda i: i.first_dispatched_at),
    ("first_arrived_at", lambda i: i.first_arrived_at),
    ("resolved_at", lambda i: i.resolved_at),
    ("closed_at", lambda i: i.closed_at),
    ("outcome", lambda i: i.outcome),
    ("version", lambda i: i.version),
    ("updated_at", lambda i: i.updated_at),
]


# --- around the incident ------------------------------------------------------------------------------


class _CreateMixin:
    """POST: validate `create_serializer_class`, call `perform_service`, answer 201 with the row and its ETag."""

    create_serializer_class = None

    def create(self, request, *args, **kwargs):
        serializer = self.create_serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        obj = self.perform_service(serializer.validated_data)
        obj = self.get_queryset().model.objects.get(pk=obj.pk)
        location = self.reverse_action("detail", args=[obj.pk])
        return self.detail_response(obj, status_code=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(
    list=extend_schema(summary="List tips", description="By default the inbox: new and verified tips."),
    retrieve=extend_schema(summary="One tip"),
    create=extend_schema(summary="Record a tip", request=s.TipCreateSerializer, responses={201: s.TipSerializer}),
)
class TipViewSet(
    IncidentsScopes, _CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = Tip.objects.all()
    serializer_class = s.TipSerializer
    create_serializer_class = s.TipCreateSerializer
    filterset_class = TipFilterSet
    action_permissions = {"verify": "change", "dismiss": "change"}

    def perform_service(self, data):
        return services.tip_record(by=self.request.user, **data)

    @extend_schema(summary="The tip was checked and holds", request=None, responses={200: s.TipSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        tip = services.tip_verify(tip=self.get_object(), by=request.user)
        return self.detail_response(tip)

    @extend_schema(summary="Dismiss the tip", request=s.DismissSerializer, responses={200: s.TipSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        serializer = s.DismissSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tip = services.tip_dismiss(tip=self.get_object(), by=request.user, **serializer.validated_data)
        return self.detail_response(tip)


@extend_schema_view(
    list=extend_schema(summary="List mediation cases"), retrieve=extend_schema(summary="One mediation case")
)
class MediationCaseViewSet(IncidentsScopes, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = MediationCase.objects.all()
    serializer_class = s.MediationCaseSerializer
    filterset_class = MediationFilterSet


@extend_schema_view(
    list=extend_schema(summary="List safety hazards"),
    retrieve=extend_schema(summary="One safety hazard"),
    create=extend_schema(
        summary="Record a safety hazard", request=s.HazardCreateSerializer, responses={201: s.HazardSerializer}
    ),
)
class HazardViewSet(
    IncidentsScopes, _CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = Hazard.objects.all()
    serializer_class = s.HazardSerializer
    create_serializer_class = s.HazardCreateSerializer
    filterset_class = HazardFilterSet
    action_permissions = {"set_status": "change"}

    def perform_service(self, data):
        return services.hazard_report(by=self.request.user, **data)

    @extend_schema(
        summary="Move the remediation on", request=s.HazardStatusSerializer, responses={200: s.HazardSerializer}
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        serializer = s.HazardStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hazard = services.hazard_set_status(hazard=self.get_object(), by=request.user, **serializer.validated_data)
        return self.detail_response(hazard)


@extend_schema_view(list=extend_schema(summary="The service catalogue"), retrieve=extend_schema(summary="One service"))
class ServiceTypeViewSet(IncidentsScopes, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ServiceType.objects.all()
    serializer_class = s.ServiceTypeSerializer
    filterset_fields = ["kind", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="List service requests"),
    retrieve=extend_schema(summary="One service request"),
    create=extend_schema(
        summary="Receive a service request",
        request=s.ServiceRequestCreateSerializer,
        responses={201: s.ServiceRequestSerializer},
    ),
)
class ServiceRequestViewSet(
    IncidentsScopes, _CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = ServiceRequest.objects.all()
    serializer_class = s.ServiceRequestSerializer
    create_serializer_class = s.ServiceRequestCreateSerializer
    filterset_class = ServiceRequestFilterSet

    def perform_service(self, data):
        data = dict(data)
        if data.get("station") is None:
            station = self.request.user.station
            if station is None:
                raise exceptions.ValidationError({"station": [_("Choose the station that handles the request.")]})
            data["station"] = station
        return services.service_request_create(by=self.request.user, **data)
