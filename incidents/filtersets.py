"""The incident filters, one FilterSet shared by the list page, the API and the exports.

It must be given the already-scoped queryset (`Incident.objects.visible_to(user)`): it never falls
back to every incident. Bad input (a malformed bbox, a date that isn't one) is a form error, which
the page shows and the API answers with 400, never a 500.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, PatrolTeam, Station
from portal import geo
from portal.filters import UTCIsoDateTimeFilter

from .choices import OPEN_STATUSES, Category, IncidentStatus, Priority, Source
from .models import Incident


class BBoxField(forms.CharField):
    """`minlon,minlat,maxlon,maxlat`, cleaned to a tuple of four floats by `portal.geo.parse_bbox`."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return geo.parse_bbox(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code="invalid_bbox") from None


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.in_bbox(*value)


def _scoped(model):
    """A callable queryset for a choice filter: only the rows the requesting user may see."""

    def queryset(request):
        user = getattr(request, "user", None)
        return model.objects.visible_to(user)

    return queryset


#: interval -> the two stage times it is measured between (DESIGN.md, "Incident lifecycle")
MEASURED_FIELDS = {
    "queue": ("reported_at", "first_dispatched_at"),
    "travel": ("first_dispatched_at", "first_arrived_at"),
    "response": ("reported_at", "first_arrived_at"),
    "on_scene": ("first_arrived_at", "resolved_at"),
}
MEASURED_CHOICES = [
    ("queue", _("Queue time measured")),
    ("travel", _("Travel time measured")),
    ("response", _("Response time measured")),
    ("on_scene", _("Time on scene measured")),
]


class IncidentFilterSet(django_filters.FilterSet):
    """Filters of the incident list. Ranges: `*_after` is inclusive, `*_before` exclusive."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("Number, summary or address contains this.")
    )
    occurred_after = UTCIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte", label=_("Occurred from"))
    occurred_before = UTCIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt", label=_("Occurred before"))
    reported_after = UTCIsoDateTimeFilter(field_name="reported_at", lookup_expr="gte", label=_("Reported from"))
    reported_before = UTCIsoDateTimeFilter(field_name="reported_at", lookup_expr="lt", label=_("Reported before"))
    updated_since = UTCIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Updated since"),
        help_text=_("For synchronisation: changed at or after this time."),
    )
    circle = django_filters.ModelMultipleChoiceFilter(queryset=_scoped(PatrolCircle), label=_("Circle"))
    station = django_filters.ModelMultipleChoiceFilter(queryset=_scoped(Station), label=_("Station"))
    team = django_filters.ModelChoiceFilter(
        queryset=_scoped(PatrolTeam), field_name="teams", label=_("Team"), distinct=True
    )
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("Category"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label=_("Source"))
    is_open = django_filters.BooleanFilter(method="filter_is_open", label=_("Open"))
    bbox = BBoxFilter(label=_("Map area"), help_text=_("minlon,minlat,maxlon,maxlat"))
    # The dashboards' links: a heat-grid cell (local hour and ISO weekday of occurrence) and the rows an
    # interval is measured on (both of its ends recorded).
    hour = django_filters.NumberFilter(field_name="occurred_at", lookup_expr="hour", label=_("Hour of occurrence"))
    weekday = django_filters.NumberFilter(
        field_name="occurred_at", lookup_expr="iso_week_day", label=_("Weekday of occurrence (1 Monday … 7 Sunday)")
    )
    measured = django_filters.ChoiceFilter(choices=MEASURED_CHOICES, method="filter_measured", label=_("Measured"))

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            # Falling back to Incident.objects.all() would show every station's incidents.
            raise TypeError("IncidentFilterSet needs the scoped queryset: Incident.objects.visible_to(user)")
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(summary__icontains=value) | Q(address__icontains=value))

    def filter_is_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open() if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_measured(self, queryset, name, value):
        if not value:
            return queryset
        start, end = MEASURED_FIELDS[value]
        return queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})

    @property
    def qs(self):
        # A form error empties the list (rather than silently ignoring the bad filter); the page
        # shows `form.errors`, the API's DjangoFilterBackend answers 400 before getting here.
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs
