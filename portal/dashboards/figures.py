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

Each panel's statement is written here in SQL, once (`_SQL`), and run with its parameters through one
cursor: a dashboard asks the same few aggregates on every load, and building them with the ORM cost
several times what the database takes to answer. The scope of every statement is `_scoped`: the rule
of `visible_to` (`portal.scoping.visible_station`) narrowed by the dashboard's scope. The sums over
many days are the database's (GROUP BY over the rollup rows, one row per bin for the hours, grid
cells and interval histograms): a panel fetches a small result, whatever the number of days.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote_plus

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from incidents import rollups
from incidents.choices import OPEN_HAZARD_STATUSES, OPEN_STATUSES, Category, MediationOutcome, Priority, TipStatus
from incidents.models import Hazard, Incident, IncidentBinRollup, IncidentRollup, MediationCase, Tip
from patrols.choices import DutyState
from patrols.models import PatrolCircle, PatrolShift, PatrolTeam, TeamStateChange
from portal import geo
from portal.representation import choice_labels
from portal.scoping import EVERY_STATION, visible_station

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


#: what a query string's value may hold unquoted (RFC 3986 allows ":" there): codes, numbers, most of a time
_PLAIN = re.compile(r"[\w.:-]*", re.ASCII)


def _encode(params: dict[str, str]) -> str:
    """A query string of string values, like `urlencode`, quoting only the values that need it (a time's "+")."""
    return "&".join(
        f"{name}={value}" if _PLAIN.fullmatch(value) else f"{name}={quote_plus(value, safe=':')}"
        for name, value in params.items()
    )


@lru_cache(maxsize=16)
def _list_path(prefix: str, urlconf) -> str:
    return reverse("incidents:incident_list", urlconf=urlconf)


def incident_list_url(**params) -> str:
    """The incident list filtered by IncidentFilterSet parameters (None values left out)."""
    clean = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    return _list_path(get_script_prefix(), get_urlconf()) + "?" + _encode(clean)


class _Links:
    """Incident-list links of one period: the list's path and the period encoded once, per panel."""

    def __init__(self, period: Period):
        self.base = incident_list_url(**period.query())
        self.scopes: dict[Scope, str] = {}

    def __call__(self, scope: Scope, **params) -> str:
        base = self.scopes.get(scope)
        if base is None:
            query = scope.query()
            base = self.scopes[scope] = f"{self.base}&{_encode(query)}" if query else self.base
        return f"{base}&{_encode(params)}" if params else base


def _url(period: Period, scope: Scope, **params) -> str:
    return _Links(period)(scope, **params)


# --- SQL ------------------------------------------------------------------------------------------


def _sql(statement: str, **models) -> str:
    """A statement with each {name} replaced by that model's table ({{where}} etc. stay for each call)."""
    return statement.format(**{name: model._meta.db_table for name, model in models.items()})


def _in(values) -> str:
    """An SQL list of choice values (the code's own constants: plain identifiers, never user input)."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


_OPEN = _in(OPEN_STATUSES)
_OPEN_HAZARD = _in(OPEN_HAZARD_STATUSES)

#: every panel's statement; `{where}` is the scope (`_scoped`), `%s` the parameters. The rollup sums are
#: (outer statement, piece): the piece reads the rollup rows of one span from `day` to `day` (its first three
#: parameters), once per piece of the days (`rollups.pieces`), and the outer statement sums their `{rows}`
_SQL = {
    "counts": (
        "SELECT circle_id, category, priority, SUM(CASE WHEN period = 0 THEN n ELSE 0 END),"
        " SUM(CASE WHEN period = 1 THEN n ELSE 0 END) FROM ({rows}) r GROUP BY circle_id, category, priority",
        _sql(
            'SELECT circle_id, category, priority, {{period}} AS period, "count" AS n FROM {rollup}'
            " WHERE span = %s AND day >= %s AND day < %s{{where}}",
            rollup=IncidentRollup,
        ),
    ),
    # the bin rollups, one part per figure, in one statement (`day_rows`): each returns
    # (measure, circle, weekday, bin, n), the columns it doesn't group by as NULL
    "hours": (
        "SELECT measure, circle_id, weekday, bin, SUM(n) FROM ({rows}) r GROUP BY measure, circle_id, weekday, bin",
        _sql(
            'SELECT measure, circle_id, weekday, bin, "count" AS n FROM {rollup}'
            " WHERE measure = '" + rollups.HOUR + "' AND span = %s AND day >= %s AND day < %s{{where}}",
            rollup=IncidentBinRollup,
        ),
    ),
    "intervals": (
        "SELECT measure, circle_id, CAST(NULL AS INTEGER), bin, SUM(n) FROM ({rows}) r"
        " GROUP BY measure, circle_id, bin",
        _sql(
            'SELECT measure, circle_id, bin, "count" AS n FROM {rollup}'
            " WHERE measure IN " + _in(rollups.INTERVALS) + " AND span = %s AND day >= %s AND day < %s{{where}}",
            rollup=IncidentBinRollup,
        ),
    ),
    # the busiest cells first (ties by cell, as Python orders them: the databases compare bytes)
    "cells": (
        "SELECT measure, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), bin, SUM(n) AS total FROM ({rows}) r"
        " GROUP BY measure, bin ORDER BY total DESC, bin{limit}",
        _sql(
            'SELECT measure, bin, "count" AS n FROM {rollup}'
            " WHERE measure = '" + rollups.CELL + "' AND span = %s AND day >= %s AND day < %s{{where}}",
            rollup=IncidentBinRollup,
        ),
    ),
    "circles": _sql(
        "SELECT id, station_id, name, colour FROM {circle} WHERE 1 = 1{{where}} ORDER BY station_id, id",
        circle=PatrolCircle,
    ),
    "backlog": _sql(
        "SELECT {{buckets}} FROM {incident} WHERE status IN " + _OPEN + "{{where}}",
        incident=Incident,
    ),
    "teams": _sql(
        "SELECT t.id, t.duty_state, (SELECT c.to_state FROM {change} c WHERE c.team_id = t.id AND c.at < %s"
        " ORDER BY c.at DESC, c.id DESC LIMIT 1) FROM {team} t WHERE 1 = 1{{where}}",
        team=PatrolTeam,
        change=TeamStateChange,
    ),
    "shifts": _sql(
        "SELECT s.starts_at, s.ends_at FROM {shift} s INNER JOIN {team} t ON t.id = s.team_id"
        " WHERE s.starts_at < %s AND s.ends_at > %s{{where}}",
        shift=PatrolShift,
        team=PatrolTeam,
    ),
    "changes": _sql(
        "SELECT c.team_id, c.at, c.to_state FROM {change} c INNER JOIN {team} t ON t.id = c.team_id"
        " WHERE c.at >= %s AND c.at < %s{{where}} ORDER BY c.team_id, c.at, c.id",
        change=TeamStateChange,
        team=PatrolTeam,
    ),
    "tips": _sql(
        "SELECT COUNT(*), COUNT(CASE WHEN status IN (%s, %s) THEN 1 END), COUNT(CASE WHEN status = %s THEN 1 END)"
        " FROM {tip} WHERE received_at >= %s AND received_at < %s{{where}}",
        tip=Tip,
    ),
    "mediation": _sql(
        "SELECT COUNT(*), COUNT(CASE WHEN outcome = %s THEN 1 END), COUNT(CASE WHEN outcome = %s THEN 1 END)"
        " FROM {case} WHERE opened_at >= %s AND opened_at < %s{{where}}",
        case=MediationCase,
    ),
    "hazards": _sql(
        "SELECT COUNT(CASE WHEN status IN " + _OPEN_HAZARD + " THEN 1 END),"
        " COUNT(CASE WHEN status IN " + _OPEN_HAZARD + " AND due_date < %s THEN 1 END),"
        " COUNT(CASE WHEN created_at >= %s AND created_at < %s THEN 1 END) FROM {hazard} WHERE 1 = 1{{where}}",
        hazard=Hazard,
    ),
}


def _scoped(user, scope: Scope, *, station: str = "station_id", circle: str | None = None) -> tuple[str, list] | None:
    """`visible_to(user)` narrowed by the scope: SQL conditions (each after AND) and their parameters.

    None when the user sees nothing (the panel then runs no query).
    """
    seen = visible_station(user)
    if seen is None:
        return None
    where, params = "", []
    if seen is not EVERY_STATION:
        where, params = f" AND {station} = %s", [seen]
    if scope.station_id:
        where += f" AND {station} = %s"
        params.append(scope.station_id)
    if circle and scope.circle_id:
        where += f" AND {circle} = %s"
        params.append(scope.circle_id)
    return where, params


def _piece_rows(key: str, ranges: list[tuple], params: list, *, where: str, **parts) -> tuple[str, list]:
    """The `{rows}` of rollup sum `key` over `ranges` (`rollups.pieces`): its piece once per range, UNION ALL."""
    _outer, piece = _SQL[key]
    piece = piece.format(where=where, **parts)
    values = [value for span, first, last in ranges for value in (span, _day(first), _day(last), *params)]
    return " UNION ALL ".join([piece] * len(ranges)), values


def _rows(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _at(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _day(day: date):
    return connection.ops.adapt_datefield_value(day)


def _aware(value) -> datetime:
    """A datetime column as read by a cursor (SQLite answers naive datetimes, or text, in UTC)."""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


# --- reading rollups plus partial days -------------------------------------------------------------


def _partial_aggregate(user, period: Period, scope: Scope) -> rollups.Aggregate:
    aggregate = rollups.Aggregate()
    for start, end in period.partial_ranges():
        raw = scope.narrow(Incident.objects.visible_to(user)).occurred_between(start, end)
        aggregate.add_all(rollups.raw_rows(raw))
    return aggregate


def _day_span(period: Period) -> tuple[date, date]:
    """The period's whole days as [first, last) ("no day" is an empty span)."""
    days = period.whole_days()
    return days if days is not None else (rollups.local_day(period.start),) * 2


def _counts(user, period: Period, scope: Scope) -> tuple[Counter, Counter]:
    """{(circle_id, category, priority): n} of the period and of the previous one, summed in one statement."""
    current, previous = Counter(), Counter()
    scoped = _scoped(user, scope, circle="circle_id")
    if scoped is None:
        return current, previous
    where, params = scoped
    now, before = (rollups.pieces(*_day_span(p)) for p in (period, period.previous()))
    if now or before:
        rows_now, values_now = _piece_rows("counts", now, params, where=where, period=0)
        rows_before, values_before = _piece_rows("counts", before, params, where=where, period=1)
        rows = " UNION ALL ".join(part for part in (rows_now, rows_before) if part)
        statement = _SQL["counts"][0].format(rows=rows)
        for circle_id, category, priority, n_now, n_before in _rows(statement, values_now + values_before):
            if n_now:
                current[circle_id, category, priority] = n_now
            if n_before:
                previous[circle_id, category, priority] = n_before
    for counts, piece in ((current, period), (previous, period.previous())):
        if piece.partial_ranges():
            for (_d, _s, circle_id, category, priority), n in _partial_aggregate(user, piece, scope).counts.items():
                counts[circle_id, category, priority] += n
    return current, previous


#: what the bin rollups give the panels: heat grid, intervals, hotspots
DAY_FIELDS = ("hours", "intervals", "cells")

#: the hotspots a dashboard shows
HOTSPOTS = 10


def day_rows(
    user, period: Period, scope: Scope, fields: tuple[str, ...] = DAY_FIELDS, *, cells: int = HOTSPOTS
) -> dict[str, list[tuple]]:
    """{field: [(circle_id, weekday, value)]}: the period's bin rollups summed per circle, in one statement.

    "hours": (circle, weekday, [24 counts]); "intervals": (circle, None, {interval: {bucket: n}});
    "cells": (None, None, {cell: n}) of the `cells` busiest cells. The partial days at the ends of the
    period are counted alike and added (and then every cell is read: the top ones may change). A page
    reads them once for its three panels.
    """
    rows: dict[str, list[tuple]] = {field: [] for field in fields}
    scoped = _scoped(user, scope, circle="circle_id")
    if scoped is None:
        return rows
    partial = _partial_aggregate(user, period, scope).days if period.partial_ranges() else {}
    hours: dict[tuple, list[int]] = {}
    histograms: dict = {}
    top: dict[str, int] = {}

    def add(measure: str, circle_id, weekday, bin_: str, n: int) -> None:
        if measure == rollups.HOUR:
            week = hours.get((circle_id, weekday))
            if week is None:
                week = hours[circle_id, weekday] = [0] * 24
            week[int(bin_)] += n
        elif measure == rollups.CELL:
            top[bin_] = top.get(bin_, 0) + n
        else:
            per_circle = histograms.get(circle_id)
            if per_circle is None:
                per_circle = histograms[circle_id] = {name: {} for name in rollups.INTERVALS}
            histogram = per_circle[measure]
            histogram[bin_] = histogram.get(bin_, 0) + n

    days = period.whole_days()
    ranges = rollups.pieces(*days) if days is not None else []
    if ranges and fields:
        where, params = scoped
        limit = "" if partial else f" LIMIT {int(cells)}"
        parts, values = [], []
        for field in fields:
            union, field_values = _piece_rows(field, ranges, params, where=where)
            parts.append(f"SELECT * FROM ({_SQL[field][0].format(rows=union, limit=limit)}) {field}")
            values += field_values
        for row in _rows(" UNION ALL ".join(parts), values):
            add(*row)
    wanted = {rollups.HOUR: "hours", rollups.CELL: "cells"}
    for (day, _station_id, circle_id), entry in partial.items():
        for (measure, bin_), n in entry.items():
            if wanted.get(measure, "intervals") in rows:
                add(measure, circle_id, day.isoweekday(), bin_, n)
    if "hours" in rows:
        rows["hours"] = [(circle_id, weekday, week) for (circle_id, weekday), week in hours.items()]
    if "intervals" in rows:
        rows["intervals"] = [(circle_id, None, per_circle) for circle_id, per_circle in histograms.items()]
    if "cells" in rows:
        rows["cells"] = [(None, None, dict(sorted(top.items(), key=lambda item: (-item[1], item[0]))[:cells]))]
    return rows


def _day_rows(user, period: Period, scope: Scope, field: str, rows: dict | None) -> list[tuple]:
    """One field's rows: from `rows` (read by the page), or read now."""
    return (rows if rows is not None else day_rows(user, period, scope, (field,)))[field]


@dataclass(frozen=True)
class _Circle:
    pk: int
    station_id: int
    name: str
    colour: str


def circles_in(user, scope: Scope) -> list[_Circle]:
    """The circles in scope, in a stable order (a circle that is no longer active still has history).

    The panels that show circles read them (`circles=None`) or take them from the page (read once for all).
    """
    scoped = _scoped(user, scope)
    if scoped is None:
        return []
    where, params = scoped
    circles = [_Circle(*row) for row in _rows(_SQL["circles"].format(where=where), params)]
    return [c for c in circles if not scope.circle_id or c.pk == scope.circle_id]


def _change(current: int, previous: int) -> float | None:
    return round((current - previous) / previous * 100, 1) if previous else None


# --- incidents by category, priority and circle ------------------------------------------------------


#: each category's part of a link's query string
_CATEGORY_QUERIES = {value: _encode({"category": value}) for value in Category.values}


def incidents_by_kind(user, period: Period, scope: Scope, *, circles: list[_Circle] | None = None) -> dict:
    """Counts per category, priority and circle, each with the previous period's count and a link."""
    current, previous = _counts(user, period, scope)
    circles = circles_in(user, scope) if circles is None else circles
    link = _Links(period)
    # the totals per category (index 1), priority (2) and circle (0), of each period
    totals = [[Counter(), Counter(), Counter()], [Counter(), Counter(), Counter()]]
    per_circle_category: Counter = Counter()
    for which, counts in enumerate((current, previous)):
        by_circle, by_category, by_priority = totals[which]
        for (circle_id, category, priority), n in counts.items():
            by_circle[circle_id] += n
            by_category[category] += n
            by_priority[priority] += n
            if not which:
                per_circle_category[circle_id, category] += n
    (now_circle, now_category, now_priority), (was_circle, was_category, was_priority) = totals

    categories = [
        {
            "value": value,
            "label": label,
            "count": now_category[value],
            "previous": was_category[value],
            "url": link(scope, category=value),
        }
        for value, label in choice_labels(Category).items()
    ]
    priorities = [
        {
            "value": value,
            "label": label,
            "count": now_priority[value],
            "previous": was_priority[value],
            "url": link(scope, priority=value),
        }
        for value, label in choice_labels(Priority).items()
    ]
    by_circle = []
    for circle in circles:
        circle_link = link(Scope(circle.station_id, circle.pk))
        by_circle.append(
            {
                "id": circle.pk,
                "station_id": circle.station_id,
                "label": circle.name,
                "colour": circle.colour,
                "count": now_circle[circle.pk],
                "previous": was_circle[circle.pk],
                "url": circle_link,
                "categories": {
                    value: {
                        "count": per_circle_category[circle.pk, value],
                        "url": f"{circle_link}&{query}",
                    }
                    for value, query in _CATEGORY_QUERIES.items()
                },
            }
        )
    count, before = sum(current.values()), sum(previous.values())
    return {
        "total": count,
        "previous_total": before,
        "change_pct": _change(count, before),
        "url": link(scope),
        "previous_url": _url(period.previous(), scope),
        "categories": categories,
        "priorities": priorities,
        "circles": by_circle,
    }


# --- heat grid ------------------------------------------------------------------------------------


def _weekdays() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _heat(grid: list[list[int]], base: str) -> dict:
    cells = [
        {"weekday": weekday, "hour": hour, "count": n, "url": f"{base}&weekday={weekday}&hour={hour}"}
        for weekday, week in enumerate(grid, start=1)
        for hour, n in enumerate(week)
    ]
    return {"grid": grid, "cells": cells, "max": max(max(week) for week in grid), "weekdays": _weekdays()}


def _add_hours(grid: list[list[int]], weekday: int, hours: list[int]) -> None:
    week = grid[weekday - 1]
    for hour, n in enumerate(hours):
        week[hour] += n


def heat_grid(user, period: Period, scope: Scope, *, rows: dict | None = None) -> dict:
    """Incidents per ISO weekday (1 Monday … 7 Sunday) and local hour of occurrence."""
    grid = [[0] * 24 for _ in range(7)]
    for _circle, weekday, hours in _day_rows(user, period, scope, "hours", rows):
        _add_hours(grid, weekday, hours)
    return _heat(grid, _Links(period)(scope))


def heat_grids_by_circle(user, period: Period, circles: list[dict], *, rows: dict | None = None) -> dict[int, dict]:
    """The heat grid of each circle ({"id", "station_id"} dicts), from one read of the rollups (or `rows`, read
    for a scope holding the circles)."""
    if not circles:
        return {}
    grids = {c["id"]: [[0] * 24 for _ in range(7)] for c in circles}
    stations = {c["station_id"] for c in circles}
    station = stations.pop() if len(stations) == 1 else None
    for circle_id, weekday, hours in _day_rows(user, period, Scope(station), "hours", rows):
        if circle_id in grids:
            _add_hours(grids[circle_id], weekday, hours)
    link = _Links(period)
    return {c["id"]: _heat(grids[c["id"]], link(Scope(c["station_id"], c["id"]))) for c in circles}


# --- intervals ----------------------------------------------------------------------------------


def _min(seconds: int | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f}"


#: a histogram's keys (bucket indexes, as text as the rollups store them) in bucket order
_BUCKET_ORDER = {str(i): i for i in range(len(rollups.BUCKET_EDGES))}


def percentiles(histogram: dict[str, int], ps: tuple[float, ...]) -> list[int | None]:
    """Nearest-rank percentiles (`ps` ascending) of a {bucket index: count} histogram, in one pass.

    In seconds: the lower edge of the bucket each falls in; None for an empty histogram.
    """
    n = sum(histogram.values())
    if not n:
        return [None] * len(ps)
    ranks = [max(math.ceil(p / 100 * n), 1) for p in ps]
    found: list[int | None] = []
    seen, rank = 0, ranks[0]
    for index in sorted(histogram, key=_BUCKET_ORDER.__getitem__):
        seen += histogram[index]
        while seen >= rank:
            found.append(rollups.bucket_floor(int(index)))
            if len(found) == len(ranks):
                return found
            rank = ranks[len(found)]
    return found  # (not reached: the last bucket holds the n-th value)


def _interval_labels() -> dict[str, str]:
    return {
        "queue": _("Queue time"),
        "travel": _("Travel time"),
        "response": _("Response time"),
        "on_scene": _("Time on scene"),
    }


def _add_histograms(into: dict[str, dict], histograms: dict[str, dict]) -> None:
    for name, histogram in histograms.items():
        total = into[name]
        for index, n in histogram.items():  # keys stay strings (as stored) until the percentiles
            total[index] = total.get(index, 0) + n


def intervals(
    user, period: Period, scope: Scope, *, circles: list[_Circle] | None = None, rows: dict | None = None
) -> dict:
    """Median and 90th percentile of queue, travel, response and on-scene time, per circle and overall.

    An interval counts only incidents with both of its ends: a patrol that came upon an incident
    (arrival, no dispatch) has a response time but no queue or travel time.
    """
    # one entry per circle (`day_rows` sums them): read, not copied
    merged = {
        circle_id: histograms for circle_id, _weekday, histograms in _day_rows(user, period, scope, "intervals", rows)
    }
    overall = {name: {} for name in rollups.INTERVALS}
    for per_circle in merged.values():
        _add_histograms(overall, per_circle)
    link = _Links(period)

    def summary(histograms: dict, circle_scope: Scope) -> dict:
        base = link(circle_scope)
        values = {}
        for name in rollups.INTERVALS:
            median, p90 = percentiles(histograms[name], (50, 90))
            values[name] = {
                "name": name,
                "n": sum(histograms[name].values()),
                "median": median,
                "p90": p90,
                "url": f"{base}&measured={name}",
                "display": f"{_min(median)} / {_min(p90)}",
            }
        return {**values, "values": list(values.values())}

    empty = {name: {} for name in rollups.INTERVALS}
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
            for circle in (circles_in(user, scope) if circles is None else circles)
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
    counts = [0] * len(bounds)
    scoped = _scoped(user, scope, circle="circle_id")
    if scoped is not None:
        where, params = scoped
        columns, values = [], []
        for after, before in bounds:
            conditions = [c for c, moment in (("reported_at >= %s", after), ("reported_at < %s", before)) if moment]
            columns.append(f"COUNT(CASE WHEN {' AND '.join(conditions)} THEN 1 END)" if conditions else "COUNT(*)")
            values += [_at(moment) for moment in (after, before) if moment]
        statement = _SQL["backlog"].format(buckets=", ".join(columns), where=where)
        counts = list(_rows(statement, values + params)[0])
    buckets = [
        {
            "label": labels[i],
            "count": counts[i],
            "url": incident_list_url(
                **scope.query(),
                is_open="true",
                reported_after=_iso(after) if after else None,
                reported_before=_iso(before) if before else None,
            ),
        }
        for i, (after, before) in enumerate(bounds)
    ]
    return {"buckets": buckets, "total": sum(counts), "as_of": _iso(now)}


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
    states: Counter = Counter()
    patrol_seconds = 0.0
    seconds: Counter = Counter()
    scoped = _scoped(user, scope, station="t.station_id", circle="t.circle_id")
    if scoped is not None:
        where, params = scoped
        start_at, end_at = _at(period.start), _at(end)
        # every team: its state now, and its state when the period starts (the last change before it)
        current = {}
        for team_id, state_now, state_then in _rows(_SQL["teams"].format(where=where), [start_at, *params]):
            states[state_now] += 1
            current[team_id] = (period.start, state_then)
        for starts_at, ends_at in _rows(_SQL["shifts"].format(where=where), [end_at, start_at, *params]):
            clipped = min(_aware(ends_at), end) - max(_aware(starts_at), period.start)
            patrol_seconds += max(clipped.total_seconds(), 0)
        # its changes during the period
        for team_id, at, to_state in _rows(_SQL["changes"].format(where=where), [start_at, end_at, *params]):
            at = _aware(at)
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
            {"value": value, "label": label, "count": states[value]}
            for value, label in choice_labels(DutyState).items()
        ],
        "on_duty": sum(n for state, n in states.items() if state != DutyState.OFF_DUTY),
        "patrolling": states[DutyState.PATROLLING] + states[DutyState.RETURNING],
        "responding": states[DutyState.RESPONDING] + states[DutyState.ON_SCENE],
        "shift_hours": round(patrol_seconds / 3600, 1),
        "patrol_hours": round(patrol / 3600, 1),
        "response_hours": round(response / 3600, 1),
        "patrol_share_pct": round(patrol / busy * 100, 1) if busy else None,
        "response_share_pct": round(response / busy * 100, 1) if busy else None,
    }


# --- around the incidents: tips, mediation, hazards -----------------------------------------------


def _counted(key: str, user, scope: Scope, values: list, *, circle: str | None = None) -> tuple:
    """The one row of (three) counts of statement `key` (zeros when the user sees nothing)."""
    scoped = _scoped(user, scope, circle=circle)
    if scoped is None:
        return 0, 0, 0
    where, params = scoped
    return _rows(_SQL[key].format(where=where), values + params)[0]


def tips(user, period: Period, scope: Scope) -> dict:
    """Tips received in the period; how many were verified (including those converted) and converted."""
    received, verified, converted = _counted(
        "tips",
        user,
        scope,
        [TipStatus.VERIFIED, TipStatus.CONVERTED, TipStatus.CONVERTED, _at(period.start), _at(period.end)],
    )
    return {
        "received": received,
        "verified": verified,
        "converted": converted,
        "conversion_pct": _pct(converted, received),
    }


def mediation(user, period: Period, scope: Scope) -> dict:
    """Mediation cases opened in the period; share settled among those decided (settled, failed, referred)."""
    opened, pending, settled = _counted(
        "mediation",
        user,
        scope,
        [MediationOutcome.PENDING, MediationOutcome.SETTLED, _at(period.start), _at(period.end)],
    )
    decided = opened - pending
    return {
        "opened": opened,
        "pending": pending,
        "settled": settled,
        "decided": decided,
        "settled_pct": _pct(settled, decided),
    }


def hazards(user, period: Period, scope: Scope, *, today: date | None = None) -> dict:
    """Hazards open now and overdue now (past the due date), and those reported in the period."""
    today = today or timezone.localdate()
    still_open, overdue, reported = _counted(
        "hazards", user, scope, [_day(today), _at(period.start), _at(period.end)], circle="circle_id"
    )
    return {"open": still_open, "overdue": overdue, "reported": reported}


def _pct(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 1) if whole else None


# --- hotspots -------------------------------------------------------------------------------------


def hotspots(user, period: Period, scope: Scope, *, limit: int = HOTSPOTS, rows: dict | None = None) -> dict:
    """The map grid cells (portal.geo.grid_cell) with the most incidents in the period (`rows`: read by the
    page for HOTSPOTS cells)."""
    if rows is None:
        rows = day_rows(user, period, scope, ("cells",), cells=limit)
    link = _Links(period)
    top = []
    for cell, n in [item for _circle, _weekday, cells in rows["cells"] for item in cells.items()][:limit]:
        box = geo.grid_cell_bbox(cell)
        top.append(
            {
                "cell": cell,
                "count": n,
                "bbox": list(box),
                "center": [(box[1] + box[3]) / 2, (box[0] + box[2]) / 2],
                "url": link(scope, bbox=",".join(f"{v:.7f}" for v in box)),
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
    sent = delivered = acknowledged = 0
    scoped = _scoped(user, scope, station="a.station_id")
    if scoped is not None:
        where, params = scoped
        span = [_at(period.start), _at(period.end)]
        statement = _sql(
            "SELECT (SELECT COUNT(*) FROM {alert} a WHERE a.sent >= %s AND a.sent < %s{{where}}),"
            " COUNT(d.sent_at), COUNT(CASE WHEN d.sent_at IS NOT NULL AND d.acknowledged_at IS NOT NULL THEN 1 END)"
            " FROM {delivery} d INNER JOIN {alert} a ON a.id = d.alert_id"
            " WHERE a.sent >= %s AND a.sent < %s{{where}}",
            alert=Alert,
            delivery=Delivery,
        ).format(where=where)
        sent, delivered, acknowledged = _rows(statement, span + params + span + params)[0]
    return {
        "sent": sent,
        "delivered": delivered,
        "acknowledged": acknowledged,
        "acknowledged_pct": _pct(acknowledged, delivered),
    }


#: the party-building counts: (key, model name, label)
PARTY_FIGURES = (
    ("members", "PartyMember", _lazy("Party members")),
    ("groups", "PartyGroup", _lazy("Party groups")),
    ("zones", "ResponsibilityZone", _lazy("Responsibility zones")),
    ("posts", "VanguardPost", _lazy("Vanguard posts")),
    ("secondments", "Secondment", _lazy("Secondments")),
)

#: (visible station, scope station) -> (the party figures' keys and labels, one statement, its parameters)
_party_statements: dict[tuple, tuple[list, str, list]] = {}


def party(user, period: Period, scope: Scope) -> dict | None:
    """Party-building figures (None until the party organisation has its tables).

    The counts are the party querysets' own (`visible_to`, `for_station`), compiled once per scope and
    asked in one statement: they depend on nothing but the stations.
    """
    key = (connection.alias, visible_station(user), scope.station_id)
    if key not in _party_statements:
        figures, selects, params = [], [], []
        for name, model_name, label in PARTY_FIGURES:
            model = _has_table("partyorg", model_name)
            if model is None or not hasattr(model.objects, "visible_to"):
                continue
            qs = model.objects.visible_to(user)
            if scope.station_id:
                qs = qs.for_station(scope.station_id)
            figures.append((name, label))
            try:
                sql, qs_params = qs.order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:  # the user sees no station
                selects.append("0")
                continue
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS {name})")
            params += qs_params
        _party_statements[key] = (figures, "SELECT " + ", ".join(selects) if selects else "", params)
    figures, statement, params = _party_statements[key]
    if not figures:
        return None
    counts = _rows(statement, params)[0]
    return {
        "figures": [
            {"key": name, "label": str(label), "count": n} for (name, label), n in zip(figures, counts, strict=True)
        ]
    }
