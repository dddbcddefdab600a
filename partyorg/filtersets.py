"""Filters of the party organisation's lists; choices of related rows are limited to the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.generic import ScopedFilterSet

from .models import (
    CommunityBranch,
    Partner,
    PartyBranch,
    PartyGroup,
    PartyMember,
    ResponsibilityZone,
    Secondment,
    VanguardDuty,
    VanguardPost,
    VolunteerActivity,
)


def _date_filter(field_name: str, lookup: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


class BranchFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = PartyBranch
        fields = ["station"]


class GroupFilterSet(ScopedFilterSet):
    search_fields = ("name", "team__name")

    class Meta:
        model = PartyGroup
        fields = ["branch"]


class PartyMemberFilterSet(ScopedFilterSet):
    search_fields = ("member__name", "member__badge_number")

    class Meta:
        model = PartyMember
        fields = ["branch", "group", "role"]


class ZoneFilterSet(ScopedFilterSet):
    search_fields = ("name", "tasks")

    class Meta:
        model = ResponsibilityZone
        fields = ["circle"]


class VanguardPostFilterSet(ScopedFilterSet):
    search_fields = ("post__name", "pledge")

    class Meta:
        model = VanguardPost
        fields = []


class DutyFilterSet(ScopedFilterSet):
    class Meta:
        model = VanguardDuty
        fields = ["vanguard_post", "member", "weekday"]


class CommunityBranchFilterSet(ScopedFilterSet):
    search_fields = ("name", "community", "address")

    class Meta:
        model = CommunityBranch
        fields = ["station"]


class SecondmentFilterSet(ScopedFilterSet):
    search_fields = ("member__member__name", "community_branch__name", "community_branch__community")
    in_force_on = django_filters.DateFilter(
        method="filter_in_force", label=_("In force on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Secondment
        fields = ["member", "community_branch"]

    def filter_in_force(self, queryset, name, value):
        return queryset.in_force(value) if value else queryset


class PartnerFilterSet(ScopedFilterSet):
    search_fields = ("name", "contact_name", "cooperation")

    class Meta:
        model = Partner
        fields = ["station", "kind", "circle"]


class ActivityFilterSet(ScopedFilterSet):
    search_fields = ("title", "place", "description")
    held_after = _date_filter("held_on", "gte", _("From"))
    held_before = _date_filter("held_on", "lte", _("Until"))

    class Meta:
        model = VolunteerActivity
        fields = ["station", "kind", "partner"]
