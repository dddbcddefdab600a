"""The dashboards' figures: each a function of (user, period, scope) returning plain data.

Every read starts from `visible_to(user)` (the rollup tables are scoped the same way as the
incidents), narrowed by the scope (a station, a circle). Incident figures come from the rollups
(`incidents.models.rollup`) for the whole local days of the period and from the incident table only
for the partial days at its ends, counted by the same code (`incidents.rollups.Aggregate`).

Every count an incident chart shows carries `url`: the incident list filtered (IncidentFilterSet
query parameters) to exactly the rows counted. Incidents are counted by the time they occurred.

Percentiles are "nearest rank": the p-th percentile of n values is the ceil(p/100 · n)-th smallest
(the median of an even count is the lower middle), found by the database in the rollups' histograms
and reported as the lower edge of its bucket (exact to 10 s below 10 minutes, 1 minute below an hour).

Each panel's statement is written here in SQL, once, and run with its parameters through one cursor:
a dashboard asks the same few aggregates on every load, and building them with the ORM cost several
times what the database takes to answer. The scope of every statement is `_scoped`: the rule of
`visible_to` (`portal.scoping.visible_station`) narrowed by the dashboard's scope. The database does
the sums over many days and what follows from them (the totals per category, priority and circle,
the percentiles, the busiest cells) over the rollup rows and the partial days' rows alike: a panel
fetches its figures, not the rows they come from, and lays them out with their links.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, cached_property, lru_cache
from itertools import chain, pairwise
from typing import NamedTuple
from urllib.parse import quote_plus

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from incidents import rollups
from incidents.choices import OPEN_HAZARD_STATUSES, OPEN_STATUSES, Category, MediationOutcome, Priority, TipStatus
from incidents.models import Hazard, Incident, IncidentBinRollup, IncidentRollup, MediationCase, Tip
from patrols.choices import DutyState
from patrols.models import PatrolCircle, PatrolShift, PatrolTeam, TeamStateChange
from portal import geo
from portal.representation import choice_labels, labels
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
        return self._previous

    @cached_property
    def _previous(self) -> Period:
        return Period(self.start - self.length, self.start, self.key)

    def whole_days(self) -> tuple[date, date] | None:
        """[first, last) local days lying wholly inside the period, or None."""
        return self._whole_days

    @cached_property
    def _whole_days(self) -> tuple[date, date] | None:
        first = rollups.local_day(self.start)
        if rollups.day_start(first) < self.start:
            first += timedelta(days=1)
        last = rollups.local_day(self.end)
        return (first, last) if first < last else None

    @cached_property
    def pieces(self) -> tuple[rollups.Piece, ...]:
        """The whole days as rollup pieces to add and subtract (`rollups.cover`)."""
        days = self._whole_days
        return rollups.cover(*days) if days is not None else ()

    def partial_ranges(self) -> list[tuple[datetime, datetime]]:
        """The pieces of the period outside its whole days (read from the incident table)."""
        return list(self._partial_ranges)

    @cached_property
    def _partial_ranges(self) -> tuple[tuple[datetime, datetime], ...]:
        days = self._whole_days
        if days is None:
            return ((self.start, self.end),) if self.start < self.end else ()
        pieces = [(self.start, rollups.day_start(days[0])), (rollups.day_start(days[1]), self.end)]
        return tuple((a, b) for a, b in pieces if a < b)

    def query(self) -> dict[str, str]:
        return {"occurred_after": _iso(self.start), "occurred_before": _iso(self.end)}

    @cached_property
    def link_query(self) -> str:
        """The period's part of a link's query string."""
        return _encode(self.query())

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

    @cached_property
    def link_query(self) -> str:
        """The scope's part of a link's query string ("" for all of the user's stations)."""
        return _encode(self.query())

    def narrow(self, queryset, *, station: str = "station", circle: str | None = "circle"):
        if self.station_id:
            queryset = queryset.filter(**{f"{station}_id": self.station_id})
        if self.circle_id and circle:
            queryset = queryset.filter(**{f"{circle}_id": self.circle_id})
        return queryset


def _iso(moment: datetime) -> str:
    """An aware time in local time, as ISO 8601."""
    return moment.astimezone(rollups.local_zone()).isoformat()


#: what a query string's value may hold unquoted (RFC 3986 allows ":" and "," there): codes, numbers, a box, a time
#: (but for its "+", quoted as "%2B")
_PLAIN = re.compile(r"[\w.:,+-]*", re.ASCII)


def _quote(value: str) -> str:
    """A query string's value, quoted like `urlencode` does, only where it needs it (quote_plus for the rare rest)."""
    return value.replace("+", "%2B") if _PLAIN.fullmatch(value) else quote_plus(value, safe=":,")


def _encode(params: dict[str, str]) -> str:
    """A query string of string values, like `urlencode`."""
    return "&".join(f"{name}={_quote(value)}" for name, value in params.items())


@lru_cache(maxsize=16)
def _list_path(prefix: str) -> str:
    return reverse("incidents:incident_list")


def _incident_list() -> str:
    """The incident list's path, reversed once per script prefix (the portal sets no URLconf per request)."""
    return _list_path(get_script_prefix())


class _Links:
    """Incident-list links of one period: the list's path and the period encoded once, per panel."""

    def __init__(self, period: Period):
        self.base = f"{_incident_list()}?{period.link_query}"
        self.scopes: dict[Scope, str] = {}

    def __call__(self, scope: Scope, **params) -> str:
        base = self.scopes.get(scope)
        if base is None:
            base = self.scopes[scope] = f"{self.base}&{scope.link_query}" if scope.link_query else self.base
        return f"{base}&{_encode(params)}" if params else base


def _url(period: Period, scope: Scope, **params) -> str:
    return _Links(period)(scope, **params)


#: the labels of a figure's parts (`_labels`: translated once per language)
_LABELS = {
    "weekdays": (
        gettext_noop("Mon"),
        gettext_noop("Tue"),
        gettext_noop("Wed"),
        gettext_noop("Thu"),
        gettext_noop("Fri"),
        gettext_noop("Sat"),
        gettext_noop("Sun"),
    ),
    # in the order of rollups.INTERVALS
    "intervals": (
        gettext_noop("Queue time"),
        gettext_noop("Travel time"),
        gettext_noop("Response time"),
        gettext_noop("Time on scene"),
    ),
    "backlog": (
        gettext_noop("under 1 hour"),
        gettext_noop("1–4 hours"),
        gettext_noop("4–24 hours"),
        gettext_noop("1–7 days"),
        gettext_noop("over 7 days"),
    ),
}


def _labels(key: str) -> tuple[str, ...]:
    """The labels `_LABELS[key]` in the active language."""
    return labels(_LABELS[key])


# --- SQL ------------------------------------------------------------------------------------------


def _sql(statement: str, **models) -> str:
    """A statement with each {name} replaced by that model's table ({{where}} etc. stay for each call)."""
    return statement.format(**{name: model._meta.db_table for name, model in models.items()})


def _in(values) -> str:
    """An SQL list of choice values (the code's own constants: plain identifiers, never user input)."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


_OPEN = _in(OPEN_STATUSES)
_OPEN_HAZARD = _in(OPEN_HAZARD_STATUSES)

#: a piece's rows, in `_sql`'s text: its span, from its first day to its last (the parameters `_union_values` gives),
#: then the scope's ({{where}}, `_scoped`)
_SPAN_DAYS = " span = %s AND day >= %s AND day < %s{{where}}"

#: the rollup pieces: the rows of one span from `day` to `day` (`_SPAN_DAYS`), read once per piece of the days
#: (`rollups.cover`: {{sign}} is "-" for a piece to subtract) and UNION ALL-ed with the partial days' rows
#: (`_union`), in these columns
_PIECES = {
    "counts": (
        _sql(
            'SELECT circle_id, category, priority, {{period}} AS period, {{sign}}"count" AS n FROM {rollup}'
            " WHERE" + _SPAN_DAYS,
            rollup=IncidentRollup,
        ),
        (
            ("circle_id", "INTEGER"),
            ("category", "TEXT"),
            ("priority", "TEXT"),
            ("period", "INTEGER"),
            ("n", "INTEGER"),
        ),
    ),
    rollups.HOUR: (
        _sql(
            'SELECT circle_id, weekday, bin, {{sign}}"count" AS n FROM {rollup}'
            " WHERE measure = '" + rollups.HOUR + "' AND" + _SPAN_DAYS,
            rollup=IncidentBinRollup,
        ),
        (("circle_id", "INTEGER"), ("weekday", "INTEGER"), ("bin", "TEXT"), ("n", "INTEGER")),
    ),
    "intervals": (
        _sql(
            'SELECT measure, circle_id, bin, {{sign}}"count" AS n FROM {rollup}'
            " WHERE measure IN " + _in(rollups.INTERVALS) + " AND" + _SPAN_DAYS,
            rollup=IncidentBinRollup,
        ),
        (("measure", "TEXT"), ("circle_id", "INTEGER"), ("bin", "TEXT"), ("n", "INTEGER")),
    ),
    rollups.CELL: (
        _sql(
            'SELECT bin, {{sign}}"count" AS n FROM {rollup} WHERE measure = \'' + rollups.CELL + "' AND" + _SPAN_DAYS,
            rollup=IncidentBinRollup,
        ),
        (("bin", "TEXT"), ("n", "INTEGER")),
    ),
}

#: the incident counts of a period (`period` 0) and the previous one (1) over their `{rows}`, summed by the database
#: per circle, category and priority first (a few hundred rows, whatever the pieces), then per circle and category,
#: category, priority, circle and in all (the first column: `_BY_CIRCLE_CATEGORY` …)
_BY_CIRCLE_CATEGORY, _BY_CATEGORY, _BY_PRIORITY, _BY_CIRCLE, _IN_ALL = range(5)
_BOTH = "SUM(n), SUM(b)"
_COUNTS = (
    "WITH r AS (SELECT circle_id, category, priority, SUM(CASE WHEN period = 0 THEN n ELSE 0 END) AS n,"
    " SUM(CASE WHEN period = 1 THEN n ELSE 0 END) AS b FROM ({rows}) pieces GROUP BY circle_id, category, priority)"
    f" SELECT {_BY_CIRCLE_CATEGORY}, circle_id, category, {_BOTH} FROM r GROUP BY circle_id, category"
    f" UNION ALL SELECT {_BY_CATEGORY}, NULL, category, {_BOTH} FROM r GROUP BY category"
    f" UNION ALL SELECT {_BY_PRIORITY}, NULL, priority, {_BOTH} FROM r GROUP BY priority"
    f" UNION ALL SELECT {_BY_CIRCLE}, circle_id, NULL, {_BOTH} FROM r GROUP BY circle_id"
    f" UNION ALL SELECT {_IN_ALL}, NULL, NULL, {_BOTH} FROM r"
)


#: the percentiles of the intervals (nearest rank), in the order of their columns
INTERVAL_PERCENTILES = (50, 90)


def _nearest_rank(p: int) -> str:
    """The bucket of the p-th percentile: the first whose running count reaches p % of the count (integers only:
    seen >= ceil(p/100 · total) is seen · 100 >= p · total)."""
    return f"MIN(CASE WHEN seen * 100 >= total * {int(p)} THEN bucket END)"


#: what the bin rollups give the panels, each field in rows of one shape (field, circle_id, a, b, n, low, high)
#: over its `{rows}`, so that a page reads them all in one statement (`day_rows`):
#: - ("hours", None, heat cell, None, n, None, None): every circle together (the heat grid; `_HEAT_CELL`)
#: - ("circle_hours", circle_id, heat cell, None, n, None, None): a heat grid per circle
#: - ("intervals", circle_id, 0, interval, n, median bucket, p90 bucket) per circle, and (…, None, 1, …) of them all
#: - ("cells", None, None, cell, n, None, None) of the busiest cells (ties by cell; Python orders them again, as the
#:   databases compare text their own way)
_NULL, _NULL_TEXT = "CAST(NULL AS INTEGER)", "CAST(NULL AS TEXT)"
#: a heat grid cell's place in the grid's cells, weekday by weekday (`_HEAT_CELLS`)
_HEAT_CELL = "(weekday - 1) * 24 + CAST(bin AS INTEGER)"
_INTERVAL_NUMBER = (
    "CASE measure " + " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(rollups.INTERVALS)) + " END"
)
_INTERVAL_NAME = "CASE m " + " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(rollups.INTERVALS)) + " END"
_DAY_FIELDS = {
    "hours": (
        rollups.HOUR,
        "",
        f"SELECT 'hours', {_NULL}, {_HEAT_CELL}, {_NULL_TEXT}, SUM(n), {_NULL}, {_NULL} FROM ({{rows}}) r"
        " GROUP BY weekday, bin",
    ),
    "circle_hours": (
        rollups.HOUR,
        "",
        f"SELECT 'circle_hours', circle_id, {_HEAT_CELL}, {_NULL_TEXT}, SUM(n), {_NULL}, {_NULL} FROM ({{rows}}) r"
        " GROUP BY circle_id, weekday, bin",
    ),
    # per circle (level 0) and all circles (1): each bucket's count, its running count and the whole count; the
    # intervals numbered (`m`), so that the database sorts numbers, not text in its collation (a bucket's count
    # is an INTEGER: the running sums stay integers)
    "intervals": (
        "intervals",
        f"interval_bins AS (SELECT {_INTERVAL_NUMBER} AS m, 0 AS level, circle_id, CAST(bin AS INTEGER) AS bucket,"
        " CAST(SUM(n) AS INTEGER) AS n FROM ({rows}) r GROUP BY measure, circle_id, bin HAVING SUM(n) <> 0),"
        " interval_levels AS (SELECT m, level, circle_id, bucket, n FROM interval_bins"
        " UNION ALL SELECT m, 1, NULL, bucket, CAST(SUM(n) AS INTEGER) FROM interval_bins GROUP BY m, bucket),"
        " interval_runs AS (SELECT m, level, circle_id, bucket,"
        " SUM(n) OVER (PARTITION BY m, level, circle_id ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS seen,"
        " SUM(n) OVER (PARTITION BY m, level, circle_id) AS total FROM interval_levels)",
        f"SELECT 'intervals', circle_id, level, {_INTERVAL_NAME}, MAX(total),"
        f" {', '.join(_nearest_rank(p) for p in INTERVAL_PERCENTILES)}"
        " FROM interval_runs GROUP BY m, level, circle_id",
    ),
    "cells": (
        rollups.CELL,
        "",
        f"SELECT * FROM (SELECT 'cells', {_NULL}, {_NULL}, bin, SUM(n) AS total, {_NULL}, {_NULL}"
        " FROM ({rows}) r GROUP BY bin HAVING SUM(n) <> 0 ORDER BY total DESC, bin LIMIT {limit}) cells",
    ),
}

#: every other panel's statement; `{where}` is the scope (`_scoped`), `%s` the parameters
_SQL = {
    "circles": _sql(
        "SELECT id, station_id, name, colour FROM {circle} WHERE 1 = 1{{where}} ORDER BY station_id, id",
        circle=PatrolCircle,
    ),
    "tips": _sql(
        f"SELECT COUNT(*), COUNT(CASE WHEN status IN {_in([TipStatus.VERIFIED, TipStatus.CONVERTED])} THEN 1 END),"
        f" COUNT(CASE WHEN status IN {_in([TipStatus.CONVERTED])} THEN 1 END)"
        " FROM {tip} WHERE received_at >= %s AND received_at < %s{{where}}",
        tip=Tip,
    ),
    "mediation": _sql(
        f"SELECT COUNT(*), COUNT(CASE WHEN outcome IN {_in([MediationOutcome.PENDING])} THEN 1 END),"
        f" COUNT(CASE WHEN outcome IN {_in([MediationOutcome.SETTLED])} THEN 1 END)"
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


@lru_cache(maxsize=512)
def _union(piece: str, signs: tuple[int, ...], partial: int, where: str, period: int | None = None) -> str | None:
    """The `{rows}` of `piece` over pieces of days of these `signs` (`rollups.cover`) and `partial` rows of the
    partial days (in the piece's columns, as VALUES), UNION ALL; None when there is nothing to read. One text per
    shape: its values are the parameters (`_union_values`)."""
    statement, columns = _PIECES[piece]
    selects = [statement.format(where=where, period=period, sign="-" if sign < 0 else "") for sign in signs]
    if partial:
        # cast, so that a column of NULLs (no circle) has a type; named as the pieces name them
        row = "(" + ", ".join(f"CAST(%s AS {kind})" for _name, kind in columns) + ")"
        names = ", ".join(f"column{i} AS {name}" for i, (name, _kind) in enumerate(columns, start=1))
        selects.append(f"SELECT {names} FROM (VALUES {', '.join([row] * partial)}) v")
    return " UNION ALL ".join(selects) if selects else None


def _union_values(ranges: tuple[rollups.Piece, ...], params: list, partial: list[tuple]) -> list:
    """The parameters of `_union` (`_SPAN_DAYS` of each piece, then the partial rows)."""
    day = _adapter()
    values = [value for span, first, last, _sign in ranges for value in (span, day(first), day(last), *params)]
    values += [value for entry in partial for value in entry]
    return values


def _signs(pieces: tuple[rollups.Piece, ...]) -> tuple[int, ...]:
    """The pieces' signs: what their statement's text depends on (`_union`)."""
    return tuple(sign for _span, _first, _last, sign in pieces)


def _rows(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or None)  # (without parameters, the driver sends the statement as it is)
        return cursor.fetchall()


def _iso_text(value: datetime | date) -> str:
    return value.isoformat()


@cache
def _adapter() -> Callable[[datetime | date], str]:
    """How the database takes a time or a day: ISO 8601 text on PostgreSQL, which reads it as the type of the
    column it is compared with (psycopg dumps a `str` for a fraction of what a `datetime` or `date` costs, and
    the panels' times and days are much of their Python time); elsewhere the backend's own text (SQLite: UTC).
    Once per process: the default database's backend does not change."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        return _iso_text
    ops = db.ops
    return lambda value: (
        ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else ops.adapt_datefield_value(value)
    )


def _at(*values: datetime | date) -> list[str]:
    """Times and days as the database takes them (`_adapter`)."""
    adapt = _adapter()
    return [adapt(value) for value in values]


def _at_and_iso(*moments: datetime) -> tuple[list[str], list[str]]:
    """`_at(*moments)` and the moments as ISO 8601 in their own zones: formatted once where they are the same
    (PostgreSQL)."""
    isos = [moment.isoformat() for moment in moments]
    return (isos if _adapter() is _iso_text else _at(*moments)), isos


# --- reading rollups plus partial days -------------------------------------------------------------


def _partial_aggregate(user, period: Period, scope: Scope) -> rollups.Aggregate:
    """The period's partial days counted from the incident table, alike the rollups (`rollups.Aggregate`)."""
    aggregate = rollups.Aggregate()
    for start, end in period.partial_ranges():
        raw = scope.narrow(Incident.objects.visible_to(user)).occurred_between(start, end)
        aggregate.add_all(rollups.raw_rows(raw))
    return aggregate


@lru_cache(maxsize=256)
def _counts_statement(where: str, shape: tuple[tuple[tuple[int, ...], int], ...]) -> str | None:
    """`_COUNTS` over the rows of the period and the previous one: (the pieces' signs, partial rows) of each."""
    unions = [_union("counts", signs, partial, where, which) for which, (signs, partial) in enumerate(shape)]
    unions = [union for union in unions if union]
    return _COUNTS.format(rows=" UNION ALL ".join(unions)) if unions else None


def _kind_totals(user, period: Period, scope: Scope) -> dict[tuple, tuple[int, int]]:
    """{(grouping, circle_id, category or priority): (n, n of the previous period)}, summed by the database (`_COUNTS`)
    from the rollups of both periods and their partial days."""
    scoped = _scoped(user, scope, circle="circle_id")
    if scoped is None:
        return {}
    where, params = scoped
    shape, values = [], []
    for which, piece in enumerate((period, period.previous())):
        partial = []
        if piece.partial_ranges():
            counts = _partial_aggregate(user, piece, scope).counts
            partial = [(c, category, priority, which, n) for (_d, _s, c, category, priority), n in counts.items()]
        shape.append((_signs(piece.pieces), len(partial)))
        values += _union_values(piece.pieces, params, partial)
    statement = _counts_statement(where, tuple(shape))
    if statement is None:
        return {}
    return {
        (grouping, circle_id, value): (n or 0, before or 0)
        for grouping, circle_id, value, n, before in _rows(statement, values)
    }


#: what the bin rollups give a page: its heat grid (the overview: one per circle), intervals and hotspots (`day_rows`)
DAY_FIELDS = ("hours", "intervals", "cells")
OVERVIEW_DAY_FIELDS = ("circle_hours", "intervals", "cells")

#: the hotspots a dashboard shows
HOTSPOTS = 10


def _partial_bins(user, period: Period, scope: Scope) -> dict[str, list[tuple]]:
    """The partial days' bin counts in the columns of each bin piece (`_PIECES`)."""
    rows: dict[str, list[tuple]] = {rollups.HOUR: [], "intervals": [], rollups.CELL: []}
    for (day, _station_id, circle_id), entry in _partial_aggregate(user, period, scope).days.items():
        weekday = day.isoweekday()
        for (measure, bin_), n in entry.items():
            if measure == rollups.HOUR:
                rows[rollups.HOUR].append((circle_id, weekday, bin_, n))
            elif measure == rollups.CELL:
                rows[rollups.CELL].append((bin_, n))
            else:
                rows["intervals"].append((measure, circle_id, bin_, n))
    return rows


@lru_cache(maxsize=256)
def _day_statement(
    fields: tuple[str, ...], where: str, signs: tuple[int, ...], partial: tuple[int, ...], cells: int
) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """`day_rows`' statement for its shape (the fields, the pieces' signs, the number of each field's partial rows),
    the pieces whose values it takes, in order (those read in its WITH first), and the fields it reads."""
    ctes, cte_pieces, selects, select_pieces, read = [], [], [], [], []
    for field, rows in zip(fields, partial, strict=True):
        piece, cte, select = _DAY_FIELDS[field]
        union = _union(piece, signs, rows, where)
        if union is None:
            continue
        if cte:
            ctes.append(cte.format(rows=union))
            cte_pieces.append(piece)
        else:
            select = select.format(rows=union, limit=int(cells))
            select_pieces.append(piece)
        selects.append(select)
        read.append(field)
    if not selects:
        return None, (), ()
    statement = ("WITH " + ", ".join(ctes) + " " if ctes else "") + " UNION ALL ".join(selects)
    return statement, (*cte_pieces, *select_pieces), tuple(read)


def day_rows(
    user, period: Period, scope: Scope, fields: tuple[str, ...] = DAY_FIELDS, *, cells: int = HOTSPOTS
) -> dict[str, list[tuple]]:
    """{field: rows}: the period's bin rollups (and partial days) summed by the database, in one statement.

    The fields and their rows are `_DAY_FIELDS`'; "cells" holds the `cells` busiest. A page reads them once for its
    three panels.
    """
    rows: dict[str, list[tuple]] = {field: [] for field in fields}
    scoped = _scoped(user, scope, circle="circle_id")
    if scoped is None or not fields:
        return rows
    where, params = scoped
    partial = _partial_bins(user, period, scope) if period.partial_ranges() else {}
    statement, pieces, read = _day_statement(
        fields, where, _signs(period.pieces), tuple(len(partial.get(_DAY_FIELDS[f][0], ())) for f in fields), cells
    )
    if statement is None:
        return rows
    values = []
    for piece in pieces:
        values += _union_values(period.pieces, params, partial.get(piece, ()))
    fetched = _rows(statement, values)
    if len(read) == 1:
        rows[read[0]] = fetched
    else:
        for row in fetched:
            rows[row[0]].append(row)
    return rows


def _day_rows(user, period: Period, scope: Scope, field: str, rows: dict | None) -> list[tuple]:
    """One field's rows: from `rows` (read by the page), or read now."""
    return (rows if rows is not None else day_rows(user, period, scope, (field,)))[field]


class _Circle(NamedTuple):
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


#: each category's and priority's part of a link's query string
_CATEGORY_QUERIES = {value: _encode({"category": value}) for value in Category.values}
_PRIORITY_QUERIES = {value: _encode({"priority": value}) for value in Priority.values}


def incidents_by_kind(user, period: Period, scope: Scope, *, circles: list[_Circle] | None = None) -> dict:
    """Counts per category, priority and circle, each with the previous period's count and a link."""
    totals = _kind_totals(user, period, scope)
    circles = circles_in(user, scope) if circles is None else circles
    link = _Links(period)
    base = link(scope)
    none = (0, 0)

    def entries(grouping: int, labels: dict[str, str], queries: dict[str, str]) -> list[dict]:
        return [
            {
                "value": value,
                "label": label,
                "count": (counts := totals.get((grouping, None, value), none))[0],
                "previous": counts[1],
                "url": f"{base}&{queries[value]}",
            }
            for value, label in labels.items()
        ]

    by_circle = []
    for circle in circles:
        circle_link = link(Scope(circle.station_id, circle.pk))
        count, before = totals.get((_BY_CIRCLE, circle.pk, None), none)
        by_circle.append(
            {
                "id": circle.pk,
                "station_id": circle.station_id,
                "label": circle.name,
                "colour": circle.colour,
                "count": count,
                "previous": before,
                "url": circle_link,
                "categories": {
                    value: {
                        "count": totals.get((_BY_CIRCLE_CATEGORY, circle.pk, value), none)[0],
                        "url": f"{circle_link}&{query}",
                    }
                    for value, query in _CATEGORY_QUERIES.items()
                },
            }
        )
    count, before = totals.get((_IN_ALL, None, None), none)
    return {
        "total": count,
        "previous_total": before,
        "change_pct": _change(count, before),
        "url": base,
        "previous_url": _url(period.previous(), scope),
        "categories": entries(_BY_CATEGORY, choice_labels(Category), _CATEGORY_QUERIES),
        "priorities": entries(_BY_PRIORITY, choice_labels(Priority), _PRIORITY_QUERIES),
        "circles": by_circle,
    }


# --- heat grid ------------------------------------------------------------------------------------


def _weekdays() -> list[str]:
    return list(_labels("weekdays"))


#: the grid's cells in order: (weekday, hour, their part of a link's query string)
_HEAT_CELLS = [(weekday, hour, f"&weekday={weekday}&hour={hour}") for weekday in range(1, 8) for hour in range(24)]


def _heat(counts: list[int], base: str) -> dict:
    """The grid (a row of 24 hours per weekday) from the counts of `_HEAT_CELLS`, and the link its cells extend."""
    grid = [counts[start : start + 24] for start in range(0, len(counts), 24)]
    return {"grid": grid, "url": base, "max": max(counts), "weekdays": _weekdays()}


def heat_cells(heat: dict) -> Iterator[tuple[int, int, int, str]]:
    """(weekday, hour, count, link) of each cell of a heat grid, Monday's first hour first."""
    base = heat["url"]
    for (weekday, hour, query), n in zip(_HEAT_CELLS, chain.from_iterable(heat["grid"]), strict=True):
        yield weekday, hour, n, base + query


def heat_grid(user, period: Period, scope: Scope, *, rows: dict | None = None) -> dict:
    """Incidents per ISO weekday (1 Monday … 7 Sunday) and local hour of occurrence."""
    counts = [0] * len(_HEAT_CELLS)
    for _field, _circle, cell, _none, n, _low, _high in _day_rows(user, period, scope, "hours", rows):
        counts[cell] = n
    return _heat(counts, _Links(period)(scope))


def heat_grids_by_circle(user, period: Period, circles: list[dict], *, rows: dict | None = None) -> dict[int, dict]:
    """The heat grid of each circle ({"id", "station_id"} dicts), from one read of the rollups (or `rows`, read
    for a scope holding the circles)."""
    if not circles:
        return {}
    grids = {c["id"]: [0] * len(_HEAT_CELLS) for c in circles}
    stations = {c["station_id"] for c in circles}
    station = stations.pop() if len(stations) == 1 else None
    for _field, circle_id, cell, _none, n, _low, _high in _day_rows(
        user, period, Scope(station), "circle_hours", rows
    ):
        if circle_id in grids:
            grids[circle_id][cell] = n
    link = _Links(period)
    return {c["id"]: _heat(grids[c["id"]], link(Scope(c["station_id"], c["id"]))) for c in circles}


# --- intervals ----------------------------------------------------------------------------------


def _min(seconds: int | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f}"


def _interval_labels() -> dict[str, str]:
    return dict(zip(rollups.INTERVALS, _labels("intervals"), strict=True))


def _seconds(bucket: int | None) -> int | None:
    return None if bucket is None else rollups.bucket_floor(bucket)


def intervals(
    user, period: Period, scope: Scope, *, circles: list[_Circle] | None = None, rows: dict | None = None
) -> dict:
    """Median and 90th percentile of queue, travel, response and on-scene time, per circle and overall.

    An interval counts only incidents with both of its ends: a patrol that came upon an incident
    (arrival, no dispatch) has a response time but no queue or travel time. The database finds the
    percentiles in the rollups' histograms (`_DAY_FIELDS`); each is reported in seconds, as the lower
    edge of its bucket.
    """
    # (0 and a circle, or 1 and None for all of them, interval) -> (n, median, p90): the incidents of no circle
    # are a circle (None) of their own at level 0, and count in all of them
    found: dict[tuple, tuple] = {}
    for _field, circle_id, level, name, n, median, p90 in _day_rows(user, period, scope, "intervals", rows):
        found[level, circle_id, name] = (n, _seconds(median), _seconds(p90))
    link = _Links(period)
    nothing = (0, None, None)

    def summary(level: int, circle_id: int | None, circle_scope: Scope) -> dict:
        base = link(circle_scope)
        values = {}
        for name in rollups.INTERVALS:
            n, median, p90 = found.get((level, circle_id, name), nothing)
            values[name] = {
                "name": name,
                "n": n,
                "median": median,
                "p90": p90,
                "url": f"{base}&measured={name}",
                "display": f"{_min(median)} / {_min(p90)}",
            }
        return {**values, "values": list(values.values())}

    return {
        "labels": _interval_labels(),
        "overall": summary(1, None, scope),
        "circles": [
            {
                "id": circle.pk,
                "label": circle.name,
                "colour": circle.colour,
                **summary(0, circle.pk, Scope(circle.station_id, circle.pk)),
            }
            for circle in (circles_in(user, scope) if circles is None else circles)
        ],
    }


# --- backlog ----------------------------------------------------------------------------------------

#: the ages (time since the report) at which the backlog's buckets end; one more bucket holds the older ones
_BACKLOG_AGES = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24), timedelta(days=7))

#: the backlog's statement: the open incidents reported since each age (`_BACKLOG_AGES` before now, the
#: parameters), and all of them; a bucket is the difference of two
_BACKLOG = _sql(
    "SELECT "
    + ", ".join(["COUNT(CASE WHEN reported_at >= %s THEN 1 END)"] * len(_BACKLOG_AGES) + ["COUNT(*)"])
    + " FROM {incident} WHERE status IN "
    + _OPEN
    + "{{where}}",
    incident=Incident,
)


def backlog(user, period: Period | None, scope: Scope, *, now: datetime | None = None) -> dict:
    """Open incidents now, by age since the report (the period does not apply: it is the current backlog).

    Age in (lower, upper] is reported_at in [now - upper, now - lower): each bucket links to those reports.
    Now is taken to the whole second: the links' times read more easily (and format faster) without microseconds.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    zone = rollups.local_zone()
    starts = [(now - age).astimezone(zone) for age in _BACKLOG_AGES]  # local: the links show them
    values, isos = _at_and_iso(*starts)
    since = (0,) * (len(starts) + 1)
    scoped = _scoped(user, scope, circle="circle_id")
    if scoped is not None:
        where, params = scoped
        since = _rows(_BACKLOG.format(where=where), values + params)[0]
    times = [_quote(iso) for iso in isos]
    scope_query = f"{scope.link_query}&" if scope.link_query else ""
    base = f"{_incident_list()}?{scope_query}is_open=true"
    urls = [f"{base}&reported_after={times[0]}"]
    urls += [f"{base}&reported_after={after}&reported_before={before}" for before, after in pairwise(times)]
    urls.append(f"{base}&reported_before={times[-1]}")
    buckets, before = [], 0
    for label, n, url in zip(_labels("backlog"), since, urls, strict=True):
        buckets.append({"label": label, "count": n - before, "url": url})
        before = n
    return {"buckets": buckets, "total": since[-1], "as_of": _iso(now)}


# --- teams ----------------------------------------------------------------------------------------

RESPONSE_STATES = frozenset({DutyState.RESPONDING, DutyState.ON_SCENE})
PATROL_STATES = frozenset({DutyState.PATROLLING, DutyState.RETURNING})


#: seconds from time {a} to time {b}, in each database's SQL
_SECONDS_SQL = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM {b} - {a}) AS double precision)",
    "sqlite": "(julianday({b}) - julianday({a})) * 86400",
}


@lru_cache(maxsize=16)
def _teams_statement(where: str) -> str:
    """The teams' figures in one statement, rows of (figure, state, count, seconds); the parameters are the scope's,
    then the period's start and end (`_teams_values`):

    - 0: the teams by their state now;
    - 1: the seconds spent in each state in the period, from the duty-state log: a team's state at the start (its
      last change before it), then each change in the period, each lasting until the next (or the end);
    - 2: the shifts' seconds, clipped to the period.

    Made once per scope in a process (whose default database does not change).
    """
    seconds = _SECONDS_SQL[connections[DEFAULT_DB_ALIAS].vendor]
    return _sql(
        "WITH t AS (SELECT t.id, t.duty_state FROM {team} t WHERE 1 = 1{{where}}),"
        " marks AS ("
        "SELECT t.id AS team_id, %s AS at, 0 AS n, (SELECT c.to_state FROM {change} c WHERE c.team_id = t.id"
        " AND c.at < %s ORDER BY c.at DESC, c.id DESC LIMIT 1) AS state FROM t"
        " UNION ALL SELECT c.team_id, c.at, c.id, c.to_state FROM {change} c INNER JOIN t ON t.id = c.team_id"
        " WHERE c.at >= %s AND c.at < %s),"
        " spans AS (SELECT state, at, LEAD(at, 1, %s) OVER (PARTITION BY team_id ORDER BY at, n) AS until FROM marks)"
        " SELECT 0, duty_state, COUNT(*), NULL FROM t GROUP BY duty_state"
        " UNION ALL SELECT 1, state, NULL, SUM(" + seconds.format(a="at", b="until") + ") FROM spans"
        " WHERE state IS NOT NULL AND until > at GROUP BY state"
        " UNION ALL SELECT 2, NULL, NULL, SUM(" + seconds.format(a="since", b="until") + ") FROM ("
        "SELECT CASE WHEN s.starts_at > %s THEN s.starts_at ELSE %s END AS since,"
        " CASE WHEN s.ends_at < %s THEN s.ends_at ELSE %s END AS until"
        " FROM {shift} s INNER JOIN t ON t.id = s.team_id WHERE s.starts_at < %s AND s.ends_at > %s) clipped"
        " WHERE until > since",
        team=PatrolTeam,
        change=TeamStateChange,
        shift=PatrolShift,
    ).format(where=where)


def _teams_values(start: str, end: str) -> list[str]:
    """The period's parameters of `_teams_statement`, in its order."""
    return [start, start, start, end, end, start, start, end, end, end, start]


def teams(user, period: Period, scope: Scope, *, now: datetime | None = None) -> dict:
    """Teams on duty now by state; patrol hours (shifts) in the period; share of patrol vs response time.

    The shares come from the duty-state log: time spent patrolling or returning is patrol time,
    responding or on scene is response time, clipped to the period (and to now).
    """
    now = now or timezone.now()
    states: Counter = Counter()
    seconds: Counter = Counter()
    patrol_seconds = 0.0
    scoped = _scoped(user, scope, station="t.station_id", circle="t.circle_id")
    if scoped is not None:
        where, params = scoped
        values = params + _teams_values(*_at(period.start, min(period.end, now)))
        for figure, state, n, spent in _rows(_teams_statement(where), values):
            if figure == 0:
                states[state] = n
            elif figure == 1:
                seconds[state] = spent
            else:
                patrol_seconds = spent or 0.0
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
    received, verified, converted = _counted("tips", user, scope, _at(period.start, period.end))
    return {
        "received": received,
        "verified": verified,
        "converted": converted,
        "conversion_pct": _pct(converted, received),
    }


def mediation(user, period: Period, scope: Scope) -> dict:
    """Mediation cases opened in the period; share settled among those decided (settled, failed, referred)."""
    opened, pending, settled = _counted("mediation", user, scope, _at(period.start, period.end))
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
    today = today or rollups.local_day(timezone.now())
    still_open, overdue, reported = _counted(
        "hazards", user, scope, _at(today, period.start, period.end), circle="circle_id"
    )
    return {"open": still_open, "overdue": overdue, "reported": reported}


def _pct(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 1) if whole else None


# --- hotspots -------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _cell_place(cell: str) -> tuple[tuple, tuple, str]:
    """A grid cell's box, its centre ([lat, lng]) and its part of a link's query string."""
    box = geo.grid_cell_bbox(cell)
    return (
        box,
        ((box[1] + box[3]) / 2, (box[0] + box[2]) / 2),
        "&" + _encode({"bbox": ",".join(f"{v:.7f}" for v in box)}),
    )


def hotspots(user, period: Period, scope: Scope, *, limit: int = HOTSPOTS, rows: dict | None = None) -> dict:
    """The map grid cells (portal.geo.grid_cell) with the most incidents in the period (`rows`: read by the
    page for HOTSPOTS cells)."""
    if rows is None:
        rows = day_rows(user, period, scope, ("cells",), cells=limit)
    base = _Links(period)(scope)
    top = []
    for _field, _circle, _none, cell, n, _low, _high in sorted(rows["cells"], key=lambda row: (-row[4], row[3]))[
        :limit
    ]:
        box, center, query = _cell_place(cell)
        top.append({"cell": cell, "count": n, "bbox": list(box), "center": list(center), "url": base + query})
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
    db = connections[DEFAULT_DB_ALIAS]
    key = db.alias + db.settings_dict.get("NAME", "")
    if key not in _table_cache:
        _table_cache[key] = set(db.introspection.table_names())
    return _table_cache[key]


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
        span = _at(period.start, period.end)
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
