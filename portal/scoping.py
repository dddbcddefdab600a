"""The one choke point for access: every read of station-owned rows goes through `visible_to`.

Each scoped model's queryset names the lookup from the row to its station (`station_lookup`).
Sub-bureau staff see everything; any other user sees only the rows of their own station; an
anonymous user, or a user with no station, sees nothing. A row outside the scope answers 404
because views fetch with `get_object_or_404(Model.objects.visible_to(user), ...)`.
"""

from __future__ import annotations

from django.db import models

from .roles import sees_all_stations


class ScopedQuerySet(models.QuerySet):
    #: the lookup from this model to `patrols.Station`; "" for the Station model itself
    station_lookup: str = "station"

    def visible_to(self, user) -> ScopedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if sees_all_stations(user):
            return self.all()
        if not user.station_id:
            return self.none()
        return self.for_station(user.station_id)

    def for_station(self, station) -> ScopedQuerySet:
        """Rows of one station (a Station or its id)."""
        station_id = getattr(station, "pk", station)
        return self.filter(**{self.station_lookup or "pk": station_id})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
