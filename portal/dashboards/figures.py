"""The dashboards' figures: each a function of (user, period, scope) returning plain data.

Every read starts from `visible_to(user)` (the rollup tables are scoped the same way as the
incidents), narrowed by the scope (a station, a circle). Incident figures come from the rollups
(`incidents.models.rollup`) for the whole local days of the period and from the incident table only
for the partial days at its ends, counted by the same code (`incidents.rollups.Aggregate`).

Every count an incident chart shows carries `url`: the incident list filtered (IncidentFilterSet
query parameters) to exactly the rows counted. Incidents are counted by the time they occurred.

Percentiles are "nearest rank": the p-th percentile of n values is the ceil(p/100 · n)-th smallest
(the median of an even count is the lower middle), read from the rollups' histograms and reported
as the lower edge of its bucket (exact to 10 s below 10 minutes, 1 minute below an hour).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import rollups
from incidents.choices import OPEN_HAZARD_STATUSES, OPEN_STATUSES, Category, MediationOutcome, Priority, TipStatus
from incidents.models import Hazard, Incident, IncidentDayRollup, IncidentRollup, MediationCase, Tip
from patrols.choices import DutyState
from patrols.models import PatrolCircle, PatrolShift, PatrolTeam, TeamStateChange
from portal import geo

# --- period and scope ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end): aware datetimes. The presets are whole local days ending with today."""

    start: datetime
    end: datetime
    key: str = "custom"

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - self.length, self.start, self.key)

    def whole_days(self) -> tuple[date, date] | None:
        """[first, last) local days lying wholly inside the period, or None."""
        first = rollups.local_day(self.start)
        if rollups.day_start(first) < self.start:
            first += timedelta(days=1)
        last = rollups.local_day(self.end)
        return (first, last) if first < last else None

    def partial_ranges(self) -> list[tuple[datetime, datetime]]:
        """The pieces of the period outside its whole days (read from the incident table)."""
        days = self.whole_days()
        if days is None:
            return [(self.start, self.end)] if self.start < self.end else []
        pieces = [(self.start, rollups.day_start(days[0])), (rollups.day_start(days[1]), self.end)]
        return [(a, b) for a, b in pieces if a < b]

    def query(self) -> dict[str, str]:
        return {"occurred_after": _iso(self.start), "occurred_before": _iso(self.end)}

    @property
    def last_day(self) -> date:
        """The local day of the period's last moment (for a form's "to" date)."""
        return rollups.local_day(self.end - timedelta(microseconds=1))


PRESETS = {"today": 1, "7d": 7, "30d": 30}


def preset_period(key: str, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    days = PRESETS[key]
    return Period(
        rollups.day_start(today - timedelta(days=days - 1)), rollups.day_start(today + timedelta(days=1)), key
    )


def date_period(first: date, last: date) -> Period:
    """The local days first … last, both included."""
    return Period(rollups.day_start(first), rollups.day_start(last + timedelta(days=1)), "custom")


@dataclass(frozen=True)
class Scope:
    """What a dashboard looks at inside the user's visibility: one station, one circle, or all of it."""

    station_id: int | None = None
    circle_id: int | None = None

    def query(self) -> dict[str, str]:
        params = {}
        if self.station_id:
            params["station"] = str(self.station_id)
        if self.circle_id:
            params["circle"] = str(self.circle_id)
        return params

    def narrow(self, queryset, *, station: str = "station", circle: str | None = "circle"):
        if self.station_id:
            queryset = queryset.filter(**{f"{station}_id": self.station_id})
        if self.circle_id and circle:
            queryset = queryset.filter(**{f"{circle}_id": self.circle_id})
        return queryset


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment, rollups.local_zone()).isoformat()


def incident_list_url(**params) -> str:
    """The incident list filtered by IncidentFilterSet parameters (None values left out)."""
    clean = {k: v for k, v in params.items() if v is not None and v != ""}
    return reverse("incidents:incident_list") + "?" + urlencode(clean)


def _url(period: Period, scope: Scope, **params) -> str:
    return _links(period, scope)(**params)


def _links(period: Period, scope: Scope):
    """A maker of incident-list links sharing the period's and scope's parameters (reversed and encoded once)."""
    base = incident_list_url(**period.query(), **scope.query())

    def link(**params) -> str:
        return base + "&" + urlencode(params) if params else base

    return link


# --- reading rollups plus partial days -------------------------------------------------------------


def _partial_aggregate(user, period: Period, scope: Scope) -> rollups.Aggregate:
    aggregate = rollups.Aggregate()
    for start, end in period.partial_ranges():
        raw = scope.narrow(Incident.objects.visible_to(user)).occurred_between(start, end)
        aggregate.add_all(rollups.raw_rows(raw))
    return aggregate


def _rollup_qs(model, user, period: Period, scope: Scope):
    days = period.whole_days()
    if days is None:
        return None
    return scope.narrow(model.objects.visible_to(user)).filter(day__gte=days[0], day__lt=days[1]).order_by()


def _counts(user, period: Period, scope: Scope) -> Counter:
    """{(circle_id, category, priority): n} for the period."""
    counts: Counter = Counter()
    qs = _rollup_qs(IncidentRollup, user, period, scope)
    if qs is not None:
        for circle_id, category, priority, n in qs.values_list("circle_id", "category", "priority").annotate(
            n=Sum("count")
        ):
            counts[circle_id, category, priority] += n
    for (_day, _station, circle_id, category, priority), n in _partial_aggregate(user, period, scope).counts.items():
        counts[circle_id, category, priority] += n
    return counts


def _day_rows(user, period: Period, scope: Scope, *fields: str) -> list[dict]:
    """IncidentDayRollup values of the period (whole days), plus the partial days counted alike."""
    rows: list[dict] = []
    qs = _rollup_qs(IncidentDayRollup, user, period, scope)
    if qs is not None:
        rows += qs.values("circle_id", "weekday", *fields)
    aggregate = _partial_aggregate(user, period, scope) if period.partial_ranges() else None
    if aggregate is not None:
        for row in aggregate.rows()[1]:
            rows.append({"circle_id": row.circle_id, "weekday": row.weekday, **{f: getattr(row, f) for f in fields}})
    return rows


def _circles(user, scope: Scope) -> list[PatrolCircle]:
    """The circles in scope, in a stable order (a circle that is no longer active still has history)."""
    return list(scope.narrow(PatrolCircle.objects.visible_to(user), circle=None).order_by("station_id", "pk"))


def _change(current: int, previous: int) -> float | None:
    return round((current - previous) / previous * 100, 1) if previous else None


# --- incidents by category, priority and circle ------------------------------------------------------


def incidents_by_kind(user, period: Period, scope: Scope) -> dict:
    """Counts per category, priority and circle, each with the previous period's count and a link."""
    current, previous = _counts(user, period, scope), _counts(user, period.previous(), scope)
    circles = [c for c in _circles(user, scope) if not scope.circle_id or c.pk == scope.circle_id]

    per_circle_category: Counter = Counter()
    for (circle_id, category, _priority), n in current.items():
        per_circle_category[circle_id, category] += n

    def total(counts: Counter, index: int, value) -> int:
        return sum(n for key, n in counts.items() if key[index] == value)

    categories = [
        {
            "value": value,
            "label": str(label),
            "count": total(current, 1, value),
            "previous": total(previous, 1, value),
            "url": _url(period, scope, category=value),
        }
        for value, label in Category.choices
    ]
    priorities = [
        {
            "value": value,
            "label": str(label),
            "count": total(current, 2, value),
            "previous": total(previous, 2, value),
            "url": _url(period, scope, priority=value),
        }
        for value, label in Priority.choices
    ]
    by_circle = [
        {
            "id": circle.pk,
            "station_id": circle.station_id,
            "label": circle.name,
            "colour": circle.colour,
            "count": total(current, 0, circle.pk),
            "previous": total(previous, 0, circle.pk),
            "url": _url(period, Scope(circle.station_id, circle.pk)),
            "categories": {
                value: {
                    "count": per_circle_category[circle.pk, value],
                    "url": _url(period, Scope(circle.station_id, circle.pk), category=value),
                }
                for value in Category.values
            },
        }
        for circle in circles
    ]
    count, before = sum(current.values()), sum(previous.values())
    return {
        "total": count,
        "previous_total": before,
        "change_pct": _change(count, before),
        "url": _url(period, scope),
        "previous_url": _url(period.previous(), scope),
        "categories": categories,
        "priorities": priorities,
        "circles": by_circle,
    }


# --- heat grid ------------------------------------------------------------------------------------


def heat_grid(user, period: Period, scope: Scope) -> dict:
    """Incidents per ISO weekday (1 Monday … 7 Sunday) and local hour of occurrence."""
    grid = [[0] * 24 for _ in range(7)]
    for row in _day_rows(user, period, scope, "hours"):
        week = grid[row["weekday"] - 1]
        for hour, n in enumerate(row["hours"]):
            week[hour] += n
    link = _links(period, scope)
    cells = [
        {
            "weekday": weekday + 1,
            "hour": hour,
            "count": n,
            "url": link(weekday=weekday + 1, hour=hour),
        }
        for weekday, week in enumerate(grid)
        for hour, n in enumerate(week)
    ]
    return {
        "grid": grid,
        "cells": cells,
        "max": max((c["count"] for c in cells), default=0),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }


# --- intervals ----------------------------------------------------------------------------------


def _min(seconds: int | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f}"


def percentile(histogram: dict[int, int], p: float) -> int | None:
    """Nearest-rank percentile of a {bucket index: count} histogram, in seconds (the bucket's lower edge)."""
    n = sum(histogram.values())
    if not n:
        return None
    rank = max(math.ceil(p / 100 * n), 1)
    seen = 0
    for index in sorted(histogram, key=int):
        seen += histogram[index]
        if seen >= rank:
            return rollups.bucket_floor(int(index))
    return None  # unreachable


def _interval_labels() -> dict[str, str]:
    return {
        "queue": _("Queue time"),
        "travel": _("Travel time"),
        "response": _("Response time"),
        "on_scene": _("Time on scene"),
    }


def intervals(user, period: Period, scope: Scope) -> dict:
    """Median and 90th percentile of queue, travel, response and on-scene time, per circle and overall.

    An interval counts only incidents with both of its ends: a patrol that came upon an incident
    (arrival, no dispatch) has a response time but no queue or travel time.
    """
    merged: dict = defaultdict(lambda: {name: Counter() for name in rollups.INTERVALS})
    for row in _day_rows(user, period, scope, "intervals"):
        per_circle = merged[row["circle_id"]]
        for name, histogram in row["intervals"].items():
            per_circle[name].update(histogram)  # keys stay strings (as stored) until the percentiles
    overall = {name: Counter() for name in rollups.INTERVALS}
    for per_circle in merged.values():
        for name, histogram in per_circle.items():
            overall[name].update(histogram)

    def summary(histograms: dict, circle_scope: Scope) -> dict:
        values = {
            name: {
                "name": name,
                "n": sum(histograms[name].values()),
                "median": percentile(histograms[name], 50),
                "p90": percentile(histograms[name], 90),
                "url": _url(period, circle_scope, measured=name),
            }
            for name in rollups.INTERVALS
        }
        for value in values.values():
            value["display"] = f"{_min(value['median'])} / {_min(value['p90'])}"
        return {**values, "values": list(values.values())}

    circles = [c for c in _circles(user, scope) if not scope.circle_id or c.pk == scope.circle_id]
    empty = {name: Counter() for name in rollups.INTERVALS}
    return {
        "labels": _interval_labels(),
        "overall": summary(overall, scope),
        "circles": [
            {
                "id": circle.pk,
                "label": circle.name,
                "colour": circle.colour,
                **summary(merged.get(circle.pk, empty), Scope(circle.station_id, circle.pk)),
            }
            for circle in circles
        ],
    }


# --- backlog ----------------------------------------------------------------------------------------

#: upper bounds of the backlog's age buckets (time since the report); the last bucket is open-ended
BACKLOG_BOUNDS = [timedelta(hours=1), timedelta(hours=4), timedelta(hours=24), timedelta(days=7), None]


def backlog(user, period: Period | None, scope: Scope, *, now: datetime | None = None) -> dict:
    """Open incidents now, by age since the report (the period does not apply: it is the current backlog)."""
    now = now or timezone.now()
    labels = [_("under 1 hour"), _("1–4 hours"), _("4–24 hours"), _("1–7 days"), _("over 7 days")]
    bounds, lower = [], None
    for upper in BACKLOG_BOUNDS:
        # age in (lower, upper]  <=>  reported_at in [now - upper, now - lower)
        bounds.append((now - upper if upper else None, now - lower if lower else None))
        lower = upper
    aggregates = {}
    for i, (after, before) in enumerate(bounds):
        q = Q()
        if after is not None:
            q &= Q(reported_at__gte=after)
        if before is not None:
            q &= Q(reported_at__lt=before)
        aggregates[f"b{i}"] = Count("pk", filter=q) if q else Count("pk")
    counts = scope.narrow(Incident.objects.visible_to(user)).filter(status__in=OPEN_STATUSES).aggregate(**aggregates)
    buckets = [
        {
            "label": labels[i],
            "count": counts[f"b{i}"],
            "url": incident_list_url(
                **scope.query(),
                is_open="true",
                reported_after=_iso(after) if after else None,
                reported_before=_iso(before) if before else None,
            ),
        }
        for i, (after, before) in enumerate(bounds)
    ]
    return {"buckets": buckets, "total": sum(b["count"] for b in buckets), "as_of": _iso(now)}


# --- teams ----------------------------------------------------------------------------------------

RESPONSE_STATES = frozenset({DutyState.RESPONDING, DutyState.ON_SCENE})
PATROL_STATES = frozenset({DutyState.PATROLLING, DutyState.RETURNING})


def teams(user, period: Period, scope: Scope, *, now: datetime | None = None) -> dict:
    """Teams on duty now by state; patrol hours (shifts) in the period; share of patrol vs response time.

    The shares come from the duty-state log: time spent patrolling or returning is patrol time,
    responding or on scene is response time, clipped to the period (and to now).
    """
    now = now or timezone.now()
    end = min(period.end, now)
    visible = scope.narrow(PatrolTeam.objects.visible_to(user))
    states = dict(visible.order_by().values_list("duty_state").annotate(n=Count("pk")))
    shifts = scope.narrow(PatrolShift.objects.visible_to(user), station="team__station", circle="team__circle")
    patrol_seconds = 0.0
    for starts_at, ends_at in shifts.filter(starts_at__lt=end, ends_at__gt=period.start).values_list(
        "starts_at", "ends_at"
    ):
        patrol_seconds += max((min(ends_at, end) - max(starts_at, period.start)).total_seconds(), 0)
    # the state of each team when the period starts, and its changes during the period
    before = TeamStateChange.objects.filter(team=OuterRef("pk"), at__lt=period.start).order_by("-at", "-pk")
    initial = dict(
        visible.annotate(state=Subquery(before.values("to_state")[:1])).values_list("pk", "state").order_by()
    )
    changes = (
        TeamStateChange.objects.filter(team__in=visible, at__gte=period.start, at__lt=end)
        .order_by("team_id", "at", "pk")
        .values_list("team_id", "at", "to_state")
    )
    seconds: Counter = Counter()
    current = {team_id: (period.start, state) for team_id, state in initial.items()}
    for team_id, at, to_state in changes:
        since, state = current.get(team_id, (period.start, None))
        if state:
            seconds[state] += (at - since).total_seconds()
        current[team_id] = (at, to_state)
    for since, state in current.values():
        if state and end > since:
            seconds[state] += (end - since).total_seconds()
    patrol = sum(seconds[s] for s in PATROL_STATES)
    response = sum(seconds[s] for s in RESPONSE_STATES)
    busy = patrol + response
    return {
        "states": [
            {"value": value, "label": str(label), "count": states.get(value, 0)} for value, label in DutyState.choices
        ],
        "on_duty": sum(n for state, n in states.items() if state != DutyState.OFF_DUTY),
        "patrolling": states.get(DutyState.PATROLLING, 0) + states.get(DutyState.RETURNING, 0),
        "responding": states.get(DutyState.RESPONDING, 0) + states.get(DutyState.ON_SCENE, 0),
        "shift_hours": round(patrol_seconds / 3600, 1),
        "patrol_hours": round(patrol / 3600, 1),
        "response_hours": round(response / 3600, 1),
        "patrol_share_pct": round(patrol / busy * 100, 1) if busy else None,
        "response_share_pct": round(response / busy * 100, 1) if busy else None,
    }


# --- around the incidents: tips, mediation, hazards -----------------------------------------------


def tips(user, period: Period, scope: Scope) -> dict:
    """Tips received in the period; how many were verified (including those converted) and converted."""
    qs = scope.narrow(Tip.objects.visible_to(user), circle=None).filter(
        received_at__gte=period.start, received_at__lt=period.end
    )
    counts = qs.aggregate(
        received=Count("pk"),
        verified=Count("pk", filter=Q(status__in=(TipStatus.VERIFIED, TipStatus.CONVERTED))),
        converted=Count("pk", filter=Q(status=TipStatus.CONVERTED)),
    )
    return {**counts, "conversion_pct": _pct(counts["converted"], counts["received"])}


def mediation(user, period: Period, scope: Scope) -> dict:
    """Mediation cases opened in the period; share settled among those decided (settled, failed, referred)."""
    qs = scope.narrow(MediationCase.objects.visible_to(user), circle=None).filter(
        opened_at__gte=period.start, opened_at__lt=period.end
    )
    counts = qs.aggregate(
        opened=Count("pk"),
        pending=Count("pk", filter=Q(outcome=MediationOutcome.PENDING)),
        settled=Count("pk", filter=Q(outcome=MediationOutcome.SETTLED)),
    )
    decided = counts["opened"] - counts["pending"]
    return {**counts, "decided": decided, "settled_pct": _pct(counts["settled"], decided)}


def hazards(user, period: Period, scope: Scope, *, today: date | None = None) -> dict:
    """Hazards open now and overdue now (past the due date), and those reported in the period."""
    today = today or timezone.localdate()
    qs = scope.narrow(Hazard.objects.visible_to(user))
    return qs.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_HAZARD_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_HAZARD_STATUSES, due_date__lt=today)),
        reported=Count("pk", filter=Q(created_at__gte=period.start, created_at__lt=period.end)),
    )


def _pct(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 1) if whole else None


# --- hotspots -------------------------------------------------------------------------------------


def hotspots(user, period: Period, scope: Scope, *, limit: int = 10) -> dict:
    """The map grid cells (portal.geo.grid_cell) with the most incidents in the period."""
    cells: Counter = Counter()
    for row in _day_rows(user, period, scope, "cells"):
        cells.update(row["cells"])
    top = []
    for cell, n in sorted(cells.items(), key=lambda item: (-item[1], item[0]))[:limit]:
        box = geo.grid_cell_bbox(cell)
        top.append(
            {
                "cell": cell,
                "count": n,
                "bbox": list(box),
                "center": [(box[1] + box[3]) / 2, (box[0] + box[2]) / 2],
                "url": _url(period, scope, bbox=",".join(f"{v:.7f}" for v in box)),
            }
        )
    return {"cells": top}


# --- other apps, when they are there --------------------------------------------------------------


def _has_table(app_label: str, model_name: str):
    """The model, if its app is installed and its table exists (another part of the portal may be missing)."""
    if not apps.is_installed(app_label):
        return None
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    if model._meta.db_table not in _tables():
        return None
    return model


_table_cache: dict[str, set[str]] = {}


def _tables() -> set[str]:
    alias = connection.alias + connection.settings_dict.get("NAME", "")
    if alias not in _table_cache:
        _table_cache[alias] = set(connection.introspection.table_names())
    return _table_cache[alias]


def alerts(user, period: Period, scope: Scope) -> dict | None:
    """Alerts sent in the period and the share of their sent deliveries acknowledged (None without alerts)."""
    Alert = _has_table("alerts", "Alert")
    Delivery = _has_table("alerts", "Delivery")
    if Alert is None or Delivery is None:
        return None
    sent = scope.narrow(Alert.objects.visible_to(user), circle=None).filter(
        sent__gte=period.start, sent__lt=period.end
    )
    counts = (
        scope.narrow(Delivery.objects.visible_to(user), station="alert__station", circle=None)
        .filter(alert__sent__gte=period.start, alert__sent__lt=period.end)
        .aggregate(
            delivered=Count("pk", filter=Q(sent_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(sent_at__isnull=False, acknowledged_at__isnull=False)),
        )
    )
    return {
        "sent": sent.count(),
        **counts,
        "acknowledged_pct": _pct(counts["acknowledged"], counts["delivered"]),
    }


def party(user, period: Period, scope: Scope) -> dict | None:
    """Party-building figures (None until the party organisation has its tables)."""
    names = {
        "members": ("PartyMember", _("Party members")),
        "groups": ("PartyGroup", _("Party groups")),
        "zones": ("ResponsibilityZone", _("Responsibility zones")),
        "posts": ("VanguardPost", _("Vanguard posts")),
        "secondments": ("Secondment", _("Secondments")),
    }
    figures = []
    for key, (model_name, label) in names.items():
        model = _has_table("partyorg", model_name)
        if model is None or not hasattr(model.objects, "visible_to"):
            continue
        qs = model.objects.visible_to(user)
        if scope.station_id:
            qs = qs.for_station(scope.station_id)
        figures.append({"key": key, "label": str(label), "count": qs.count()})
    return {"figures": figures} if figures else None
