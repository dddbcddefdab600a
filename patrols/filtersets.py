"""Filters of the patrol network's lists; choices of related rows are limited to the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.generic import ScopedFilterSet

from .models import Camera, Informant, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station


class StationFilterSet(ScopedFilterSet):
    search_fields = ("name", "code", "address")

    class Meta:
        model = Station
        fields = []


class CircleFilterSet(ScopedFilterSet):
    search_fields = ("name", "focus", "brand")

    class Meta:
        model = PatrolCircle
        fields = ["station", "kind", "is_active"]


class TeamFilterSet(ScopedFilterSet):
    search_fields = ("name", "call_sign")

    class Meta:
        model = PatrolTeam
        fields = ["station", "circle", "duty_state"]


class PostFilterSet(ScopedFilterSet):
    search_fields = ("name", "address")

    class Meta:
        model = PatrolPost
        fields = ["station", "circle", "kind"]


class MemberFilterSet(ScopedFilterSet):
    # phones are personal data: searching by them would reveal them one digit at a time
    search_fields = ("name", "badge_number", "rank")

    class Meta:
        model = Member
        fields = ["station", "team", "kind", "is_party_member", "is_active"]


class InformantFilterSet(ScopedFilterSet):
    search_fields = ("name", "organisation")

    class Meta:
        model = Informant
        fields = ["circle", "team", "kind", "is_active"]


class CameraFilterSet(ScopedFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Camera
        fields = ["station", "circle", "kind", "is_active"]


class ShiftFilterSet(ScopedFilterSet):
    search_fields = ("team__name", "notes")
    starts_after = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = PatrolShift
        fields = ["team"]
