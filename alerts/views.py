"""Pages of the alerts app: audiences and endpoints, alerts (list, draft, detail with live deliveries,
approve, cancel, update), dead deliveries with their retry, acknowledgement links, the Atom feed of
current public alerts, and the list of schedules. Scoped generic views from `portal.generic`.
"""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from incidents.models import Hazard, Incident
from patrols.views import MapDetailView, area_feature, collection, point_feature
from portal.generic import (
    Column,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedObjectMixin,
)

from . import filtersets, forms, services
from .choices import AlertState, DeliveryState
from .models import Alert, Audience, Delivery, Endpoint

# --- audiences and endpoints ---------------------------------------------------------------------------


class AudienceListView(ObjectListView):
    model = Audience
    filterset_class = filtersets.AudienceFilterSet
    select_related = ("station", "circle")
    columns = [
        Column("name", link=True),
        Column("group"),
        Column("station"),
        Column("circle"),
        Column(lambda a: a.endpoint_count, label=gettext_lazy("endpoints"), css="text-end"),
        Column("is_active"),
    ]

    def get_queryset(self):
        return super().get_queryset().annotate(endpoint_count=Count("endpoints")).order_by("station", "name")


class AudienceDetailView(MapDetailView):
    model = Audience
    select_related = ("station", "circle")
    fields = ["name", "group", "station", "circle", "description", "is_active"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = Endpoint.objects.visible_to(self.request.user).filter(audience=self.object)
        context["can_add_endpoint"] = self.request.user.has_perm("alerts.add_endpoint")
        return context

    def get_map_features(self, obj):
        area = obj.area or (obj.circle.boundary if obj.circle_id else None)
        return collection(area_feature(area, name=obj.name, colour="#6f42c1"))


class AudienceCreateView(ObjectCreateView):
    model = Audience
    form_class = forms.AudienceForm


class AudienceUpdateView(ObjectUpdateView):
    model = Audience
    form_class = forms.AudienceForm


ENDPOINT_FIELDS = [
    "name",
    "kind",
    "audience",
    Column("target_masked", label=gettext_lazy("target")),
    Column("secret_masked", label=gettext_lazy("signing secret")),
    "is_active",
]


class EndpointListView(ObjectListView):
    model = Endpoint
    filterset_class = filtersets.EndpointFilterSet
    select_related = ("audience",)
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("audience"),
        Column("target_masked", label=gettext_lazy("target")),
        Column("is_active"),
    ]


class EndpointDetailView(ObjectDetailView):
    model = Endpoint
    select_related = ("audience",)
    fields = ENDPOINT_FIELDS


class EndpointCreateView(ObjectCreateView):
    model = Endpoint
    form_class = forms.EndpointForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("audience", "").isdigit():
            initial["audience"] = self.request.GET["audience"]
        return initial


class EndpointUpdateView(ObjectUpdateView):
    model = Endpoint
    form_class = forms.EndpointForm


# --- alerts --------------------------------------------------------------------------------------------


class AlertListView(ObjectListView):
    model = Alert
    filterset_class = filtersets.AlertFilterSet
    select_related = ("station",)
    columns = [
        Column("headline", link=True),
        Column("kind"),
        Column("msg_type"),
        Column("state", template="alerts/inc/state_cell.html"),
        Column("severity"),
        Column("station"),
        Column("sent", css="text-nowrap"),
    ]


def delivery_summary(alert: Alert) -> dict:
    counts = dict(alert.deliveries.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    acknowledged = alert.deliveries.filter(acknowledged_at__isnull=False).count()
    total = sum(counts.values())
    return {
        "total": total,
        "counts": [(state, label, counts.get(state, 0)) for state, label in DeliveryState.choices],
        "acknowledged": acknowledged,
        "unfinished": sum(
            counts.get(s, 0) for s in (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.FAILED)
        ),
    }


SHOWN_DELIVERIES = 100
DELIVERY_ORDER = {
    DeliveryState.DEAD: 0,
    DeliveryState.FAILED: 1,
    DeliveryState.SENDING: 2,
    DeliveryState.PENDING: 3,
    DeliveryState.SENT: 4,
}


def deliveries_context(request, alert: Alert) -> dict:
    """The first rows of an alert's deliveries, the ones needing attention first, and the counts."""
    order = Case(*[When(state=state, then=Value(rank)) for state, rank in DELIVERY_ORDER.items()], default=Value(9))
    rows = (
        Delivery.objects.visible_to(request.user)
        .filter(alert=alert)
        .select_related("endpoint", "endpoint__audience")
        .order_by(order, "pk")[:SHOWN_DELIVERIES]
    )
    return {
        "alert": alert,
        "deliveries": list(rows),
        "summary": delivery_summary(alert),
        "can_retry": request.user.has_perm("alerts.change_delivery"),
        "shown_limit": SHOWN_DELIVERIES,
    }


class AlertDetailView(MapDetailView):
    model = Alert
    select_related = ("station", "references", "source_incident", "source_hazard", "drafted_by", "approved_by")
    fields = [
        "identifier",
        "kind",
        "state",
        "station",
        "msg_type",
        Column("references", link="references"),
        "status",
        "scope",
        "restriction",
        "sent",
        "category",
        "event",
        "urgency",
        "severity",
        "certainty",
        "headline",
        "description",
        "instruction",
        "effective",
        "expires",
        "area_desc",
        "language",
        "note",
        Column("source_incident", link="source_incident"),
        Column("source_hazard", link="source_hazard"),
        "drafted_by",
        "approved_by",
        "approved_at",
        "cancelled_by",
        "cancelled_at",
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alert = self.object
        user = self.request.user
        context.update(deliveries_context(self.request, alert))
        context.update(
            audiences=alert.audiences.all(),
            may_approve=alert.state == AlertState.DRAFT and services.may_approve(user),
            may_edit=alert.state == AlertState.DRAFT and user.has_perm("alerts.change_alert"),
            may_follow_up=alert.state == AlertState.APPROVED and user.has_perm("alerts.add_alert"),
            may_cancel=alert.state != AlertState.CANCELLED
            and alert.msg_type != "Cancel"
            and user.has_perm("alerts.change_alert"),
            follow_ups=Alert.objects.visible_to(user).filter(references=alert),
        )
        return context

    def get_map_features(self, obj):
        return collection(
            area_feature(obj.area_polygon, name=obj.area_desc, colour="#dc3545"),
            point_feature(obj.circle_lat, obj.circle_lng, name=obj.area_desc, main=True, radius=obj.circle_radius_m)
            if obj.circle_lat is not None
            else [],
        )


class AlertDeliveriesView(ScopedObjectMixin, View):
    """The deliveries panel of an alert, polled by htmx while anything is still on its way."""

    model = Alert

    def get(self, request, pk):
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        return TemplateResponse(request, "alerts/inc/deliveries.html", deliveries_context(request, alert))


class AlertCreateView(ObjectCreateView):
    """A new draft, pre-filled from `?incident=<pk>` or `?hazard=<pk>` (each read in the user's scope)."""

    model = Alert
    form_class = forms.AlertForm
    template_name = "alerts/alert_form.html"

    def get_initial(self):
        initial = super().get_initial()
        user = self.request.user
        prefill = {}
        if self.request.GET.get("incident", "").isdigit():
            incident = get_object_or_404(Incident.objects.visible_to(user), pk=self.request.GET["incident"])
            prefill = services.prefill_from_incident(incident)
        elif self.request.GET.get("hazard", "").isdigit():
            hazard = get_object_or_404(Hazard.objects.visible_to(user), pk=self.request.GET["hazard"])
            prefill = services.prefill_from_hazard(hazard)
        for name, value in prefill.items():
            initial[name] = [a.pk for a in value] if name == "audiences" else value
        return initial


class AlertUpdateView(ObjectUpdateView):
    """Edit a draft (an approved alert changes only through an Update)."""

    model = Alert
    form_class = forms.AlertForm
    template_name = "alerts/alert_form.html"

    def get_queryset(self):
        return super().get_queryset().filter(state=AlertState.DRAFT)


class AlertActionView(ScopedObjectMixin, View):
    """POST an action on an alert; a refusal of the service is shown as a message on the alert's page."""

    model = Alert
    action = "change"
    http_method_names = ["post"]

    def perform(self, alert: Alert) -> tuple[Alert, str]:  # pragma: no cover - each action defines it
        raise NotImplementedError

    def post(self, request, pk):
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            target, message = self.perform(alert)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(alert)
        messages.success(request, message)
        return redirect(target)


class AlertApproveView(AlertActionView):
    def perform(self, alert):
        alert = services.alert_approve(alert=alert, by=self.request.user)
        count = alert.deliveries.count()
        return alert, _("The alert was approved: %(count)d deliveries are on their way.") % {"count": count}


class AlertCancelView(AlertActionView):
    def perform(self, alert):
        result = services.alert_cancel(alert=alert, by=self.request.user, note=self.request.POST.get("note", ""))
        if result.pk == alert.pk:
            return result, _("The draft was withdrawn.")
        if result.state == AlertState.APPROVED:
            return result, _("The cancellation was sent to the alert's audiences.")
        return result, _("A cancellation was drafted: a commander must approve it.")


class AlertFollowUpView(AlertActionView):
    action = "add"

    def perform(self, alert):
        update = services.alert_update(alert=alert, by=self.request.user)
        return reverse("alerts:alert_update", args=[update.pk]), _("An update was drafted: edit it, then approve it.")


# --- deliveries ------------------------------------------------------------------------------------


class DeadDeliveryListView(ObjectListView):
    model = Delivery
    filterset_class = filtersets.DeliveryFilterSet
    select_related = ("alert", "endpoint")
    template_name = "alerts/delivery_list.html"
    columns = [
        Column("alert", link="alert"),
        Column("endpoint"),
        Column("attempts", css="text-end"),
        Column("last_error"),
        Column("updated_at", css="text-nowrap"),
        Column("pk", label=gettext_lazy("retry"), template="alerts/inc/retry_cell.html"),
    ]

    def get_queryset(self):
        return super().get_queryset().filter(state=DeliveryState.DEAD).order_by("-updated_at")


class DeliveryRetryView(ScopedObjectMixin, View):
    model = Delivery
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        delivery = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.delivery_retry(delivery=delivery, by=request.user)
            messages.success(request, _("The delivery will be sent again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        next_url = request.POST.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        return redirect("alerts:delivery_dead")


# --- acknowledgement (public: the signed link is the credential) -------------------------------------


class AckView(View):
    """A recipient's acknowledgement. GET shows the alert and a button (link previews of chat apps
    fetch links, and must not acknowledge); POST records it.
    """

    template_name = "alerts/ack.html"

    def _context(self, token: str) -> dict:
        from .channels import read_ack_token

        try:
            delivery_id, _prefix = read_ack_token(token)
        except Exception:
            raise Http404 from None
        delivery = Delivery.objects.select_related("alert").filter(pk=delivery_id).first()
        if delivery is None:
            raise Http404
        return {"delivery": delivery, "alert": delivery.alert}

    def get(self, request, token):
        return TemplateResponse(request, self.template_name, self._context(token))

    def post(self, request, token):
        context = self._context(token)
        try:
            context["delivery"] = services.delivery_acknowledge(token=token)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return TemplateResponse(request, self.template_name, context, status=400)
        context["done"] = True
        return TemplateResponse(request, self.template_name, context)


# --- feed and schedules ----------------------------------------------------------------------------


class CurrentAlertsFeed(Feed):
    """Atom feed of the current public alerts (CAP scope Public: meant for everyone, so not scoped)."""

    feed_type = Atom1Feed

    def title(self):
        return _("Current public alerts")

    def subtitle(self):
        return _("Alert warnings and bulletins of the sub-bureau in force now.")

    def link(self):
        return reverse("alerts:feed")

    def items(self):
        return Alert.objects.current_public().select_related("station").order_by("-sent")[:50]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return "\n\n".join(t for t in (item.description, item.instruction) if t)

    def item_link(self, item):
        return reverse("alert-cap", args=[item.pk])

    def item_guid(self, item):
        return f"urn:cap:{item.sender}:{item.identifier}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.sent

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category, item.get_kind_display()]


def _next_run(entry_schedule, now):
    if isinstance(entry_schedule, crontab):
        return now + entry_schedule.remaining_estimate(now)
    if isinstance(entry_schedule, (int, float)):
        return None
    if isinstance(entry_schedule, interval_schedule):
        return None
    return None


def _describe(entry_schedule) -> str:
    if isinstance(entry_schedule, (int, float)):
        return _("every %(seconds)g s") % {"seconds": entry_schedule}
    if isinstance(entry_schedule, interval_schedule) and not isinstance(entry_schedule, crontab):
        return _("every %(seconds)g s") % {"seconds": entry_schedule.run_every.total_seconds()}
    if isinstance(entry_schedule, crontab):
        return (
            f"cron: {entry_schedule._orig_minute} {entry_schedule._orig_hour} "
            f"{entry_schedule._orig_day_of_month} {entry_schedule._orig_month_of_year} "
            f"{entry_schedule._orig_day_of_week}"
        )
    return str(entry_schedule)


SCHEDULE_LABELS = {
    "worker-heartbeat": gettext_lazy("Worker heartbeat"),
    "alerts-sweep": gettext_lazy("Re-queue due and stuck deliveries"),
    "alerts-p1-escalation": gettext_lazy("Escalate P1 incidents not dispatched in time"),
    "alerts-weekly-bulletin": gettext_lazy("Draft the weekly incident bulletins"),
    "alerts-hazard-reminders": gettext_lazy("Remind of hazards past their due date"),
}


@login_required
@permission_required("alerts.view_alert", raise_exception=True)
def schedule_list(request):
    """The beat schedules (settings.CELERY_BEAT_SCHEDULE) with their next run, in local time."""
    now = timezone.localtime()
    rows = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        next_run = _next_run(schedule, now)
        if next_run is None and isinstance(schedule, (int, float)):
            next_run_text = _("within %(seconds)g s") % {"seconds": schedule}
        else:
            next_run_text = ""
        rows.append(
            {
                "name": name,
                "label": SCHEDULE_LABELS.get(name, name),
                "task": entry["task"],
                "when": _describe(schedule),
                "next_run": next_run,
                "next_run_text": next_run_text,
            }
        )
    context = {
        "rows": rows,
        "escalation_minutes": settings.ALERT_P1_ESCALATION_MINUTES,
        "due": Delivery.objects.visible_to(request.user).due().count(),
        "stuck": Delivery.objects.visible_to(request.user)
        .stuck(timezone.now() - timedelta(seconds=settings.ALERT_SENDING_STUCK_SECONDS))
        .count(),
        "dead": Delivery.objects.visible_to(request.user).filter(Q(state=DeliveryState.DEAD)).count(),
    }
    return TemplateResponse(request, "alerts/schedule_list.html", context)
