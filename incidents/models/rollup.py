"""Rollup tables the dashboards read instead of the incident table (see `incidents.rollups`).

Both tables are derived data: every row is recomputed from the incidents of one (local day,
station) at a time, so a rollup is always exactly what a from-scratch recomputation gives. The day
is the local date (settings.TIME_ZONE) of `occurred_at`, the time the dashboards count by.

- `IncidentRollup`: incident counts per (day, station, circle, category, priority), about a
  hundred rows a day whatever the number of incidents, summed in SQL for the category and
  priority figures.
- `IncidentDayRollup`: one row per (day, station, circle) with what doesn't fit in columns: the
  count per local hour (the heat grid), per map grid cell (hotspots) and the histograms of the
  four intervals (queue, travel, response, on scene). The histograms use fixed buckets
  (`incidents.rollups.BUCKET_EDGES`: 10 s wide up to 10 minutes, 1 minute up to an hour, then
  coarser), so medians and 90th percentiles over any number of days are read from a few rows,
  exact to the bucket (10 s below 10 minutes, 1 minute below an hour).
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, Station
from portal.scoping import ScopedQuerySet


class IncidentRollup(models.Model):
    """Incidents that occurred on one local day, counted per station, circle, category and priority."""

    day = models.DateField(_("day"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("ISO weekday: 1 Monday … 7 Sunday."))
    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+")
    circle = models.ForeignKey(
        PatrolCircle, verbose_name=_("circle"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("category"), max_length=30)
    priority = models.CharField(_("priority"), max_length=2)
    count = models.PositiveIntegerField(_("count"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident rollup")
        verbose_name_plural = _("incident rollups")
        indexes = [models.Index(fields=["day", "station"], name="incident_rollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.station_id}/{self.circle_id} {self.category} {self.priority}: {self.count}"


class IncidentDayRollup(models.Model):
    """One local day of one station's circle (or of its incidents outside every circle).

    `hours` is a list of 24 counts (local hour of occurrence); `cells` maps a map grid cell
    ("row:col" of `portal.geo.grid_cell`) to its count; `intervals` maps "queue", "travel",
    "response" and "on_scene" to a histogram {bucket index: count} of the seconds measured.
    """

    day = models.DateField(_("day"))
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+")
    circle = models.ForeignKey(
        PatrolCircle, verbose_name=_("circle"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(_("count"))
    hours = models.JSONField(_("per hour"), default=list)
    cells = models.JSONField(_("per grid cell"), default=dict)
    intervals = models.JSONField(_("interval histograms"), default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident day rollup")
        verbose_name_plural = _("incident day rollups")
        indexes = [models.Index(fields=["day", "station"], name="incident_day_rollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.station_id}/{self.circle_id}: {self.count}"


def _incident_deleted(sender, instance, **kwargs) -> None:
    # Deleting is no service (a recorded incident's timeline is append-only, so only raw, generated
    # incidents can go): a receiver is the one place that sees every deletion, the admin's and bulk ones.
    from .. import rollups

    rollups.incident_deleted(instance)


post_delete.connect(_incident_deleted, sender="incidents.Incident", dispatch_uid="incident_rollup_on_delete")
