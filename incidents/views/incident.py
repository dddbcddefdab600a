"""Incident pages: the list, the detail with its timeline and dispatch panel, quick intake, edit, the
transitions, involved persons, the team duty board and the incidents layer of the map.

Reads go through `visible_to(request.user)` (another station's incident answers 404); writes are
calls to `incidents.services`, whose refusals (ValidationError) are shown on the page and change
nothing. The generic views of `portal.generic` give login, the model permission and the scope.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from patrols.models import PatrolTeam
from patrols.views import area_feature, collection, point_feature
from portal import geo
from portal.generic import Column, ObjectDetailView, ObjectListView, Personal, RevealView, ScopedObjectMixin
from portal.roles import may_reveal_personal_data
from portal.widgets import draw_locale

from .. import services
from ..choices import INCIDENT_TRANSITIONS, OPEN_STATUSES, Category, IncidentStatus, Priority
from ..filtersets import IncidentFilterSet
from ..forms.incident import (
    ArriveForm,
    DispatchForm,
    IncidentEditForm,
    IncidentIntakeForm,
    NoteForm,
    PersonForm,
)
from ..models import Assignment, Incident, InvolvedPerson

# --- list -------------------------------------------------------------------------------------------


class IncidentListView(ObjectListView):
    """Incidents of the user's scope, newest first, filtered by the shared IncidentFilterSet."""

    model = Incident
    url_stem = "incidents:incident"
    template_name = "incidents/incident_list.html"
    filterset_class = IncidentFilterSet
    select_related = ("circle", "station")
    paginate_by = 50
    columns = [
        Column("number", link=True, css="text-nowrap"),
        Column("occurred_at", css="text-nowrap"),
        Column("category"),
        Column("priority", template="incidents/inc/incident_priority.html"),
        Column("status", template="incidents/inc/incident_status.html"),
        Column("circle"),
        Column("station"),
        Column("address"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["filter_form"]
        # the first row of filters; the others fold away under "More filters"
        main = ("q", "status", "priority", "category", "occurred_after", "occurred_before")
        context["main_filters"] = [form[name] for name in main if name in form.fields]
        context["more_filters"] = [form[name] for name in form.fields if name not in main]
        return context


# --- detail -------------------------------------------------------------------------------------------

#: the service and the form of each transition a button may post
TRANSITIONS = {
    "en_route": IncidentStatus.EN_ROUTE,
    "arrive": IncidentStatus.ON_SCENE,
    "resolve": IncidentStatus.RESOLVED,
    "close": IncidentStatus.CLOSED,
    "cancel": IncidentStatus.CANCELLED,
    "transfer": IncidentStatus.TRANSFERRED,
}
TRANSITION_LABELS = {
    "en_route": gettext_lazy("Team en route"),
    "arrive": gettext_lazy("Arrived on scene"),
    "resolve": gettext_lazy("Resolve"),
    "close": gettext_lazy("Close"),
    "cancel": gettext_lazy("Cancel incident"),
    "transfer": gettext_lazy("Transfer"),
}
#: transitions that need a text, and what the text is called
TRANSITION_TEXT = {
    "resolve": gettext_lazy("Outcome"),
    "cancel": gettext_lazy("Reason for cancelling"),
    "transfer": gettext_lazy("Transferred to whom, and why"),
    "close": gettext_lazy("Closing note (optional)"),
}


def legal_actions(incident: Incident) -> list[dict]:
    """The transition buttons of an incident: only the moves its status allows (dispatch has its own panel)."""
    allowed = INCIDENT_TRANSITIONS[incident.status]
    actions = []
    for action, status in TRANSITIONS.items():
        if status in allowed:
            actions.append(
                {
                    "action": action,
                    "label": TRANSITION_LABELS[action],
                    "text_label": TRANSITION_TEXT.get(action, ""),
                    "text_required": action in ("resolve", "cancel", "transfer"),
                }
            )
    return actions


def _interval_rows(incident: Incident) -> list[dict]:
    return [
        {
            "key": "queue",
            "label": _("Queue time"),
            "help": _("reported → first dispatch"),
            "value": incident.queue_time,
        },
        {"key": "travel", "label": _("Travel time"), "help": _("dispatch → arrival"), "value": incident.travel_time},
        {
            "key": "response",
            "label": _("Response time"),
            "help": _("reported → first arrival"),
            "value": incident.response_time,
        },
        {
            "key": "on_scene",
            "label": _("Time on scene"),
            "help": _("arrival → resolved"),
            "value": incident.on_scene_time,
        },
    ]


def duration_text(value: timedelta | None) -> str:
    """ "1 h 05 min 03 s" style, short and language-neutral enough; "—" when the interval is unknown."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)02d s") % {"m": minutes, "s": seconds}
    return _("%(s)d s") % {"s": seconds}


class IncidentDetailView(ObjectDetailView):
    """Everything about one incident, and the forms that move it on."""

    model = Incident
    url_stem = "incidents:incident"
    template_name = "incidents/incident_detail.html"
    select_related = ("circle", "station", "reported_by")

    #: bound forms with errors, re-shown on the page (set by the POST views that render the page)
    bound_forms: dict | None = None

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = self.object
        user = self.request.user
        forms = dict(self.bound_forms or {})
        can_change = user.has_perm("incidents.change_incident")
        events = list(incident.events.select_related("actor", "team"))
        assignments = list(incident.assignments.select_related("team").order_by("pk"))
        persons = list(InvolvedPerson.objects.visible_to(user).filter(incident=incident))
        suggestions = []
        if can_change and incident.is_open:
            suggestions = services.dispatch_suggestions(incident=incident, user=user)
        context.update(
            incident=incident,
            can_change=can_change,
            can_add_person=user.has_perm("incidents.add_involvedperson"),
            can_change_person=user.has_perm("incidents.change_involvedperson"),
            can_delete_person=user.has_perm("incidents.delete_involvedperson"),
            may_reveal=may_reveal_personal_data(user),
            events=events,
            assignments=assignments,
            waiting_teams=[a.team for a in assignments if a.is_active and a.arrived_at is None],
            persons=[
                (
                    person,
                    Personal("phone", reveal_url_name="incidents:person_reveal").cell(person),
                    Personal("id_number", reveal_url_name="incidents:person_reveal").cell(person),
                )
                for person in persons
            ],
            stage_rows=[
                (_("Reported at"), incident.reported_at),
                (_("First dispatched at"), incident.first_dispatched_at),
                (_("First arrived at"), incident.first_arrived_at),
                (_("Resolved at"), incident.resolved_at),
                (_("Closed at"), incident.closed_at),
            ],
            intervals=[{**row, "text": duration_text(row["value"])} for row in _interval_rows(incident)],
            actions=legal_actions(incident) if can_change else [],
            may_dispatch=can_change and incident.is_open,
            suggestions=suggestions,
            hazards=services.hazards_near(lat=incident.lat, lng=incident.lng, user=user),
            person_form=forms.get("person") or PersonForm(user=user, auto_id="person_%s"),
            note_form=forms.get("note") or NoteForm(user=user, auto_id="note_%s"),
            action_error=forms.get("action_error"),
            map_features=self.map_features(incident),
        )
        return context

    def map_features(self, incident: Incident) -> dict:
        circle = incident.circle
        return collection(
            area_feature(circle.boundary, name=circle.name, colour=circle.colour, url=circle.get_absolute_url())
            if circle
            else [],
            point_feature(
                incident.lat, incident.lng, name=incident.number, label=incident.summary, main=True, colour="#dc3545"
            ),
        )


def _incident(request, pk: int) -> Incident:
    """The incident `pk` if the user may see it (404 otherwise)."""
    return get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)


def render_detail(request, incident: Incident, *, status: int = 400, **bound_forms):
    """The detail page again, with the forms that failed (and their errors) in place."""
    view = IncidentDetailView(bound_forms=bound_forms)
    view.setup(request, pk=incident.pk)
    view.object = get_object_or_404(view.get_queryset(), pk=incident.pk)
    response = TemplateResponse(request, view.get_template_names(), view.get_context_data(object=view.object))
    response.status_code = status
    return response


class IncidentActionView(ScopedObjectMixin, View):
    """POST one transition (`action` in the URL) of an incident; the service decides, the page says why not."""

    model = Incident
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk: int, transition: str):
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        if transition == "dispatch":
            return self.dispatch_team(incident)
        if transition not in TRANSITIONS:
            raise Http404
        try:
            if transition == "arrive":
                form = ArriveForm(request.POST, user=request.user)
                if not form.is_valid():
                    raise ValidationError(form.errors.get("team", [_("Choose a team.")]))
                incident = services.incident_arrive(
                    incident=incident,
                    by=request.user,
                    team=form.cleaned_data.get("team"),
                    override=form.cleaned_data.get("override", False),
                )
            else:
                text = request.POST.get("text", "")
                if transition == "en_route":
                    incident = services.incident_mark_en_route(incident=incident, by=request.user)
                elif transition == "resolve":
                    incident = services.incident_resolve(incident=incident, by=request.user, outcome=text)
                elif transition == "close":
                    incident = services.incident_close(incident=incident, by=request.user, note=text)
                elif transition == "cancel":
                    incident = services.incident_cancel(incident=incident, by=request.user, reason=text)
                else:
                    incident = services.incident_transfer(incident=incident, by=request.user, reason=text)
        except ValidationError as error:
            return self.refused(incident, error)
        messages.success(
            request,
            _("Incident %(number)s is now “%(status)s”.")
            % {"number": incident.number, "status": incident.get_status_display()},
        )
        return redirect(incident)

    def dispatch_team(self, incident: Incident):
        form = DispatchForm(self.request.POST, user=self.request.user)
        if not form.is_valid():
            return self.refused(incident, ValidationError(form.errors.get("team", [_("Choose a team.")])))
        team = form.cleaned_data["team"]
        try:
            incident = services.incident_dispatch(
                incident=incident, team=team, by=self.request.user, override=form.cleaned_data["override"]
            )
        except ValidationError as error:
            return self.refused(incident, error)
        messages.success(
            self.request, _("%(team)s was dispatched to %(number)s.") % {"team": team, "number": incident.number}
        )
        return redirect(incident)

    def refused(self, incident: Incident, error: ValidationError):
        """Show the service's message on the detail page (400); nothing was changed."""
        return render_detail(self.request, incident, action_error=" ".join(error.messages))


class IncidentNoteView(ScopedObjectMixin, View):
    model = Incident
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        form = NoteForm(request.POST, user=request.user, auto_id="note_%s")
        if form.is_valid():
            try:
                services.incident_add_note(incident=incident, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_detail(request, incident, note=form)
        messages.success(request, _("The note was added."))
        return redirect(incident)


# --- quick intake and edit ----------------------------------------------------------------------


class IncidentFormMixin(ScopedObjectMixin):
    model = Incident
    url_stem = "incidents:incident"
    template_name = "incidents/incident_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            incident = form.save()
        except services.StaleIncidentError as error:
            form.add_service_error(error)
            form.stale = error
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"number": incident.number})
        return redirect(incident)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            draw_locale=draw_locale(),
            placement_url=reverse("incidents:incident_placement"),
            list_url_name="incidents:incident_list",
        )
        return context


class IncidentCreateView(IncidentFormMixin, FormView):
    """Quick intake: a few fields and a click on the map; placed by `incident_report`."""

    action = "add"
    form_class = IncidentIntakeForm
    success_message = gettext_lazy("Incident %(number)s was recorded.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("New incident")
        return context


class IncidentUpdateView(IncidentFormMixin, FormView):
    """Edit an incident's details over the version it was opened at (`incident_update(expected_version=...)`)."""

    action = "change"
    form_class = IncidentEditForm
    success_message = gettext_lazy("Incident %(number)s was updated.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(Incident.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["incident"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            incident=self.object,
            title=_("Edit incident %(number)s") % {"number": self.object.number},
        )
        return context


class PlacementPreviewView(ScopedObjectMixin, View):
    """GET ?lat=&lng=: the circle and station a point would be placed in, and hazards near it (a fragment)."""

    model = Incident
    action = "add"
    http_method_names = ["get"]

    def get(self, request):
        context = {}
        try:
            lat, lng = geo.validate_point(request.GET.get("lat"), request.GET.get("lng"))
            placement = services.incident_placement(lat=lat, lng=lng)
        except (ValidationError, TypeError, ValueError) as error:
            messages_ = error.messages if isinstance(error, ValidationError) else [_("Enter a valid point.")]
            context["error"] = " ".join(messages_)
        else:
            context.update(
                placement=placement,
                lat=lat,
                lng=lng,
                hazards=services.hazards_near(lat=lat, lng=lng, user=request.user),
            )
        return TemplateResponse(request, "incidents/inc/incident_placement.html", context)


# --- involved persons ----------------------------------------------------------------------------


class PersonAddView(ScopedObjectMixin, View):
    model = InvolvedPerson
    action = "add"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        incident = _incident(request, pk)
        form = PersonForm(request.POST, user=request.user, auto_id="person_%s")
        if form.is_valid():
            try:
                person = form.save(incident=incident)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_detail(request, incident, person=form)
        messages.success(request, _("%(person)s was added.") % {"person": person})
        return redirect(incident)


class PersonUpdateView(ScopedObjectMixin, FormView):
    model = InvolvedPerson
    action = "change"
    form_class = PersonForm
    template_name = "incidents/incident_person_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = get_object_or_404(
                InvolvedPerson.objects.visible_to(request.user).select_related("incident"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, person=self.person)
        return kwargs

    def form_valid(self, form):
        try:
            person = form.save()
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(person)s was updated.") % {"person": person})
        return redirect(self.person.incident)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(person=self.person, incident=self.person.incident)
        return context


class PersonRemoveView(ScopedObjectMixin, View):
    model = InvolvedPerson
    action = "delete"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        person = get_object_or_404(self.get_queryset().select_related("incident"), pk=pk)
        incident = person.incident
        try:
            services.person_remove(person=person, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(person)s was removed.") % {"person": person})
        return redirect(incident)


class PersonRevealView(RevealView):
    """Reveal a person's phone or ID number, with a reason; logged in the access log."""

    model = InvolvedPerson
    fields = ("phone", "id_number")


# --- duty board -------------------------------------------------------------------------------------


class DutyBoardView(ScopedObjectMixin, TemplateView):
    """Every team the user may see: its duty state, its open incident, where it was last seen.

    The board refreshes its table by htmx polling (`hx-trigger="every 20s"`): an htmx request gets
    the table fragment only.
    """

    model = PatrolTeam
    template_name = "incidents/duty_board.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["incidents/inc/incident_duty_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        teams = list(
            PatrolTeam.objects.visible_to(user).select_related("station", "circle").order_by("station", "name")
        )
        open_assignments = (
            Assignment.objects.visible_to(user)
            .active()
            .filter(incident__status__in=OPEN_STATUSES)
            .select_related("incident")
            .order_by("dispatched_at", "pk")
        )
        on_incident: dict[int, Incident] = {}
        for assignment in open_assignments:
            on_incident.setdefault(assignment.team_id, assignment.incident)
        context.update(
            rows=[(team, on_incident.get(team.pk)) for team in teams],
            refreshed_at=timezone.now(),
        )
        return context


# --- the map layer -------------------------------------------------------------------------------

#: the map's time filter: the value of `?period=` and how far back it reaches
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_PERIOD = "7d"
#: the newest incidents the layer draws at most (the clustered layer stays responsive)
GEOJSON_CAP = 5000


class IncidentGeoJSONView(ScopedObjectMixin, View):
    """A GeoJSON FeatureCollection (RFC 7946: lon, lat; 7 decimals) of the visible incidents.

    `?period=24h|7d|30d` (occurred within; default 7 days) and every IncidentFilterSet filter; at
    most GEOJSON_CAP newest. One query, through `.values()`: no model instances are built.
    """

    model = Incident
    http_method_names = ["get"]

    def get(self, request):
        period = request.GET.get("period") or DEFAULT_PERIOD
        if period not in PERIODS:
            return HttpResponseBadRequest(_("Unknown period."))
        queryset = Incident.objects.visible_to(request.user).filter(occurred_at__gte=timezone.now() - PERIODS[period])
        data = request.GET.copy()
        data.pop("period", None)
        filterset = IncidentFilterSet(data or None, queryset=queryset, request=request)
        if filterset.is_bound and not filterset.is_valid():
            return JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)
        rows = filterset.qs.order_by("-occurred_at", "-pk").values(
            "pk", "number", "summary", "category", "priority", "status", "occurred_at", "lat", "lng"
        )[:GEOJSON_CAP]
        categories = dict(Category.choices)
        statuses = dict(IncidentStatus.choices)
        priorities = dict(Priority.choices)
        placeholder = 987654321
        url_template = reverse("incidents:incident_detail", args=[placeholder]).replace(str(placeholder), "{}")
        features = [
            {
                "type": "Feature",
                "id": row["pk"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row["lng"], geo.DECIMALS), round(row["lat"], geo.DECIMALS)],
                },
                "properties": {
                    "number": row["number"],
                    "summary": row["summary"],
                    "category": row["category"],
                    "category_label": str(categories.get(row["category"], row["category"])),
                    "priority": row["priority"],
                    "priority_label": str(priorities.get(row["priority"], row["priority"])),
                    "status": row["status"],
                    "status_label": str(statuses.get(row["status"], row["status"])),
                    "occurred_at": timezone.localtime(row["occurred_at"]).isoformat(),
                    "url": url_template.format(row["pk"]),
                },
            }
            for row in rows
        ]
        response = JsonResponse(
            {"type": "FeatureCollection", "features": features}, json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Type"] = "application/geo+json"
        return response


# --- URLs ---------------------------------------------------------------------------------------------


urlpatterns = [
    path("", IncidentListView.as_view(), name="incident_list"),
    path("add/", IncidentCreateView.as_view(), name="incident_create"),
    path("placement/", PlacementPreviewView.as_view(), name="incident_placement"),
    path("geojson/", IncidentGeoJSONView.as_view(), name="incident_geojson"),
    path("duty-board/", DutyBoardView.as_view(), name="duty_board"),
    path("<int:pk>/", IncidentDetailView.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", IncidentUpdateView.as_view(), name="incident_update"),
    path("<int:pk>/note/", IncidentNoteView.as_view(), name="incident_note"),
    path("<int:pk>/do/<slug:transition>/", IncidentActionView.as_view(), name="incident_action"),
    path("<int:pk>/persons/add/", PersonAddView.as_view(), name="person_add"),
    path("persons/<int:pk>/edit/", PersonUpdateView.as_view(), name="person_update"),
    path("persons/<int:pk>/remove/", PersonRemoveView.as_view(), name="person_remove"),
    path("persons/<int:pk>/reveal/", PersonRevealView.as_view(), name="person_reveal"),
]
