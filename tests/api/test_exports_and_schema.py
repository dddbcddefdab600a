"""CSV/XLSX exports (scoped, filtered, logged) and the OpenAPI schema and docs page."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from portal.models import AccessLog
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


class ExportTests:
    def test_csv_is_the_whole_filtered_scoped_list_and_is_logged(
        self, api, make_token, commander, station, other_station
    ):
        theft = IncidentFactory(station=station, category="theft", summary="=HYPERLINK(1)")
        for _ in range(3):
            IncidentFactory(station=station, category="fight")
        IncidentFactory(station=other_station, category="theft")
        client = api.as_token(make_token(commander))
        response = client.get("/api/v1/incidents/?format=csv&category=theft&page_size=1&reason=月度统计")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = text.strip().splitlines()
        assert lines[0].startswith("number,status,category")
        assert len(lines) == 2 and theft.number in lines[1]
        assert "'=HYPERLINK(1)" in lines[1]  # no formula injection into a spreadsheet
        log = AccessLog.objects.get()
        assert (log.user, log.action, log.object_type, log.reason) == (
            commander,
            "export",
            "incidents.Incident",
            "月度统计",
        )

    def test_xlsx_opens_with_the_rows(self, api, make_token, commander, station):
        from openpyxl import load_workbook

        incidents = [IncidentFactory(station=station) for _ in range(3)]
        response = api.as_token(make_token(commander)).get("/api/v1/incidents/?format=xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        assert rows[0][0] == "number" and {r[0] for r in rows[1:]} == {i.number for i in incidents}
        assert AccessLog.objects.filter(action="export").count() == 1

    def test_a_bad_filter_on_an_export_is_a_json_400_and_nothing_is_logged(self, api, make_token, commander):
        response = api.as_token(make_token(commander)).get("/api/v1/incidents/?format=csv&bbox=x")
        assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
        assert "bbox" in response.json()["errors"]
        assert not AccessLog.objects.exists()

    def test_a_detail_can_not_be_exported(self, api, make_token, commander, station):
        incident = IncidentFactory(station=station)
        response = api.as_token(make_token(commander)).get(f"/api/v1/incidents/{incident.pk}/?format=csv")
        assert response.status_code == 406


class GeoJSONPageTests:
    def test_incident_pages_are_feature_collections_with_links(self, api, make_token, commander, station):
        for _ in range(3):
            IncidentFactory(station=station, lat=26.661234567891, lng=119.551234567891)
        client = api.as_token(make_token(commander))
        body = client.get("/api/v1/incidents/?format=geojson&page_size=2").json()
        assert body["type"] == "FeatureCollection" and len(body["features"]) == 2 and body["next"]
        assert body["features"][0]["geometry"]["coordinates"] == [119.5512346, 26.6612346]
        rest = client.get(body["next"]).json()
        assert rest["type"] == "FeatureCollection" and len(rest["features"]) == 1

    def test_the_accept_header_asks_for_geojson(self, api, make_token, commander, station):
        incident = IncidentFactory(station=station)
        response = api.as_token(make_token(commander)).get(
            f"/api/v1/incidents/{incident.pk}/", HTTP_ACCEPT="application/geo+json"
        )
        assert response["Content-Type"].startswith("application/geo+json")
        assert response.json()["type"] == "Feature" and response.json()["id"] == incident.pk


class SchemaTests:
    def test_the_schema_validates_without_warnings(self, tmp_path):
        """`manage.py spectacular --validate --fail-on-warn`: every operation, parameter and answer described."""
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
        text = (tmp_path / "schema.yml").read_text()
        for path in ("/api/v1/incidents/{id}/dispatch/", "/api/v1/deleted/", "/api/v1/informants/"):
            assert path in text
        assert "bearerAuth" in text and "'412':" in text and "'429':" in text

    def test_the_schema_is_served(self, client):
        response = client.get("/api/schema/?format=json")
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")

    def test_the_docs_page_has_no_inline_script_and_only_same_origin_scripts(self, client):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert scripts
        for attrs, body in scripts:
            assert not body.strip(), "inline script"
            src = re.search(r'src="([^"]+)"', attrs).group(1)
            assert not urlsplit(src).netloc, src  # same origin: no CDN
            assert client.get(src.replace("&amp;", "&")).status_code == 200, src
        assert "script-src 'self'" in response["Content-Security-Policy"]
