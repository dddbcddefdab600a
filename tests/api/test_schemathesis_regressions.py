"""Regression tests of the API bugs that the schemathesis run (test_schemathesis.py) found, one each."""

import pytest

from tests.factories import CameraFactory

ALL_READ = "incidents:read,reference:read"


@pytest.fixture
def client_(api, make_token, staff_user, circle):
    return api.as_token(make_token(staff_user, scopes=ALL_READ))


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors", "detail"}
    return body


def test_links_to_pages_are_documented_as_the_paths_they_are(client_, station):
    """`url` (the row's page, a path) was documented as `format: uri`, which a path is not."""
    CameraFactory(station=station)
    url = client_.get("/api/v1/cameras/").json()["results"][0]["url"]
    assert url.startswith("/patrols/cameras/")
    schema = client_.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Camera"]["properties"]["url"]["format"] == "uri-reference"


@pytest.mark.parametrize("path", ["/api/v1/cameras/0.5/", "/api/v1/incidents/1.0/dispatch/", "/api/v1/nothing/"])
def test_a_path_no_route_takes_is_a_404_in_the_error_shape(client_, path):
    """An id with a dot matched no route and Django answered its HTML 404 page."""
    assert_error_shape(client_.get(path), 404)


def test_append_slash_still_redirects(client_):
    assert client_.get("/api/v1/incidents").status_code == 301


def test_an_unknown_format_is_a_400_naming_the_parameter(client_):
    """DRF answered `?format=AAA` with an undocumented 404 "Not found."."""
    body = assert_error_shape(client_.get("/api/v1/stations/?format=AAA"), 400)
    assert "format" in body["errors"]


@pytest.mark.parametrize("value", ["2", "null", "maybe", "1"])
def test_a_yes_no_filter_refuses_anything_but_true_or_false(client_, value):
    """`?is_active=2` (or anything else) silently meant "any" (or, for "2", "yes")."""
    body = assert_error_shape(client_.get(f"/api/v1/cameras/?is_active={value}"), 400)
    assert "is_active" in body["errors"]


@pytest.mark.parametrize("value", ["true", "False", ""])
def test_a_yes_no_filter_takes_true_false_or_nothing(client_, value):
    assert client_.get(f"/api/v1/cameras/?is_active={value}").status_code == 200


def test_an_id_beyond_the_integer_range_is_a_400_not_a_500(client_):
    """A multiple-choice filter put it in an IN (...) that SQLite can't bind (OverflowError: a 500)."""
    body = assert_error_shape(client_.get("/api/v1/incidents/?station=-385138710373149183678873600"), 400)
    assert "station" in body["errors"]
    body = assert_error_shape(client_.get("/api/v1/incidents/?circle=99999999999999999999"), 400)
    assert "circle" in body["errors"]


def test_a_whole_geojson_layer_still_refuses_a_malformed_page_size(client_):
    """The map layers come whole as GeoJSON, and their page_size and cursor went unread."""
    body = assert_error_shape(client_.get("/api/v1/stations/?format=geojson&page_size=abc"), 400)
    assert "page_size" in body["errors"]
    assert_error_shape(client_.get("/api/v1/stations/?format=geojson&cursor=!!"), 400)
    assert client_.get("/api/v1/stations/?format=geojson&page_size=10").status_code == 200


def test_the_schema_documents_404_under_a_detail_and_empty_filter_values(client_):
    """A list under a record (an incident's timeline) can answer 404; an empty filter value means "any"."""
    schema = client_.get("/api/schema/?format=json").json()
    assert "404" in schema["paths"]["/api/v1/incidents/{id}/events/"]["get"]["responses"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert parameters["updated_since"]["allowEmptyValue"] is True
    assert parameters["page_size"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in parameters["cursor"]
    assert parameters["is_open"]["schema"] == {"type": "boolean"}
    detail = schema["paths"]["/api/v1/incidents/{id}/"]["get"]["parameters"]
    assert any(p["name"] == "id" and p["schema"]["type"] == "integer" for p in detail)


def test_a_post_to_a_path_no_route_takes_is_a_json_404_too():
    """The JSON 404 of unknown paths was refused by the CSRF check (an HTML 403) for a POST with a cookie."""
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "x"
    assert_error_shape(client.post("/api/v1/incidents/0.5/dispatch/", {}, format="json"), 404)


def test_a_timeline_entry_that_is_no_status_change_has_empty_statuses_as_documented(client_, report, duty_officer):
    """`from_status`/`to_status` are "" on a note; the schema's enum didn't include ""."""
    from incidents.services import incident_add_note

    incident = report()
    incident_add_note(incident=incident, by=duty_officer, text="补充说明")
    events = client_.get(f"/api/v1/incidents/{incident.pk}/events/").json()
    assert events[-1]["from_status"] == "" and events[-1]["to_status"] == ""
    schema = client_.get("/api/schema/?format=json").json()
    event = schema["components"]["schemas"]["IncidentEvent"]["properties"]["to_status"]
    assert any("" in (part.get("enum") or []) for part in event.get("oneOf", [event])) or "" in str(event)


def test_a_single_valued_filter_given_twice_is_a_400(client_):
    """`?q=a&q=b` would silently search for "b": the API says to give it once."""
    response = client_.get("/api/v1/stations/?q=a&q=b")
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


@pytest.mark.parametrize("path", ["/api/v1/deleted/?since=", "/api/v1/incidents/?updated_since="])
def test_a_time_with_an_offset_postgresql_cannot_hold_is_compared_in_utc(client_, path):
    """`+16:45` is a valid ISO offset that PostgreSQL refuses (±15:59): the API compares in UTC, no 500."""
    response = client_.get(path + "2026-05-13T07:57:24%2B16:45")
    assert response.status_code == 200
