"""Reusable reads of the patrol network. Every one starts from `visible_to(user)` in views."""

from __future__ import annotations

from portal.scoping import ScopedQuerySet


class StationQuerySet(ScopedQuerySet):
    station_lookup = ""


class CircleQuerySet(ScopedQuerySet):
    def active(self) -> CircleQuerySet:
        return self.filter(is_active=True)


class TeamQuerySet(ScopedQuerySet):
    def on_duty(self) -> TeamQuerySet:
        return self.exclude(duty_state="off_duty")


class PostQuerySet(ScopedQuerySet):
    def of_kind(self, kind: str) -> PostQuerySet:
        return self.filter(kind=kind)


class MemberQuerySet(ScopedQuerySet):
    def active(self) -> MemberQuerySet:
        return self.filter(is_active=True)


class InformantQuerySet(ScopedQuerySet):
    station_lookup = "circle__station"

    def active(self) -> InformantQuerySet:
        return self.filter(is_active=True)


class CameraQuerySet(ScopedQuerySet):
    station_lookup = "station"


class ShiftQuerySet(ScopedQuerySet):
    station_lookup = "team__station"
