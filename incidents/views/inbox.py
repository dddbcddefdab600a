"""The inboxes around the incident: tips, mediation cases, safety hazards and police service requests.

Every page is a scoped view of `portal.generic` (login, the model permission of its action, and
`visible_to(request.user)`, so another station's row answers 404). Every write is one call to an
`incidents.services` function through a form of `incidents.forms.inbox`; a service's refusal is
shown on the page (the bound form with its errors, status 400) and changes nothing.

Workflow buttons post to `<stem>_action` (`.../<pk>/do/<action>/`): each detail view declares which
actions the row's state allows (`allowed_actions`) and the form of each (`action_form`).

URL names: `incidents:tip_list`, `tip_detail`, `tip_create`, `tip_action`, `tip_convert`;
`mediation_list`, `mediation_detail`, `mediation_create` (`?incident=<pk>` preselects it),
`mediation_action`; `hazard_list`, `hazard_detail`, `hazard_create`, `hazard_action`;
`servicerequest_list`, `servicerequest_detail`, `servicerequest_create`, `servicerequest_action`,
`servicerequest_reveal`; `servicetype_list` (the read-only catalogue).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from patrols.views import MapDetailView, area_feature, collection, point_feature
from portal import geo
from portal.generic import Column, ObjectListView, Personal, RevealView, ScopedObjectMixin, object_urls
from portal.widgets import draw_locale

from .. import filtersets_inbox as filtersets
from .. import services
from ..choices import (
    HAZARD_TRANSITIONS,
    SERVICE_REQUEST_TRANSITIONS,
    TIP_TRANSITIONS,
    MediationOutcome,
    RemediationStatus,
    ServiceRequestStatus,
    TipStatus,
)
from ..forms import inbox as forms
from ..models import Hazard, Incident, MediationCase, ServiceRequest, ServiceType, Tip

STATUS_CELL = "incidents/inc/inbox_status.html"

# --- shared plumbing ------------------------------------------------------------------------------------


class InboxPagesMixin:
    """Only the pages an inbox has get links (no Edit button where there is no edit page)."""

    pages: tuple[str, ...] = ("list", "detail", "create", "action")

    def url_name(self, kind: str) -> str:
        return super().url_name(kind) if kind in self.pages else ""


@dataclass
class ActionPanel:
    """One workflow control of a detail page: a form posted to `<stem>_action`.

    With `buttons` ([(value, label)]), each button posts its value in the form's `button_field`
    and that field isn't rendered; otherwise one submit button says `label`.
    """

    name: str
    label: str
    form: forms.ServiceForm
    url: str
    css: str = "btn-outline-primary"
    title: str = ""
    buttons: list[tuple[str, str]] | None = None
    button_field: str = ""


class InboxDetailView(InboxPagesMixin, MapDetailView):
    """A detail page with workflow panels; its `<stem>_action` subclass posts them."""

    #: action name -> (button label, button css)
    action_labels: dict[str, tuple] = {}

    def allowed_actions(self, obj) -> list[str]:
        """The actions the row's current state allows (the others are not offered)."""
        return []

    def action_form(self, name: str, obj, data=None) -> forms.ServiceForm:
        raise NotImplementedError

    def action_panel(self, name: str, obj, form) -> ActionPanel:
        label, css = self.action_labels[name]
        return ActionPanel(
            name=name, label=label, css=css, form=form, url=reverse(self.url_name("action"), args=[obj.pk, name])
        )

    def get_context_data(self, **kwargs):
        bound = kwargs.pop("bound_action", None)
        context = super().get_context_data(**kwargs)
        obj = self.object
        panels = []
        if context["can_change"]:
            names = self.allowed_actions(obj)
            if bound is not None and bound[0] not in names:
                names = [*names, bound[0]]  # a refused action keeps its form on the page with the reason
            for name in names:
                form = bound[1] if bound is not None and bound[0] == name else self.action_form(name, obj)
                panels.append(self.action_panel(name, obj, form))
        context["action_panels"] = panels
        context["today"] = timezone.localdate()
        return context


class InboxActionView(ScopedObjectMixin):
    """POST a workflow action of a detail view (mixed in before it): the service, then the row's page.

    A refusal re-renders the detail page with the bound form and its errors (status 400).
    """

    action = "change"
    http_method_names = ["post"]
    success_messages: dict[str, str] = {}

    def post(self, request, pk: int, act: str):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        if act not in self.action_labels:
            raise Http404
        form = self.action_form(act, obj, request.POST)
        result = form.try_save()
        if result is None:
            self.object = obj
            context = self.get_context_data(object=obj, bound_action=(act, form))
            return self.render_to_response(context, status=400)
        messages.success(request, self.success_messages.get(act, _("Saved.")))
        return redirect(self.success_url(act, obj, result))

    def success_url(self, act: str, obj, result) -> str:
        return obj.get_absolute_url()


class InboxFormView(InboxPagesMixin, ScopedObjectMixin, FormView):
    """A page with one form whose `save()` calls a service (create a row, convert a tip …)."""

    template_name = "generic/object_form.html"
    action = "add"
    title = ""
    success_message = _("Saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        result = form.try_save()
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"object": result})
        return redirect(self.get_result_url(result))

    def get_result_url(self, result) -> str:
        return result.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, draw_locale=draw_locale())
        return context


def _truncated(field: str, length: int = 60):
    return lambda obj: Truncator(getattr(obj, field) or "").chars(length)


class RelatedPersonal(Personal):
    """A masked phone of a related row (e.g. a tip's informant), revealed through that row's reveal view.

    The reveal (and its access-log entry) is about the related row, whose own page reveals it too.
    """

    def __init__(self, relation: str, field: str = "phone", **kwargs):
        super().__init__(field=field, **kwargs)
        self.relation = relation

    @property
    def accessor(self) -> str:
        return f"{self.relation}.{self.field}"

    def cell(self, obj) -> dict:
        owner = getattr(obj, self.relation)
        if owner is None:
            return {"value": "", "display": "—", "url": "", "template": "", "css": self.css}
        cell = super().cell(owner)
        cell.update(template="incidents/inc/inbox_related_personal.html", owner=owner)
        return cell


# --- tips ---------------------------------------------------------------------------------------------------


class TipListView(InboxPagesMixin, ObjectListView):
    """The tips inbox: new and verified tips by default; the status filter shows the others."""

    model = Tip
    filterset_class = filtersets.TipFilterSet
    select_related = ("station", "informant", "incident")
    columns = [
        Column("received_at", link=True, css="text-nowrap"),
        Column("status", template=STATUS_CELL),
        Column("channel"),
        Column(_truncated("content"), label=_("content"), link=True),
        Column("informant"),
        Column("station"),
        Column("incident", css="text-nowrap"),
    ]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.filterset.is_bound:
            queryset = queryset.inbox()  # the first visit opens on the inbox
        return queryset


class TipDetailView(InboxDetailView):
    model = Tip
    select_related = ("station", "informant", "incident", "recorded_by", "handled_by")
    fields = [
        "status",
        "received_at",
        "channel",
        "informant",
        RelatedPersonal("informant", label=_("informant's phone"), reveal_url_name="patrols:informant_reveal"),
        "content",
        "address",
        "lat",
        "lng",
        "station",
        "incident",
        "dismiss_reason",
        "recorded_by",
        "handled_by",
        "handled_at",
    ]
    action_labels = {
        "verify": (_("Verify"), "btn-success"),
        "dismiss": (_("Dismiss"), "btn-outline-danger"),
    }

    def allowed_actions(self, obj) -> list[str]:
        allowed = TIP_TRANSITIONS[obj.status]
        return [
            name
            for name, status in (("verify", TipStatus.VERIFIED), ("dismiss", TipStatus.DISMISSED))
            if status in allowed
        ]

    def action_form(self, name, obj, data=None):
        if name == "verify":
            return forms.TipVerifyForm(data, user=self.request.user, tip=obj)
        return forms.TipDismissForm(data, user=self.request.user, tip=obj)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tip = self.object
        user = self.request.user
        context["can_convert"] = (
            TipStatus.CONVERTED in TIP_TRANSITIONS[tip.status]
            and user.has_perm("incidents.change_tip")
            and user.has_perm("incidents.add_incident")
        )
        return context

    def get_map_features(self, obj):
        if not obj.has_point:
            return None
        return collection(point_feature(obj.lat, obj.lng, name=str(obj), main=True, colour="#dc3545"))


class TipActionView(InboxActionView, TipDetailView):
    success_messages = {"verify": _("The tip is verified."), "dismiss": _("The tip is dismissed.")}


class TipCreateView(InboxFormView):
    model = Tip
    form_class = forms.TipForm
    title = _("Record a tip")
    success_message = _("The tip was put in the inbox.")


class TipConvertView(InboxFormView):
    """Turn a verified tip into an incident (`tip_convert`) and go to the new incident."""

    model = Tip
    action = "change"
    form_class = forms.TipConvertForm
    title = _("Convert the tip to an incident")
    success_message = _("Incident %(object)s was created from the tip.")

    def get_permission_required(self):
        return [*super().get_permission_required(), "incidents.add_incident"]

    @cached_property
    def tip(self) -> Tip:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tip": self.tip}

    def get_result_url(self, result: Incident) -> str:
        return result.get_absolute_url() or self.tip.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.tip
        return context


# --- mediation ----------------------------------------------------------------------------------------------


def _agencies(case: MediationCase) -> str:
    return ", ".join(case.get_agencies_display())


def _parties(case: MediationCase) -> str:
    return "; ".join(case.party_list)


class MediationListView(InboxPagesMixin, ObjectListView):
    model = MediationCase
    filterset_class = filtersets.MediationFilterSet
    select_related = ("incident", "room", "station")
    columns = [
        Column("incident.number", label=_("incident"), link=True, css="text-nowrap"),
        Column("outcome", template=STATUS_CELL),
        Column("room"),
        Column(lambda c: Truncator(_parties(c)).chars(60), label=_("parties")),
        Column("opened_at", css="text-nowrap"),
        Column("closed_at", css="text-nowrap"),
        Column("station"),
    ]


class MediationDetailView(InboxDetailView):
    model = MediationCase
    select_related = ("incident", "room", "station", "opened_by")
    fields = [
        Column("outcome", template=STATUS_CELL),
        "incident",
        "room",
        "mediator",
        Column(_agencies, label=_("participating agencies")),
        "opened_at",
        "opened_by",
        "closed_at",
        "agreement",
        "referred_to",
        "station",
    ]
    action_labels = {
        "session": (_("Add the session"), "btn-primary"),
        "close": (_("Close the case"), "btn-outline-danger"),
        "followup": (_("Add the follow-up visit"), "btn-primary"),
    }
    action_titles = {
        "session": _("Record a session"),
        "close": _("Close with an outcome"),
        "followup": _("Record a follow-up visit"),
    }

    def allowed_actions(self, obj) -> list[str]:
        if obj.outcome == MediationOutcome.PENDING:
            return ["session", "close"]
        if obj.outcome == MediationOutcome.SETTLED:
            return ["followup"]
        return []

    def action_form(self, name, obj, data=None):
        form_class = {
            "session": forms.MediationSessionForm,
            "close": forms.MediationCloseForm,
            "followup": forms.MediationFollowUpForm,
        }[name]
        return form_class(data, user=self.request.user, case=obj)

    def action_panel(self, name, obj, form):
        panel = super().action_panel(name, obj, form)
        panel.title = self.action_titles[name]
        return panel

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        context.update(
            parties=case.party_list,
            sessions=case.sessions.select_related("recorded_by"),
            follow_ups=case.follow_ups.select_related("visited_by"),
        )
        return context

    def get_template_names(self):
        return ["incidents/mediation_detail.html"]

    def get_map_features(self, obj):
        room = obj.room
        return collection(
            point_feature(room.lat, room.lng, name=str(room), label=room.get_kind_display(), main=True),
            point_feature(obj.incident.lat, obj.incident.lng, name=obj.incident.number, colour="#dc3545"),
        )


class MediationActionView(InboxActionView, MediationDetailView):
    success_messages = {
        "session": _("The session was recorded."),
        "close": _("The case was closed."),
        "followup": _("The follow-up visit was recorded."),
    }


class MediationCreateView(InboxFormView):
    """Open a case from a dispute incident: `?incident=<pk>` preselects it (the incident page links here)."""

    model = MediationCase
    form_class = forms.MediationOpenForm
    title = _("Open a mediation case")
    success_message = _("The mediation case was opened.")

    def get_initial(self):
        initial = super().get_initial()
        pk = self.request.GET.get("incident", "")
        if pk.isdigit():
            incident = Incident.objects.visible_to(self.request.user).filter(pk=pk).first()
            if incident is not None:
                initial["incident"] = incident.number
        return initial


# --- hazards ------------------------------------------------------------------------------------------------

HAZARD_STATUS_ORDER = [
    RemediationStatus.IN_PROGRESS,
    RemediationStatus.REMEDIATED,
    RemediationStatus.CLOSED,
]


class HazardListView(InboxPagesMixin, ObjectListView):
    """Hazards, newest first; an open hazard past its due date is marked overdue."""

    model = Hazard
    filterset_class = filtersets.HazardFilterSet
    select_related = ("station", "circle")
    columns = [
        Column("title", link=True),
        Column("status", template=STATUS_CELL),
        Column("kind"),
        Column("severity", template="incidents/inc/inbox_severity.html"),
        Column("due_date", template="incidents/inc/inbox_due.html", css="text-nowrap"),
        Column("warn_radius_m", css="text-end"),
        Column("station"),
        Column("circle"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


class HazardDetailView(InboxDetailView):
    model = Hazard
    select_related = ("station", "circle", "created_by")
    fields = [
        Column("status", template=STATUS_CELL),
        "kind",
        Column("severity", template="incidents/inc/inbox_severity.html"),
        Column("due_date", template="incidents/inc/inbox_due.html"),
        "warn_radius_m",
        "reported_by_kind",
        "reported_by_text",
        "description",
        "status_note",
        "station",
        "circle",
        "lat",
        "lng",
        "remediated_at",
        "closed_at",
        "created_by",
        "created_at",
    ]
    action_labels = {"status": (_("Change the status"), "btn-outline-primary")}

    def allowed_actions(self, obj) -> list[str]:
        return ["status"] if HAZARD_TRANSITIONS.get(obj.status) else []

    def action_form(self, name, obj, data=None):
        return forms.HazardStatusForm(data, user=self.request.user, hazard=obj)

    def action_panel(self, name, obj, form):
        panel = super().action_panel(name, obj, form)
        allowed = HAZARD_TRANSITIONS.get(obj.status, ())
        panel.buttons = [(s.value, s.label) for s in HAZARD_STATUS_ORDER if s in allowed]
        panel.button_field = "status"
        return panel

    def get_map_features(self, obj):
        circle = obj.circle
        return collection(
            area_feature(circle.boundary, name=circle.name, colour=circle.colour, url=circle.get_absolute_url())
            if circle
            else [],
            point_feature(
                obj.lat,
                obj.lng,
                name=obj.title,
                label=obj.get_kind_display(),
                main=True,
                colour="#dc3545",
                radius=obj.warn_radius_m,
            ),
        )


class HazardActionView(InboxActionView, HazardDetailView):
    success_messages = {"status": _("The hazard's status was changed.")}


class HazardCreateView(InboxFormView):
    model = Hazard
    form_class = forms.HazardForm
    title = _("Report a safety hazard")
    success_message = _("Hazard “%(object)s” was recorded.")


# --- service requests ---------------------------------------------------------------------------------------


class ServiceRequestListView(InboxPagesMixin, ObjectListView):
    """Requests, newest first, with their due time; an open request past it is marked overdue."""

    model = ServiceRequest
    filterset_class = filtersets.ServiceRequestFilterSet
    select_related = ("service_type", "station")
    columns = [
        Column("received_at", link=True, css="text-nowrap"),
        Column("status", template=STATUS_CELL),
        Column("service_type"),
        Column("requester_name", link=True),
        Personal("phone", label=_("phone")),
        Column("due_at", template="incidents/inc/inbox_due.html", css="text-nowrap"),
        Column("station"),
    ]


class ServiceRequestDetailView(InboxDetailView):
    model = ServiceRequest
    select_related = ("service_type", "station", "recorded_by", "handled_by")
    fields = [
        Column("status", template=STATUS_CELL),
        "service_type",
        "requester_name",
        Personal("phone", label=_("phone"), reveal_url_name="incidents:servicerequest_reveal"),
        "details",
        "received_at",
        Column("due_at", template="incidents/inc/inbox_due.html"),
        "closed_at",
        "result",
        "station",
        "recorded_by",
        "handled_by",
    ]
    action_labels = {
        "start": (_("Start"), "btn-primary"),
        "complete": (_("Complete"), "btn-success"),
        "reject": (_("Reject"), "btn-outline-danger"),
    }
    targets = {
        "start": ServiceRequestStatus.IN_PROGRESS,
        "complete": ServiceRequestStatus.COMPLETED,
        "reject": ServiceRequestStatus.REJECTED,
    }

    def allowed_actions(self, obj) -> list[str]:
        allowed = SERVICE_REQUEST_TRANSITIONS[obj.status]
        return [name for name, status in self.targets.items() if status in allowed]

    def action_form(self, name, obj, data=None):
        form = forms.ServiceRequestCloseForm(data, user=self.request.user, service_request=obj, action=name)
        if name == "start":
            del form.fields["text"]
        return form


class ServiceRequestActionView(InboxActionView, ServiceRequestDetailView):
    success_messages = {
        "start": _("The request is in progress."),
        "complete": _("The request is completed."),
        "reject": _("The request was rejected."),
    }


class ServiceRequestCreateView(InboxFormView):
    model = ServiceRequest
    form_class = forms.ServiceRequestForm
    title = _("Receive a service request")
    success_message = _("The request was received.")


class ServiceRequestRevealView(RevealView):
    model = ServiceRequest
    fields = ("phone",)


class ServiceTypeListView(InboxPagesMixin, ObjectListView):
    """The read-only catalogue of police services (managed in the admin)."""

    model = ServiceType
    pages = ("list",)
    filterset_class = filtersets.ServiceTypeFilterSet
    columns = [
        Column("name"),
        Column("kind"),
        Column("time_limit_hours", css="text-end"),
        Column("description"),
        Column("is_active"),
    ]


# --- URLs -----------------------------------------------------------------------------------------------------

NAMESPACE = "incidents"


def _pages(stem: str, route: str, prefix: str, **extra) -> list:
    views = globals()
    return object_urls(
        stem,
        route,
        NAMESPACE,
        list_view=views[f"{prefix}ListView"],
        detail_view=views[f"{prefix}DetailView"],
        create_view=views[f"{prefix}CreateView"],
        update_view=None,
        extra=extra,
    )


def hazard_warning(request):
    """GET lat, lng: the open hazards (visible to the user) whose warn radius covers the point.

    Pages of other apps load it with htmx (a patrol team's position), so the warning rule stays here.
    """
    if not request.user.has_perm("incidents.view_hazard"):
        return HttpResponse("")
    try:
        lat, lng = geo.validate_point(request.GET.get("lat"), request.GET.get("lng"))
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    hazards = services.hazards_near(lat=lat, lng=lng, user=request.user)
    return render(request, "incidents/inc/hazard_warning.html", {"hazards": hazards})


ACTION = "<int:pk>/do/<slug:act>/"

urlpatterns = [
    path("hazards/near/", login_required(hazard_warning), name="hazard_warning"),
    *_pages(
        "tip",
        "tips",
        "Tip",
        action=(ACTION, TipActionView),
        convert=("<int:pk>/convert/", TipConvertView),
    ),
    *_pages("mediation", "mediation", "Mediation", action=(ACTION, MediationActionView)),
    *_pages("hazard", "hazards", "Hazard", action=(ACTION, HazardActionView)),
    *_pages(
        "servicerequest",
        "service-requests",
        "ServiceRequest",
        action=(ACTION, ServiceRequestActionView),
        reveal=("<int:pk>/reveal/", ServiceRequestRevealView),
    ),
    *object_urls(
        "servicetype",
        "service-types",
        NAMESPACE,
        list_view=ServiceTypeListView,
        detail_view=None,
        create_view=None,
        update_view=None,
    ),
]
