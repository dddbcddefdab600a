"""Rollup tables the dashboards read instead of the incident table (see `incidents.rollups`).

Both tables are derived data: every day row is recomputed from the incidents of one (local day,
station) at a time, and the longer spans from the rows a span down, so a rollup is always exactly
what a from-scratch recomputation gives. The day
is the local date (settings.TIME_ZONE) of `occurred_at`, the time the dashboards count by.

Each table holds rows of five `span`s: a local day, and the week (Monday first), month, quarter and year that
begin on `day`, each the sum of the days it holds (`incidents.rollups.roll_up`), so that a year of
incidents is a few rows to sum rather than 365 days of them. The longer spans keep the weekday only
where a figure reads it (the hour of the heat grid); elsewhere their `weekday` is 0.

- `IncidentRollup`: incident counts per (day, station, circle, category, priority), about a
  hundred rows a day whatever the number of incidents, summed in SQL for the category and
  priority figures.
- `IncidentBinRollup`: incident counts per (day, station, circle, measure, bin): per local hour
  (the heat grid), per map grid cell (hotspots) and the histograms of the four intervals (queue,
  travel, response, on scene), one row per bin, so that SQL sums them over any number of days and
  returns a small result. The histograms use fixed buckets (`incidents.rollups.BUCKET_EDGES`: 10 s
  wide up to 10 minutes, 1 minute up to an hour, then coarser), so medians and 90th percentiles are
  read from the summed histogram, exact to the bucket (10 s below 10 minutes, 1 minute below an hour).
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patrols.models import PatrolCircle, Station
from portal.scoping import ScopedQuerySet


class Span(models.TextChoices):
    """How many days a rollup row sums, from its `day` on."""

    DAY = "day", pgettext_lazy("rollup span", "day")
    WEEK = "week", pgettext_lazy("rollup span", "week")
    MONTH = "month", pgettext_lazy("rollup span", "month")
    QUARTER = "quarter", pgettext_lazy("rollup span", "quarter")
    YEAR = "year", pgettext_lazy("rollup span", "year")


_SPAN = {"max_length": 7, "choices": Span.choices, "default": Span.DAY}
#: the rows a writer replaces: one station's rows of a span in a range of days (`incidents.rollups`)
_WRITE_FIELDS = ["station", "span", "day"]
_WEEKDAY_HELP = _("ISO weekday: 1 Monday … 7 Sunday; 0 in a longer span's row that sums every weekday.")


class _Rollup(models.Model):
    """What both rollup tables key their rows by, and their count."""

    span = models.CharField(_("span"), **_SPAN)
    day = models.DateField(_("day"), help_text=_("The first day of the span."))
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_WEEKDAY_HELP)
    # no index of their own: the writers' index (`_WRITE_FIELDS`) leads with the station; a circle is rarely deleted
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    circle = models.ForeignKey(
        PatrolCircle,
        verbose_name=_("circle"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    count = models.PositiveIntegerField(_("count"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class IncidentRollup(_Rollup):
    """Incidents of one local day (or longer span), counted per station, circle, category and priority."""

    category = models.CharField(_("category"), max_length=30)
    priority = models.CharField(_("priority"), max_length=2)

    class Meta:
        verbose_name = _("incident rollup")
        verbose_name_plural = _("incident rollups")
        # every column a dashboard sums, in the index: a month of rows is read from the index alone
        # (PostgreSQL's index-only scan), not from thousands of table pages a day's rows are spread over
        indexes = [
            models.Index(
                fields=["span", "day", "station", "circle", "category", "priority", "count"],
                name="incident_rollup_span_sums",
            ),
            models.Index(fields=_WRITE_FIELDS, name="incident_rollup_writes"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.span} {self.day} {self.station_id}/{self.circle_id} {self.category} {self.priority}: {self.count}"
        )


class IncidentBinRollup(_Rollup):
    """Incidents of one local day (or longer span) of a station's circle (or outside every circle), per bin.

    `measure` is "hour" (`bin`: the local hour of occurrence, "0" … "23"), "cell" (`bin`: the map grid
    cell "row:col" of `portal.geo.grid_cell`) or one of the intervals "queue", "travel", "response",
    "on_scene" (`bin`: the index of the histogram bucket of the seconds measured, `incidents.rollups.BUCKET_EDGES`).
    One row per bin that holds incidents: the dashboards sum them in SQL over any number of days.
    """

    measure = models.CharField(_("measure"), max_length=10)
    bin = models.CharField(_("bin"), max_length=24)

    class Meta:
        verbose_name = _("incident bin rollup")
        verbose_name_plural = _("incident bin rollups")
        # a measure's days of one span are one range of the index, holding every column a panel groups and
        # sums: PostgreSQL answers from the index alone
        indexes = [
            models.Index(
                fields=["measure", "span", "day", "station", "circle", "weekday", "bin", "count"],
                name="incident_bin_rollup_span_sums",
            ),
            models.Index(fields=_WRITE_FIELDS, name="incident_bin_rollup_writes"),
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.day} {self.station_id}/{self.circle_id} {self.measure} {self.bin}: {self.count}"


def _incident_deleted(sender, instance, **kwargs) -> None:
    # Deleting is no service (a recorded incident's timeline is append-only, so only raw, generated
    # incidents can go): a receiver is the one place that sees every deletion, the admin's and bulk ones.
    from .. import rollups

    rollups.incident_deleted(instance)


post_delete.connect(_incident_deleted, sender="incidents.Incident", dispatch_uid="incident_rollup_on_delete")
