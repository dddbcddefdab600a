"""Reusable reads of the party organisation; each names the lookup from its row to the station."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.scoping import ScopedQuerySet


class BranchQuerySet(ScopedQuerySet):
    station_lookup = "station"


class GroupQuerySet(ScopedQuerySet):
    station_lookup = "branch__station"


class PartyMemberQuerySet(ScopedQuerySet):
    station_lookup = "branch__station"


class ZoneQuerySet(ScopedQuerySet):
    station_lookup = "circle__station"


class VanguardPostQuerySet(ScopedQuerySet):
    station_lookup = "post__station"


class DutyQuerySet(ScopedQuerySet):
    station_lookup = "vanguard_post__post__station"


class CommunityBranchQuerySet(ScopedQuerySet):
    station_lookup = "station"


class SecondmentQuerySet(ScopedQuerySet):
    station_lookup = "member__branch__station"

    def in_force(self, on: date | None = None) -> SecondmentQuerySet:
        """Secondments running on the day `on` (today by default): started, and not ended before it."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)

    def overlapping(self, member_id: int, starts_on: date, ends_on: date | None) -> SecondmentQuerySet:
        """The member's secondments that share at least one day with [starts_on, ends_on] (open end: None)."""
        queryset = self.filter(member_id=member_id).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        if ends_on is not None:
            queryset = queryset.filter(starts_on__lte=ends_on)
        return queryset


class ActivityQuerySet(ScopedQuerySet):
    station_lookup = "station"

    def in_year(self, year: int) -> ActivityQuerySet:
        return self.filter(held_on__year=year)


class PartnerQuerySet(ScopedQuerySet):
    station_lookup = "station"


class PartyMemberManager(models.Manager.from_queryset(PartyMemberQuerySet)):
    def get_queryset(self):
        return super().get_queryset().select_related("member")


class VanguardPostManager(models.Manager.from_queryset(VanguardPostQuerySet)):
    def get_queryset(self):
        return super().get_queryset().select_related("post")
