"""Importing incidents from CSV: all rows or none, placed and numbered like recorded ones, within the user's scope."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from incidents import bulk
from incidents.imports import COLUMNS, ImportRefused, incident_import
from incidents.models import Incident, IncidentCounter, IncidentImport
from tests.dashboards.test_rollups import recomputed, stored
from tests.incidents.conftest import INSIDE_A, INSIDE_B, OUTSIDE

HEADER = list(COLUMNS)


def local(delta: timedelta) -> str:
    """A local time `delta` ago, written the way a spreadsheet exports it (no offset)."""
    return timezone.localtime(timezone.now() - delta).strftime("%Y-%m-%d %H:%M:%S")


def line(point=INSIDE_A, **values) -> dict:
    row = {
        "occurred_at": local(timedelta(days=2, minutes=10)),
        "reported_at": local(timedelta(days=2, minutes=5)),
        "category": "theft",
        "priority": "P3",
        "source": "call_110",
        "summary": "电动车被盗",
        "description": "",
        "address": "东方伟业广场",
        "lat": str(point[0]),
        "lng": str(point[1]),
        "station": "",
        "external_ref": "",
        "dispatched_at": "",
        "arrived_at": "",
        "resolved_at": "",
        "closed_at": "",
    }
    row.update(values)
    return row


def csv_file(rows: list[dict], header=HEADER) -> io.BytesIO:
    text = ",".join(header) + "\r\n"
    for row in rows:
        text += ",".join(f'"{row.get(name, "")}"' for name in header) + "\r\n"
    return io.BytesIO(text.encode("utf-8-sig"))


def good_rows(n: int = 30) -> list[dict]:
    points = [INSIDE_A, INSIDE_B, OUTSIDE]
    rows = []
    for i in range(n):
        days = 1 + i % 4
        row = line(
            points[i % 3],
            occurred_at=local(timedelta(days=days, minutes=30 + i)),
            reported_at=local(timedelta(days=days, minutes=25 + i)),
            external_ref=f"110-{i:05d}",
        )
        if i % 2:  # handled and closed, with the stage times
            row.update(
                dispatched_at=local(timedelta(days=days, minutes=22 + i)),
                arrived_at=local(timedelta(days=days, minutes=12 + i)),
                resolved_at=local(timedelta(days=days, minutes=2 + i)),
                closed_at=local(timedelta(days=days, minutes=i)),
            )
        rows.append(row)
    return rows


@pytest.fixture
def network(circle, circle_b, far_station):
    return circle, circle_b


def refused(**kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        incident_import(file_name="bad.csv", **kwargs)
    return caught.value


@pytest.mark.django_db
class ImportTests:
    def test_a_good_file_is_numbered_placed_recorded_and_counted(self, network, staff_user):
        circle, circle_b = network
        year = timezone.localdate().year
        IncidentCounter.objects.create(year=year, last=41)
        result = incident_import(by=staff_user, file=csv_file(good_rows(30)), file_name="march.csv")
        assert result.rows == 30
        incidents = list(Incident.objects.order_by("sequence"))
        assert len(incidents) == 30
        # numbered from the year's counter, in the order reported
        assert [i.sequence for i in incidents] == list(range(42, 72))
        assert incidents[0].number == f"DQ-{year}-000042" and result.numbers == (
            incidents[0].number,
            incidents[-1].number,
        )
        assert [i.reported_at for i in incidents] == sorted(i.reported_at for i in incidents)
        assert IncidentCounter.objects.get(year=year).last == 71
        # placed by the point, like incident_report
        by_ref = {i.external_ref: i for i in incidents}
        assert by_ref["110-00000"].circle == circle and by_ref["110-00000"].station == circle.station
        assert by_ref["110-00001"].circle == circle_b and by_ref["110-00001"].station == circle_b.station
        assert by_ref["110-00002"].circle is None and by_ref["110-00002"].station.code == "far"
        # stage times make the status
        assert by_ref["110-00000"].status == "reported" and by_ref["110-00001"].status == "closed"
        assert by_ref["110-00001"].response_time == timedelta(minutes=13)
        # one batch record, audited with its actor
        batch = IncidentImport.objects.get()
        assert (batch.file_name, batch.row_count, batch.imported_by) == ("march.csv", 30, staff_user)
        assert all(i.import_batch == batch and i.reported_by == staff_user for i in incidents)
        entry = LogEntry.objects.get_for_object(batch).get()
        assert entry.actor == staff_user
        # the dashboards' rollups equal a recount
        assert stored() == recomputed()
        assert sum(c[-1] for c in stored()[0] if c[0] == "day") == 30

    def test_importing_into_days_with_incidents_keeps_the_rollups_exact(self, network, staff_user, report):
        report(occurred_at=timezone.now() - timedelta(days=1, minutes=40))
        incident_import(by=staff_user, file=csv_file(good_rows(12)), file_name="a.csv")
        more = [dict(row, external_ref=f"B-{i}") for i, row in enumerate(good_rows(9))]
        incident_import(by=staff_user, file=csv_file(more), file_name="b.csv")
        assert Incident.objects.count() == 22
        assert stored() == recomputed()

    def test_days_between_the_imported_ones_keep_their_rollups(self, network, staff_user, report):
        # the stored rollups are read for the whole span of the file's days; those it doesn't touch stay as they are
        kept = report(occurred_at=timezone.now() - timedelta(days=3, hours=2))
        before = stored()
        rows = [line(INSIDE_A, occurred_at=local(timedelta(days=d, minutes=9)), reported_at=local(timedelta(days=d)))
                for d in (1, 6)]  # fmt: skip
        incident_import(by=staff_user, file=csv_file(rows), file_name="span.csv")
        assert stored() == recomputed()
        kept_day = ("day", timezone.localtime(kept.occurred_at).date())
        untouched = [row for row in stored()[0] if row[:2] == kept_day]
        assert untouched and untouched == [row for row in before[0] if row[:2] == kept_day]

    @pytest.mark.parametrize(
        ("bad", "field", "words"),
        [
            ({"occurred_at": "2026-13-45 25:00"}, "occurred_at", "is not a time"),
            ({"reported_at": local(timedelta(days=-3))}, "reported_at", "future"),
            (
                {"occurred_at": local(timedelta(days=1)), "reported_at": local(timedelta(days=2))},
                "occurred_at",
                "after",
            ),
            ({"category": "murder"}, "category", "murder"),
            ({"priority": "P9"}, "priority", "P9"),
            ({"lat": "31.23", "lng": "121.47"}, "lat/lng", "outside"),
            ({"lat": "north"}, "lat/lng", "numbers"),
            ({"summary": "x" * 201}, "summary", "200"),
            ({"summary": ""}, "summary", "summary"),
            ({"station": "nowhere"}, "station", "nowhere"),
            ({"external_ref": "110-00003"}, "external_ref", "row 5"),
            ({"closed_at": local(timedelta(days=1))}, "closed_at", "resolved_at"),
            ({"arrived_at": local(timedelta(days=3))}, "arrived_at", "reported_at"),
        ],
    )
    def test_one_bad_row_writes_nothing_and_is_named(self, network, staff_user, bad, field, words):
        rows = good_rows(6)
        rows[4].update(bad)  # row 6 of the file (the header is row 1)
        error = refused(by=staff_user, file=csv_file(rows))
        assert [(e.row, e.field) for e in error.errors_found] == [(6, field)]
        assert words in error.errors_found[0].message
        assert error.messages[0].startswith("1 row has errors: nothing was imported")
        assert not Incident.objects.exists()
        assert not IncidentImport.objects.exists()
        assert not IncidentCounter.objects.exists()

    def test_an_external_reference_imported_before_is_refused(self, network, staff_user):
        incident_import(by=staff_user, file=csv_file(good_rows(3)), file_name="first.csv")
        first = Incident.objects.get(external_ref="110-00001")
        error = refused(by=staff_user, file=csv_file([line(external_ref="new-1"), line(external_ref="110-00001")]))
        assert [(e.row, e.field) for e in error.errors_found] == [(3, "external_ref")]
        assert first.number in error.errors_found[0].message
        assert Incident.objects.count() == 3

    def test_another_stations_reference_is_refused_without_its_number(self, network, staff_user, commander):
        incident_import(by=staff_user, file=csv_file([line(INSIDE_B, external_ref="B-7")]), file_name="b.csv")
        theirs = Incident.objects.get(external_ref="B-7")
        error = refused(by=commander, file=csv_file([line(INSIDE_A, external_ref="B-7")]))
        assert [(e.row, e.field) for e in error.errors_found] == [(2, "external_ref")]
        assert theirs.number not in error.errors_found[0].message
        assert Incident.objects.count() == 1

    def test_every_bad_row_is_listed(self, network, staff_user):
        rows = good_rows(8)
        rows[1]["category"] = "?"
        rows[6]["lat"] = ""
        error = refused(by=staff_user, file=csv_file(rows))
        assert [e.row for e in error.errors_found] == [3, 8]
        assert error.messages[0].startswith("2 rows have errors")

    @pytest.mark.parametrize(
        ("content", "words"),
        [
            (b"", "empty"),
            (b"occurred_at,category\r\n", "Missing columns: reported_at"),
            (",".join([*HEADER, "colour"]).encode() + b"\r\n", "Unknown columns: colour"),
            (",".join(HEADER).encode() + b"\r\n", "no rows"),
            ("发生时间".encode("gbk"), "UTF-8"),
        ],
    )
    def test_a_malformed_file_is_refused_with_the_reason(self, network, staff_user, content, words):
        error = refused(by=staff_user, file=io.BytesIO(content))
        assert words in " ".join(e.message for e in error.errors_found)
        assert error.messages[0].startswith("The file can't be imported:")
        assert not IncidentImport.objects.exists()

    def test_a_given_station_overrides_the_placement_with_a_reason(self, network, staff_user, other_station):
        circle, _circle_b = network
        rows = [line(INSIDE_A), line(INSIDE_A, station=circle.station.code)]
        incident_import(by=staff_user, file=csv_file(rows), file_name="s.csv", station=other_station)
        overridden, kept = Incident.objects.order_by("sequence")
        assert (overridden.station, overridden.circle) == (other_station, None)
        assert overridden.placement_override_reason
        assert (kept.station, kept.circle, kept.placement_override_reason) == (circle.station, circle, "")

    def test_a_dry_run_checks_and_writes_nothing(self, network, staff_user):
        result = incident_import(by=staff_user, file=csv_file(good_rows(6)), file_name="d.csv", dry_run=True)
        assert result.dry_run and result.rows == 6
        assert sum(result.per_station.values()) == 6
        assert not Incident.objects.exists() and not IncidentImport.objects.exists()


@pytest.mark.django_db
class ImportScopeTests:
    def test_a_commander_imports_into_their_own_station(self, network, commander):
        incident_import(by=commander, file=csv_file([line(INSIDE_A)] * 3), file_name="own.csv")
        assert set(Incident.objects.values_list("station", flat=True)) == {commander.station_id}

    def test_a_commander_cannot_import_rows_of_another_station(self, network, commander):
        error = refused(by=commander, file=csv_file([line(INSIDE_A), line(INSIDE_B)]))
        assert [(e.row, e.field) for e in error.errors_found] == [(3, "station")]
        assert "另一派出所" in error.errors_found[0].message
        assert not Incident.objects.exists()

    def test_a_commander_cannot_name_another_station(self, network, commander, other_station):
        error = refused(by=commander, file=csv_file([line(INSIDE_A)]), station=other_station)
        assert error.errors_found[0].field == "station"
        error = refused(by=commander, file=csv_file([line(INSIDE_A, station="other")]))
        assert (error.errors_found[0].row, error.errors_found[0].field) == (2, "station")
        assert not Incident.objects.exists()

    def test_the_admin_lists_the_imports_in_scope_read_only(self, client, network, commander, other_station):
        incident_import(by=commander, file=csv_file([line(INSIDE_A)] * 2), file_name="own-march.csv")
        IncidentImport.objects.create(file_name="other-march.csv", row_count=5, station=other_station)
        commander.is_staff = True
        commander.save()
        client.force_login(commander)
        html = client.get("/admin/incidents/incidentimport/").content.decode()
        assert "own-march.csv" in html and "other-march.csv" not in html
        own = IncidentImport.objects.get(file_name="own-march.csv")
        assert client.get(f"/admin/incidents/incidentimport/{own.pk}/change/").status_code == 200
        assert client.get("/admin/incidents/incidentimport/add/").status_code == 403
        client.post(f"/admin/incidents/incidentimport/{own.pk}/delete/", {"post": "yes"})
        assert IncidentImport.objects.filter(pk=own.pk).exists()

    def test_a_duty_officer_may_not_import(self, network, duty_officer):
        error = refused(by=duty_officer, file=csv_file([line()]))
        assert "may not import" in error.errors_found[0].message
        assert not Incident.objects.exists()


@pytest.mark.django_db
class ImportPageTests:
    def upload(self, client, rows, **data):
        upload = csv_file(rows)
        upload.name = "page.csv"
        return client.post(reverse("incidents:incident_import"), {"file": upload, **data})

    def test_the_menu_offers_the_page_to_commanders_only(self, client, network, commander, duty_officer):
        url = reverse("incidents:incident_import")
        client.force_login(commander)
        assert url in client.get(reverse("incidents:incident_list")).content.decode()
        assert client.get(url).status_code == 200
        client.force_login(duty_officer)
        assert url not in client.get(reverse("incidents:incident_list")).content.decode()
        assert client.get(url).status_code == 403

    def test_a_bad_file_shows_every_error_and_imports_nothing(self, client, network, commander):
        client.force_login(commander)
        rows = good_rows(3)
        rows[0]["category"] = "murder"
        response = self.upload(client, rows, **{"import": "1"})
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="import-errors"' in page and "murder" in page and '<td class="text-nowrap">2</td>' in page
        assert not Incident.objects.exists()

    def test_check_only_previews_and_import_imports(self, client, network, staff_user):
        client.force_login(staff_user)
        response = self.upload(client, good_rows(6), check="1")
        assert response.status_code == 200
        assert 'id="import-preview"' in response.content.decode()
        assert not Incident.objects.exists()
        response = self.upload(client, good_rows(6), **{"import": "1"})
        assert response.status_code == 302 and response.url == reverse("incidents:incident_list")
        page = client.get(response.url).content.decode()
        assert "page.csv" in page and Incident.objects.count() == 6
        assert IncidentImport.objects.get().imported_by == staff_user

    def test_a_commander_is_not_offered_a_station(self, client, network, commander, other_station):
        client.force_login(commander)
        assert 'name="station"' not in client.get(reverse("incidents:incident_import")).content.decode()
        self.upload(client, [line(INSIDE_A)], station=str(other_station.pk), **{"import": "1"})
        assert Incident.objects.get().station == commander.station

    def test_the_template_file_has_the_columns(self, client, network, commander):
        client.force_login(commander)
        response = client.get(reverse("incidents:incident_import_template"))
        assert response.content.decode().strip() == ",".join(HEADER)


@pytest.mark.django_db
class ImportCommandTests:
    def write(self, tmp_path, rows) -> str:
        path = tmp_path / "incidents.csv"
        path.write_bytes(csv_file(rows).getvalue())
        return str(path)

    def test_bad_input_exits_non_zero_with_the_rows(self, tmp_path, network, capsys):
        rows = good_rows(4)
        rows[2]["priority"] = "urgent"
        with pytest.raises(CommandError, match="1 row has errors"):
            call_command("import_incidents", self.write(tmp_path, rows))
        assert "row 4, priority" in capsys.readouterr().err
        assert not Incident.objects.exists()

    @pytest.mark.parametrize(
        ("args", "words"),
        [(["--station", "nowhere"], "Unknown station"), (["--user", "ghost"], "No active user")],
    )
    def test_bad_options_exit_non_zero(self, tmp_path, network, args, words):
        with pytest.raises(CommandError, match=words):
            call_command("import_incidents", self.write(tmp_path, good_rows(2)), *args)
        with pytest.raises(CommandError, match="No such file"):
            call_command("import_incidents", str(tmp_path / "missing.csv"))
        assert not Incident.objects.exists()

    def test_dry_run_then_import(self, tmp_path, network, commander):
        path = self.write(tmp_path, [line(INSIDE_A)] * 4)
        out = io.StringIO()
        call_command("import_incidents", path, "--dry-run", "--user", "commander", stdout=out)
        assert "4" in out.getvalue() and not Incident.objects.exists()
        call_command("import_incidents", path, "--user", "commander", stdout=out)
        assert Incident.objects.filter(reported_by=commander).count() == 4
        assert IncidentImport.objects.get().file_name == "incidents.csv"


@pytest.mark.django_db
class ImportWritePathTests:
    """The same import on both write paths: COPY (PostgreSQL) and bulk_create in chunks (SQLite, the default)."""

    def check(self, staff_user):
        incident_import(by=staff_user, file=csv_file(good_rows(25)), file_name="p.csv")
        assert Incident.objects.count() == 25
        assert Incident.objects.filter(import_batch__isnull=False, version=1, outcome="").count() == 25
        assert stored() == recomputed()

    @pytest.mark.services
    def test_postgresql_writes_with_copy(self, network, staff_user, django_assert_max_num_queries):
        assert connection.vendor == "postgresql" and bulk.uses_copy()
        self.check(staff_user)

    def test_the_fallback_writes_with_bulk_create(self, network, staff_user, monkeypatch):
        monkeypatch.setattr(bulk, "uses_copy", lambda: False)
        self.check(staff_user)
