"""Reusable, chainable reads of the incidents app. Views, the API and exports start from `visible_to(user)`."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import geo
from portal.scoping import ScopedQuerySet

from .choices import OPEN_HAZARD_STATUSES, OPEN_SERVICE_REQUEST_STATUSES, OPEN_STATUSES, TipStatus


class IncidentQuerySet(ScopedQuerySet):
    station_lookup = "station"

    def open(self) -> IncidentQuerySet:
        """Incidents still being handled: reported, dispatched, en route or on scene."""
        return self.filter(status__in=OPEN_STATUSES)

    def in_circle(self, circle) -> IncidentQuerySet:
        """Incidents placed in a circle (a PatrolCircle or its id)."""
        return self.filter(circle=circle)

    def in_bbox(self, min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> IncidentQuerySet:
        """Incidents whose point lies in the box (edges included).

        A plain range filter on the indexed lat/lng columns, the database's job; with PostGIS this
        would become a geometry lookup.
        """
        return self.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)

    def occurred_between(self, start: datetime | None = None, end: datetime | None = None) -> IncidentQuerySet:
        """Incidents that occurred at or after `start` and before `end` (either may be None)."""
        qs = self
        if start is not None:
            qs = qs.filter(occurred_at__gte=start)
        if end is not None:
            qs = qs.filter(occurred_at__lt=end)
        return qs

    def with_related(self) -> IncidentQuerySet:
        """Join what a list shows, so that a page of incidents is one query."""
        return self.select_related("circle", "station", "reported_by")


class IncidentChildQuerySet(ScopedQuerySet):
    """Rows hanging off an incident (events, assignments, persons): scoped by the incident's station."""

    station_lookup = "incident__station"


class AppendOnlyQuerySet(IncidentChildQuerySet):
    """The timeline is append-only: bulk updates and deletes are refused as well as single ones."""

    def update(self, **kwargs):
        raise ValidationError(_("The incident timeline is append-only."))

    def delete(self):
        raise ValidationError(_("The incident timeline is append-only."))


class AssignmentQuerySet(IncidentChildQuerySet):
    def active(self) -> AssignmentQuerySet:
        """Assignments whose team has not been cleared from the incident yet."""
        return self.filter(cleared_at__isnull=True)


class TipQuerySet(ScopedQuerySet):
    def inbox(self) -> TipQuerySet:
        """Tips still to be handled: new or verified."""
        return self.filter(status__in=(TipStatus.NEW, TipStatus.VERIFIED))


class MediationCaseQuerySet(ScopedQuerySet):
    def pending(self) -> MediationCaseQuerySet:
        return self.filter(outcome="pending")


class MediationChildQuerySet(ScopedQuerySet):
    station_lookup = "case__station"


class HazardQuerySet(ScopedQuerySet):
    def open(self) -> HazardQuerySet:
        """Hazards not yet remediated: open or in progress."""
        return self.filter(status__in=OPEN_HAZARD_STATUSES)

    def overdue(self, today=None) -> HazardQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def near(self, lat: float, lng: float) -> HazardQuerySet:
        """Open hazards whose warn radius covers the point (lat, lng).

        Distances are computed by `portal.geo.distance_m`. Open hazards are few (tens), so every open
        one is measured; at city scale this becomes a PostGIS ST_DWithin behind portal.geo.
        """
        rows = self.open().values_list("pk", "lat", "lng", "warn_radius_m")
        ids = [pk for pk, h_lat, h_lng, radius in rows if geo.distance_m(lat, lng, h_lat, h_lng) <= radius]
        return self.open().filter(pk__in=ids)


class ServiceTypeQuerySet(ScopedQuerySet):
    """The service catalogue is shared by the whole sub-bureau: every signed-in user sees all of it."""

    def visible_to(self, user) -> ServiceTypeQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all()

    def for_station(self, station) -> ServiceTypeQuerySet:
        return self.all()

    def active(self) -> ServiceTypeQuerySet:
        return self.filter(is_active=True)


class ServiceRequestQuerySet(ScopedQuerySet):
    def open(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=OPEN_SERVICE_REQUEST_STATUSES)

    def overdue(self, now: datetime | None = None) -> ServiceRequestQuerySet:
        """Open requests past their due time."""
        return self.open().filter(due_at__lt=now or timezone.now())
