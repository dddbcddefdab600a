"""Filters of the inboxes around the incident: tips, mediation cases, hazards and service requests.

Each is a `ScopedFilterSet`: its choices of related rows are the user's visible rows, and it is given
the already-scoped queryset by the list view. Dates filter whole local days (`*_after` and `*_before`
both inclusive).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.choices import PostKind
from patrols.models import PatrolPost, Station
from portal.generic import ScopedFilterSet

from .choices import (
    HazardSeverity,
    HazardType,
    MediationOutcome,
    RemediationStatus,
    ServiceRequestStatus,
    TipChannel,
    TipStatus,
)
from .models import Hazard, MediationCase, ServiceRequest, ServiceType, Tip


def _day_filters(field: str) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    widget = {"widget": forms.DateInput(attrs={"type": "date"})}
    return (
        django_filters.DateFilter(field_name=field, lookup_expr="date__gte", label=_("From"), **widget),
        django_filters.DateFilter(field_name=field, lookup_expr="date__lte", label=_("Until"), **widget),
    )


#: the tips list opens on the inbox: the tips still to be handled
TIP_INBOX = "inbox"
TIP_ALL = "all"


class TipFilterSet(ScopedFilterSet):
    """Tips by status (the inbox of new and verified ones by default), channel and day received."""

    search_fields = ("content", "address")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        empty_label=None,
        choices=[(TIP_INBOX, _("Inbox (new and verified)")), *TipStatus.choices, (TIP_ALL, _("All"))],
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=TipChannel.choices)
    received_after, received_before = _day_filters("received_at")

    class Meta:
        model = Tip
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        if value == TIP_ALL:
            return queryset
        if value == TIP_INBOX:
            return queryset.inbox()
        return queryset.filter(status=value)

    def filter_queryset(self, queryset):
        # no status given (the first visit, or other filters only) means the inbox
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.inbox()
        return super().filter_queryset(queryset)


class MediationFilterSet(ScopedFilterSet):
    search_fields = ("incident__number", "parties", "mediator")
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=MediationOutcome.choices)
    room = django_filters.ModelChoiceFilter(
        label=_("Mediation room"), queryset=PatrolPost.objects.filter(kind=PostKind.MEDIATION_ROOM)
    )
    opened_after, opened_before = _day_filters("opened_at")

    class Meta:
        model = MediationCase
        fields: list[str] = []


class HazardFilterSet(ScopedFilterSet):
    """Hazards by open/overdue, status, type and severity."""

    search_fields = ("title", "description", "reported_by_text")
    is_open = django_filters.BooleanFilter(label=_("Open"), method="filter_is_open")
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RemediationStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=HazardType.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=HazardSeverity.choices)
    station = django_filters.ModelChoiceFilter(label=_("Station"), queryset=Station.objects.all())

    class Meta:
        model = Hazard
        fields: list[str] = []

    def filter_is_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open().values("pk"))

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ServiceRequestFilterSet(ScopedFilterSet):
    # phones are personal data: searching by them would reveal them one digit at a time
    search_fields = ("requester_name", "details")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ServiceRequestStatus.choices)
    service_type = django_filters.ModelChoiceFilter(label=_("Service"), queryset=ServiceType.objects.all())
    station = django_filters.ModelChoiceFilter(label=_("Station"), queryset=Station.objects.all())
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    received_after, received_before = _day_filters("received_at")

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ServiceTypeFilterSet(ScopedFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = ServiceType
        fields = ["kind", "is_active"]
