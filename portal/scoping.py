"""The one choke point for access: every read of station-owned rows goes through `visible_to`.

Each scoped model's queryset names the lookup from the row to its station (`station_lookup`).
Sub-bureau staff see everything; any other user sees only the rows of their own station; an
anonymous user, or a user with no station, sees nothing. A row outside the scope answers 404
because views fetch with `get_object_or_404(Model.objects.visible_to(user), ...)`.
"""

from __future__ import annotations

from django.db import models

from .roles import sees_all_stations

#: what `visible_station` answers for a user who sees every station
EVERY_STATION = "every station"


def visible_station(user) -> int | str | None:
    """The station whose rows `user` may see: its id, EVERY_STATION, or None (nothing at all).

    The rule of `visible_to`, for the few reads written in SQL (the dashboards' panels).
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if sees_all_stations(user):
        return EVERY_STATION
    return user.station_id or None


class ScopedQuerySet(models.QuerySet):
    #: the lookup from this model to `patrols.Station`; "" for the Station model itself
    station_lookup: str = "station"

    def visible_to(self, user) -> ScopedQuerySet:
        station_id = visible_station(user)
        if station_id is EVERY_STATION:
            return self.all()
        if station_id is None:
            return self.none()
        return self.for_station(station_id)

    def for_station(self, station) -> ScopedQuerySet:
        """Rows of one station (a Station or its id)."""
        station_id = getattr(station, "pk", station)
        return self.filter(**{self.station_lookup or "pk": station_id})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
