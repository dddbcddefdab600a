"""Incident pages: the list, the detail with its timeline and dispatch panel, quick intake, edit, the
transitions, involved persons, the team duty board and the incidents layer of the map.

Reads go through `visible_to(request.user)` (another station's incident answers 404); writes are
calls to `incidents.services`, whose refusals (ValidationError) are shown on the page and change
nothing. The generic views of `portal.generic` give login, the model permission and the scope.
"""

from __future__ import annotations

import math
from datetime import timedelta

import orjson
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import Floor
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from patrols.models import PatrolTeam
from patrols.views import area_feature, collection, point_feature
from portal import geo
from portal.generic import Column, ObjectDetailView, ObjectListView, Personal, RevealView, ScopedObjectMixin
from portal.representation import choice_labels, url_template
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
PERIODS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "365d": timedelta(days=365),
}
DEFAULT_PERIOD = "7d"
#: the most incidents the layer sends one by one: a viewport holding more is sent as clusters
POINT_LIMIT = 1000
#: the widest viewport, in pixels, the layer clusters for: however large the box asked for, the cells
#: are made coarse enough that it holds at most (VIEWPORT_PX / geo.CLUSTER_CELL_PX)² of them
VIEWPORT_PX = 2048
#: the columns of a point feature, read through `.values()`
POINT_FIELDS = ("pk", "number", "summary", "category", "priority", "status", "occurred_at", "lat", "lng")


class MapLayerForm(forms.Form):
    """The layer's own parameters; everything else in the query string is an IncidentFilterSet filter."""

    period = forms.ChoiceField(choices=[(key, key) for key in PERIODS], required=False)
    zoom = forms.IntegerField(min_value=0, max_value=geo.MAX_ZOOM, required=False)


def point_features(rows) -> list[dict]:
    """One GeoJSON Feature per incident row (`POINT_FIELDS` through `.values()`), newest first."""
    categories, statuses, priorities = (choice_labels(c) for c in (Category, IncidentStatus, Priority))
    detail_url = url_template("incidents:incident_detail")
    zone = timezone.get_current_timezone()
    rows = sorted(rows, key=lambda row: (row["occurred_at"], row["pk"]), reverse=True)
    return [
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
                "category_label": categories.get(row["category"], row["category"]),
                "priority": row["priority"],
                "priority_label": priorities.get(row["priority"], row["priority"]),
                "status": row["status"],
                "status_label": statuses.get(row["status"], row["status"]),
                "occurred_at": row["occurred_at"].astimezone(zone).isoformat(),
                "url": detail_url.format(row["pk"]),
            },
        }
        for row in rows
    ]


def cluster_cells(queryset, zoom: int) -> dict[tuple[int, int], dict]:
    """The incidents of the queryset counted per cluster cell of `zoom`, in one grouped query.

    Returns {(column, row): {"count", "categories": {category: count}, "sum_lat", "sum_lng" (the sums per
    category, added with math.fsum so that the mean doesn't depend on the order the rows come in),
    "bbox": [min lng, min lat, max lng, max lat], "first": the smallest id}}: the database groups by
    cell and category, Python adds the categories of a cell up.
    """
    width, height = geo.cluster_cell(zoom)
    rows = (
        queryset.order_by()
        .annotate(cell_x=Floor(F("lng") / width), cell_y=Floor(F("lat") / height))
        .values("cell_x", "cell_y", "category")
        .annotate(
            n=Count("pk"),
            sum_lat=Sum("lat"),
            sum_lng=Sum("lng"),
            min_lat=Min("lat"),
            max_lat=Max("lat"),
            min_lng=Min("lng"),
            max_lng=Max("lng"),
            first=Min("pk"),
        )
    )
    cells: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (int(row["cell_x"]), int(row["cell_y"]))
        cell = cells.get(key)
        if cell is None:
            cells[key] = {
                "count": row["n"],
                "categories": {row["category"]: row["n"]},
                "sum_lat": [row["sum_lat"]],
                "sum_lng": [row["sum_lng"]],
                "bbox": [row["min_lng"], row["min_lat"], row["max_lng"], row["max_lat"]],
                "first": row["first"],
            }
            continue
        cell["count"] += row["n"]
        cell["categories"][row["category"]] = row["n"]
        cell["sum_lat"].append(row["sum_lat"])
        cell["sum_lng"].append(row["sum_lng"])
        box = cell["bbox"]
        box[0], box[1] = min(box[0], row["min_lng"]), min(box[1], row["min_lat"])
        box[2], box[3] = max(box[2], row["max_lng"]), max(box[3], row["max_lat"])
        cell["first"] = min(cell["first"], row["first"])
    return cells


def cluster_feature(key: tuple[int, int], cell: dict) -> dict:
    """A cluster as a GeoJSON Feature: at the mean of its incidents, with their box (RFC 7946 `bbox`)."""
    count = cell["count"]
    return {
        "type": "Feature",
        "id": f"cluster:{key[0]}:{key[1]}",
        "bbox": [round(v, geo.DECIMALS) for v in cell["bbox"]],
        "geometry": {
            "type": "Point",
            "coordinates": [
                round(math.fsum(cell["sum_lng"]) / count, geo.DECIMALS),
                round(math.fsum(cell["sum_lat"]) / count, geo.DECIMALS),
            ],
        },
        "properties": {
            "cluster": True,
            "count": count,
            "label": ngettext("%(count)s incident", "%(count)s incidents", count) % {"count": count},
            "categories": dict(sorted(cell["categories"].items(), key=lambda item: (-item[1], item[0]))),
        },
    }


class IncidentGeoJSONView(ScopedObjectMixin, View):
    """The incidents of a map viewport as a GeoJSON FeatureCollection (RFC 7946: lon, lat; 7 decimals).

    Parameters: `bbox=minlon,minlat,maxlon,maxlat` (the viewport; default the whole scope), `zoom`
    (0 … geo.MAX_ZOOM, the map's; default the zoom at which the box fills a screen), `period=24h|7d|
    30d|90d|365d` (occurred within; default 7 days) and every IncidentFilterSet filter.

    Nothing is dropped: when the viewport holds at most POINT_LIMIT incidents each is a point feature;
    otherwise they are counted per grid cell of the zoom (cells CLUSTER_CELL_PX pixels square, computed
    in SQL) and a cell is a cluster feature (`properties.cluster`, `count`, the count per category and
    the box of its incidents), or the point itself when it holds a single incident. The collection says
    how many incidents it stands for (`total`), whether it is `clustered` and at which `zoom`. At most
    two queries (the points, then when there are too many the cells and the lone points), both through
    `.values()`: no model instances are built.
    """

    model = Incident
    http_method_names = ["get"]

    def get(self, request):
        params = MapLayerForm(request.GET)
        data = request.GET.copy()
        for name in params.fields:
            data.pop(name, None)
        queryset = Incident.objects.visible_to(request.user)
        filterset = IncidentFilterSet(data or None, queryset=queryset, request=request)
        errors = {}
        if not params.is_valid():
            errors.update(params.errors.get_json_data())
        if filterset.is_bound and not filterset.is_valid():
            errors.update(filterset.errors.get_json_data())
        if errors:
            return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})
        since = timezone.now() - PERIODS[params.cleaned_data["period"] or DEFAULT_PERIOD]
        queryset = filterset.qs.filter(occurred_at__gte=since)
        box = (filterset.form.cleaned_data.get("bbox") if filterset.is_bound else None) or geo.bounds()
        zoom = params.cleaned_data["zoom"]
        zoom = geo.zoom_to_fit(box, VIEWPORT_PX // 2) if zoom is None else min(zoom, geo.zoom_to_fit(box, VIEWPORT_PX))

        # Unordered, so that the database stops after POINT_LIMIT + 1 rows however many are in view.
        points = list(queryset.order_by().values(*POINT_FIELDS)[: POINT_LIMIT + 1])
        clusters = []
        if len(points) > POINT_LIMIT:
            cells = cluster_cells(queryset, zoom)
            lone = [cell["first"] for cell in cells.values() if cell["count"] == 1]
            points = list(queryset.order_by().filter(pk__in=lone).values(*POINT_FIELDS)) if lone else []
            clusters = [cluster_feature(key, cell) for key, cell in sorted(cells.items()) if cell["count"] > 1]
        features = clusters + point_features(points)
        body = {
            "type": "FeatureCollection",
            "total": sum(f["properties"]["count"] for f in clusters) + len(points),
            "clustered": bool(clusters),
            "zoom": zoom,
            "features": features,
        }
        return HttpResponse(orjson.dumps(body), content_type="application/geo+json")


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
