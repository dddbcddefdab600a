"""Importing incidents from a CSV file: the one service behind `manage.py import_incidents` and the import page.

    result = incident_import(by=user, file=uploaded, file_name="2026-03.csv", dry_run=False)

All or nothing: every row is checked first (dates, codes, coordinates, lengths, the station and
the user's scope, duplicate external references in the file and in the database); any error
raises `ImportRefused` listing each bad row with its field, and nothing is written. A good file is
written in one transaction: the rows are placed like incidents recorded on the page (circle and
station from the point, `services.incident_placements`), numbered from the year's locked counter
(`services.allocate_sequences`), linked to one `IncidentImport` record (who, when, file name,
rows; audited), and counted into the dashboards' rollups (`rollups.add_new`). They are written
with COPY on PostgreSQL and `bulk_create` elsewhere (`incidents.bulk`).

The columns are described in docs/user-guide.md ("Importing incidents"); `COLUMNS` below is
the list. Times without an offset are local time (settings.TIME_ZONE). Row numbers are those a
spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from patrols.models import Station
from portal import geo
from portal.audit import audited
from portal.roles import Role, has_role, sees_all_stations

from . import bulk, rollups, services
from .choices import Category, IncidentStatus, Priority, Source
from .models import Incident, IncidentImport

#: the columns of an import file: name -> (required, what it holds); the order a template file uses
COLUMNS: dict[str, tuple[bool, str]] = {
    "occurred_at": (True, gettext_lazy("when it happened")),
    "reported_at": (True, gettext_lazy("when it was reported")),
    "category": (True, gettext_lazy("category code")),
    "priority": (True, gettext_lazy("priority code")),
    "source": (True, gettext_lazy("source code")),
    "summary": (True, gettext_lazy("summary")),
    "description": (False, gettext_lazy("description")),
    "address": (False, gettext_lazy("address")),
    "lat": (True, gettext_lazy("latitude")),
    "lng": (True, gettext_lazy("longitude")),
    "station": (False, gettext_lazy("station code")),
    "external_ref": (False, gettext_lazy("number in the source system")),
    "dispatched_at": (False, gettext_lazy("when a team was first dispatched")),
    "arrived_at": (False, gettext_lazy("when a team first arrived")),
    "resolved_at": (False, gettext_lazy("when it was resolved")),
    "closed_at": (False, gettext_lazy("when it was closed")),
}
REQUIRED = tuple(name for name, (required, _label) in COLUMNS.items() if required)

#: the stage columns, the incident field each fills, and the columns it may not precede
STAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("dispatched_at", "first_dispatched_at", ("reported_at",)),
    ("arrived_at", "first_arrived_at", ("reported_at", "dispatched_at")),
    ("resolved_at", "resolved_at", ("reported_at", "arrived_at")),
    ("closed_at", "closed_at", ("resolved_at",)),
)

#: the largest file the import page takes (the command has no limit)
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
#: how many row errors a refusal lists (it always gives the total)
MAX_LISTED_ERRORS = 200

#: the fields written per incident, in the order of the rows passed to `bulk.insert_rows`
FIELDS = (
    "number", "year", "sequence", "category", "priority", "source", "status", "occurred_at", "reported_at",
    "address", "circle_id", "station_id", "placement_override_reason", "summary", "description",
    "reported_by_id", "first_dispatched_at", "first_arrived_at", "resolved_at", "closed_at",
    "external_ref", "import_batch_id", "created_at", "updated_at", "lat", "lng",
)  # fmt: skip
_AT = {name: index for index, name in enumerate(FIELDS)}
_RAW = operator.itemgetter(*(_AT[name] for name in rollups.RAW_FIELDS))
_MAX_LENGTH = {name: Incident._meta.get_field(name).max_length for name in ("summary", "address", "external_ref")}


@dataclass(frozen=True)
class RowError:
    """One problem of an import file: the row (None for the file as a whole), the column, the message."""

    row: int | None
    field: str
    message: str


class ImportRefused(ValidationError):
    """The file can't be imported; `errors` lists every problem found (nothing was written)."""

    def __init__(self, errors: list[RowError]):
        self.errors_found = errors
        rows = len({e.row for e in errors if e.row is not None and e.row > 1})  # row 1 is the header
        if rows:
            message = ngettext(
                "%(count)s row has errors: nothing was imported. Correct it and import the file again.",
                "%(count)s rows have errors: nothing was imported. Correct them and import the file again.",
                rows,
            ) % {"count": rows}
        else:
            message = _("The file can't be imported: %(reason)s") % {"reason": errors[0].message}
        super().__init__(message, code="import_refused")

    @property
    def listed(self) -> list[RowError]:
        return self.errors_found[:MAX_LISTED_ERRORS]

    def lines(self) -> list[str]:
        """One line per listed problem, e.g. "row 7, category: Unknown code …" (for the command)."""
        out = []
        for error in self.listed:
            where = _("row %(row)s") % {"row": error.row} if error.row is not None else _("file")
            out.append(f"{where}, {error.field}: {error.message}" if error.field else f"{where}: {error.message}")
        if len(self.errors_found) > len(self.listed):
            out.append(_("… and %(count)s more.") % {"count": len(self.errors_found) - len(self.listed)})
        return out


@dataclass
class ImportResult:
    """What an import wrote (or, with dry_run, would write)."""

    rows: int
    dry_run: bool
    batch: IncidentImport | None = None
    per_station: dict[str, int] = field(default_factory=dict)
    numbers: tuple[str, str] | None = None  # the first and the last number given


def may_import(user) -> bool:
    """Sub-bureau staff and station commanders (with a station) may import incidents."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("incidents.add_incident"):
        return False
    if sees_all_stations(user):
        return True
    return has_role(user, Role.STATION_COMMANDER) and user.station_id is not None


@audited
@transaction.atomic
def incident_import(
    *, by, file: IO[bytes], file_name: str, station: Station | None = None, dry_run: bool = False
) -> ImportResult:
    """Check every row of a CSV file and, unless `dry_run`, write them all as incidents; or refuse all.

    `by` is the user importing (None: an operator on the server, unrestricted); a station
    commander may only import into their own station. `station` is the station of the rows that
    name none (their circle is kept only if it is that station's; a station other than the one
    the point gives is recorded as a placement override). Raises `ImportRefused`.
    """
    if by is not None and not may_import(by):
        raise ImportRefused([RowError(None, "", _("You may not import incidents."))])
    if by is not None and not sees_all_stations(by) and station is not None and station.pk != by.station_id:
        raise ImportRefused([RowError(None, "station", _("You may only import into your own station."))])
    parsed = _Parser(by=by, default_station=station).parse(_records(file))
    if dry_run:
        return ImportResult(rows=len(parsed.rows), dry_run=True, per_station=parsed.per_station())
    now = timezone.now()
    # the batch belongs to a station when all its rows do (always so for a commander's): it is then in that scope
    stations = {row[_AT["station_id"]] for row in parsed.rows}
    batch = IncidentImport.objects.create(
        file_name=file_name[:255],
        row_count=len(parsed.rows),
        station_id=stations.pop() if len(stations) == 1 else None,
        imported_by=by,
        imported_at=now,
    )
    numbers = parsed.number(batch=batch, now=now)
    aggregate = rollups.Aggregate()

    def counted(rows):  # the rollups' share is worked out while PostgreSQL takes in the rows
        for row in rows:
            aggregate.add(_RAW(row))
            yield row

    try:
        with transaction.atomic():
            bulk.insert_rows(Incident, FIELDS, counted(parsed.rows))
    except IntegrityError as error:  # an external reference imported by someone else meanwhile
        raise ImportRefused([RowError(None, "external_ref", _("The database refused the rows: %s") % error)]) from None
    rollups.add_new(aggregate)
    return ImportResult(
        rows=len(parsed.rows), dry_run=False, batch=batch, per_station=parsed.per_station(), numbers=numbers
    )


# --- reading ----------------------------------------------------------------------------------------


def _records(file: IO[bytes]) -> tuple[list[str], list[list[str]]]:
    """(header, data records) of a CSV file in UTF-8 (with or without the BOM spreadsheets write)."""
    data = file.read()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise ImportRefused(
            [RowError(None, "", _("The file is not UTF-8 text: save it as “CSV UTF-8” and try again."))]
        ) from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportRefused([RowError(None, "", _("The file is not valid CSV: %s") % error)]) from None
    if not records:
        raise ImportRefused([RowError(None, "", _("The file is empty."))])
    header = [name.strip().lower() for name in records[0]]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if unknown:
        problems.append(RowError(1, "", _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)}))
    if missing:
        problems.append(RowError(1, "", _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}))
    if repeated:
        problems.append(RowError(1, "", _("Columns given twice: %(names)s.") % {"names": ", ".join(repeated)}))
    if problems:
        raise ImportRefused(problems)
    body = [record for record in records[1:] if any(value.strip() for value in record)]
    if not body:
        raise ImportRefused([RowError(None, "", _("The file has a header but no rows."))])
    return header, records[1:]


class _Parser:
    """Checks the records and builds the incident rows (tuples in FIELDS order, numbers still to give)."""

    def __init__(self, *, by, default_station: Station | None):
        self.by = by
        self.default_station = default_station
        self.errors: list[RowError] = []
        self.stations = {s.code: s for s in Station.objects.select_related("sub_bureau")}
        self.stations_by_id = {s.pk: s for s in self.stations.values()}
        self.own_station_id = None if by is None or sees_all_stations(by) else by.station_id
        self.zone = rollups.local_zone()
        self.latest = timezone.now() + services.CLOCK_SKEW
        self.rows: list[list] = []
        self.row_numbers: list[int] = []

    def error(self, row: int, name: str, message: str) -> None:
        self.errors.append(RowError(row, name, message))

    def when(self, row: int, name: str, text: str, *, required: bool) -> datetime | None:
        if not text:
            if required:
                self.error(row, name, _("Give the time."))
            return None
        try:
            moment = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            self.error(row, name, _("“%(value)s” is not a time: write it like 2026-03-01 14:05.") % {"value": text})
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        if moment > self.latest:
            self.error(row, name, _("The time can't be in the future."))
            return None
        return moment

    def stages(self, row: int, times: dict[str, datetime | None]) -> list[datetime | None]:
        """The stage times of a row (`times` holds the texts of STAGES' columns and reported_at), checked in order."""
        out = []
        for column, _field, floors in STAGES:
            moment = times[column] = self.when(row, column, times[column], required=False)
            out.append(moment)
            if moment is None:
                continue
            for floor in floors:
                if times.get(floor) is not None and moment < times[floor]:
                    self.error(
                        row, column, _("%(column)s can't be before %(floor)s.") % {"column": column, "floor": floor}
                    )
        if times["closed_at"] is not None and times["resolved_at"] is None:
            self.error(row, "closed_at", _("A closed incident needs resolved_at."))
        return out

    def code(self, row: int, name: str, value: str, choices) -> None:
        if value not in choices.values:
            self.error(
                row,
                name,
                _("Unknown code “%(value)s”: use one of %(codes)s.")
                % {"value": value, "codes": ", ".join(choices.values)},
            )

    def parse(self, records: tuple[list[str], list[list[str]]]) -> _Parser:
        header, body = records
        width = len(header)
        # each column's position in a record; an absent optional column reads the "" padded onto every record
        positions = [header.index(name) if name in header else width for name in COLUMNS]
        categories, priorities, sources = (
            frozenset(Category.values),
            frozenset(Priority.values),
            frozenset(Source.values),
        )
        max_summary, max_address, max_ref = _MAX_LENGTH["summary"], _MAX_LENGTH["address"], _MAX_LENGTH["external_ref"]
        no_stages = [None, None, None, None]
        lats, lngs, explicit = [], [], []
        refs: dict[str, int] = {}
        by_id = getattr(self.by, "pk", None)
        when, error = self.when, self.error
        for number, record in enumerate(body, start=2):
            if len(record) != width:
                if any(value.strip() for value in record):
                    self.error(
                        number,
                        "",
                        _("The row has %(found)s values, the header %(width)s.")
                        % {"found": len(record), "width": width},
                    )
                continue  # else a blank line (spreadsheets leave some at the end)
            record.append("")
            (
                occurred_at, reported_at, category, priority, source, summary, description, address, lat, lng,
                station_code, ref, dispatched_at, arrived_at, resolved_at, closed_at,
            ) = [record[position].strip() for position in positions]  # fmt: skip
            if not (occurred_at or reported_at or summary) and not "".join(record).strip():
                continue  # a row of empty cells
            before = len(self.errors)
            occurred = when(number, "occurred_at", occurred_at, required=True)
            reported = when(number, "reported_at", reported_at, required=True)
            if occurred and reported and occurred > reported:
                error(number, "occurred_at", _("An incident can't occur after it was reported."))
            stages = no_stages
            if dispatched_at or arrived_at or resolved_at or closed_at:
                texts = {"reported_at": reported, "dispatched_at": dispatched_at, "arrived_at": arrived_at}
                stages = self.stages(number, {**texts, "resolved_at": resolved_at, "closed_at": closed_at})
            if category not in categories:
                self.code(number, "category", category, Category)
            if priority not in priorities:
                self.code(number, "priority", priority, Priority)
            if source not in sources:
                self.code(number, "source", source, Source)
            if not summary:
                error(number, "summary", _("Give a summary."))
            if len(summary) > max_summary or len(address) > max_address or len(ref) > max_ref:
                for name, value in (("summary", summary), ("address", address), ("external_ref", ref)):
                    if len(value) > _MAX_LENGTH[name]:
                        error(
                            number,
                            name,
                            _("At most %(limit)s characters (this has %(length)s).")
                            % {"limit": _MAX_LENGTH[name], "length": len(value)},
                        )
            try:
                lat, lng = geo.validate_point(lat, lng)
            except ValidationError as invalid:
                error(number, "lat/lng", " ".join(invalid.messages))
            station = self.default_station
            if station_code:
                station = self.stations.get(station_code)
                if station is None:
                    error(number, "station", _("Unknown station code “%(value)s”.") % {"value": station_code})
            if ref:
                if ref in refs:
                    error(
                        number,
                        "external_ref",
                        _("“%(value)s” is also in row %(row)s.") % {"value": ref, "row": refs[ref]},
                    )
                else:
                    refs[ref] = number
            if len(self.errors) != before:
                continue
            dispatched, arrived, resolved, closed = stages
            status = (
                IncidentStatus.CLOSED if closed else IncidentStatus.RESOLVED if resolved
                else IncidentStatus.ON_SCENE if arrived else IncidentStatus.DISPATCHED if dispatched
                else IncidentStatus.REPORTED
            )  # fmt: skip
            # number, year, sequence, circle, station, override reason, batch and times are filled in later
            self.rows.append(
                [
                    "", 0, 0, category, priority, source, status, occurred, reported, address, None, None, "",
                    summary, description, by_id, dispatched, arrived, resolved, closed, ref, None, None, None,
                    lat, lng,
                ]
            )  # fmt: skip
            self.row_numbers.append(number)
            lats.append(lat)
            lngs.append(lng)
            explicit.append(station)
        self._check_known_refs(refs)
        if self.rows:
            self._place(lats, lngs, explicit)
        if self.errors:
            raise ImportRefused(sorted(self.errors, key=lambda e: e.row or 0))
        return self

    def _check_known_refs(self, refs: dict[str, int]) -> None:
        names = list(refs)
        if not names:
            return
        known = []
        if connection.vendor == "postgresql":  # one array parameter rather than a hundred thousand
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT external_ref, number FROM {connection.ops.quote_name(Incident._meta.db_table)} "
                    "WHERE external_ref <> '' AND external_ref = ANY(%s)",  # `<> ''`: the partial unique index
                    [names],
                )
                known = cursor.fetchall()
        else:
            for start in range(0, len(names), 5000):
                known += Incident.objects.filter(external_ref__in=names[start : start + 5000]).values_list(
                    "external_ref", "number"
                )
        # the reference is unique across stations, but another station's incident number is not ours to show
        shown = set(
            Incident.objects.visible_to(self.by)
            .filter(number__in=[number for _ref, number in known])
            .values_list("number", flat=True)
        )
        for ref, number in known:
            if number in shown:
                message = _("“%(value)s” was imported before, as incident %(number)s.") % {
                    "value": ref,
                    "number": number,
                }
            else:
                message = _("“%(value)s” was imported before, by another station.") % {"value": ref}
            self.error(refs[ref], "external_ref", message)

    def _place(self, lats: list[float], lngs: list[float], explicit: list[Station | None]) -> None:
        """Circle and station of each row from its point, like `incident_report`; then the scope check."""
        circle_at, station_at, reason_at = _AT["circle_id"], _AT["station_id"], _AT["placement_override_reason"]
        reason = _("Station given in the import.")
        for row, number, placement, station in zip(
            self.rows, self.row_numbers, services.incident_placements(lats=lats, lngs=lngs), explicit, strict=True
        ):
            circle = placement.circle
            if station is None or station.pk == placement.station.pk:
                station = placement.station
            else:
                circle = None
                row[reason_at] = reason
            if self.own_station_id is not None and station.pk != self.own_station_id:
                self.error(
                    number,
                    "station",
                    _("The row belongs to %(station)s: you may only import into your own station.")
                    % {"station": station},
                )
            row[circle_at] = circle.pk if circle is not None else None
            row[station_at] = station.pk

    def number(self, *, batch: IncidentImport, now: datetime) -> tuple[str, str]:
        """Give the rows their numbers (per local year of the report, in the order reported) and the batch."""
        at = _AT
        by_year: dict[int, list[list]] = defaultdict(list)
        for row in self.rows:
            by_year[row[at["reported_at"]].astimezone(self.zone).year].append(row)
        prefixes = {pk: station.sub_bureau.code for pk, station in self.stations_by_id.items()}
        first_last = []
        for year in sorted(by_year):
            rows = sorted(by_year[year], key=operator.itemgetter(at["reported_at"]))
            sequence = services.allocate_sequences(year=year, count=len(rows))
            for row in rows:
                prefix = prefixes[row[at["station_id"]]]
                row[at["number"]] = services.incident_number(prefix=prefix, year=year, sequence=sequence)
                row[at["year"]], row[at["sequence"]] = year, sequence
                row[at["import_batch_id"]], row[at["created_at"]], row[at["updated_at"]] = batch.pk, now, now
                sequence += 1
            first_last += [rows[0][at["number"]], rows[-1][at["number"]]]
        return first_last[0], first_last[-1]

    def per_station(self) -> dict[str, int]:
        counts = Counter(row[_AT["station_id"]] for row in self.rows)
        return {str(self.stations_by_id[pk]): n for pk, n in sorted(counts.items())}
