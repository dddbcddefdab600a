"""The incidents API: writes go through the services (same rules as the pages), ETags and If-Match,
actions, timeline, involved persons (masked unless revealed, each reveal logged), tips and hazards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.choices import IncidentStatus
from incidents.models import Incident, IncidentEvent
from patrols.choices import DutyState
from patrols.services import team_set_duty_state
from portal.models import AccessLog
from tests.api.conftest import INSIDE_A, INSIDE_B
from tests.factories import InvolvedPersonFactory, TeamFactory

pytestmark = pytest.mark.django_db
WRITE = "incidents:read,incidents:write,reference:read"


@pytest.fixture
def client(api, make_token, duty_officer):
    return api.as_token(make_token(duty_officer, WRITE))


@pytest.fixture
def team(circle, commander):
    team = TeamFactory(station=circle.station, circle=circle, name="环东方伟业广场商圈巡防队")
    return team_set_duty_state(team=team, state=DutyState.PATROLLING, by=commander)


def _new(**overrides):
    body = {
        "category": "drunk_disorderly",
        "priority": "P2",
        "source": "call_110",
        "lat": INSIDE_A[0],
        "lng": INSIDE_A[1],
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "summary": "广场出口醉酒男子滋事",
    }
    body.update(overrides)
    return body


class IncidentCreateTests:
    def test_creating_records_the_incident_through_the_service(self, client, circle, duty_officer):
        response = client.post("/api/v1/incidents/", _new(), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        incident = Incident.objects.get(pk=body["id"])
        assert incident.circle == circle and incident.reported_by == duty_officer
        assert body["number"].startswith("DQ-") and body["version"] == 1
        assert response["Location"].endswith(f"/api/v1/incidents/{incident.pk}/")
        assert response["ETag"]
        assert incident.events.get().to_status == IncidentStatus.REPORTED

    def test_the_services_refusal_is_a_400_with_the_field_to_blame(self, client, circle):
        future = (timezone.now() + timedelta(hours=2)).isoformat()
        response = client.post("/api/v1/incidents/", _new(occurred_at=future), format="json")
        assert response.status_code == 400
        body = response.json()
        assert "occurred_at" in body["errors"] and body["detail"]
        assert not Incident.objects.exists()

    def test_a_point_outside_the_bounds_is_refused(self, client, circle):
        response = client.post("/api/v1/incidents/", _new(lat=10.0, lng=10.0), format="json")
        assert response.status_code == 400
        assert "lat" in response.json()["errors"]

    def test_unknown_and_missing_fields_are_named(self, client, circle):
        body = _new(status="closed")
        del body["summary"]
        response = client.post("/api/v1/incidents/", body, format="json")
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert errors["status"] == ["Unknown field."]
        assert "summary" in errors

    def test_a_circle_of_another_station_is_an_unknown_id(self, client, circle, circle_b):
        response = client.post("/api/v1/incidents/", _new(circle=circle_b.pk, override_reason="x"), format="json")
        assert response.status_code == 400
        assert "circle" in response.json()["errors"]

    def test_a_read_only_token_can_not_create(self, api, make_token, duty_officer, circle):
        response = api.as_token(make_token(duty_officer, "incidents:read")).post(
            "/api/v1/incidents/", _new(), format="json"
        )
        assert response.status_code == 403
        assert "incidents:write" in response.json()["detail"]

    def test_a_role_without_the_add_permission_can_not_create(self, api, make_token, party_officer, circle):
        response = api.as_token(make_token(party_officer, WRITE)).post("/api/v1/incidents/", _new(), format="json")
        assert response.status_code == 403
        assert not Incident.objects.exists()


class IncidentEditTests:
    def test_an_edit_without_if_match_is_428(self, client, report):
        incident = report()
        response = client.patch(f"/api/v1/incidents/{incident.pk}/", {"summary": "新"}, format="json")
        assert response.status_code == 428
        assert Incident.objects.get().summary != "新"

    def test_an_edit_with_the_current_etag_succeeds_and_gets_a_new_one(self, client, report):
        incident = report()
        etag = client.get(f"/api/v1/incidents/{incident.pk}/")["ETag"]
        response = client.patch(
            f"/api/v1/incidents/{incident.pk}/", {"summary": "新的摘要"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 2 and response.json()["summary"] == "新的摘要"
        assert response["ETag"] != etag
        assert IncidentEvent.objects.filter(incident=incident, kind="edit").exists()

    def test_an_edit_over_a_stale_version_is_412_naming_what_changed(self, client, report, commander):
        from incidents.services import incident_update

        incident = report()
        etag = client.get(f"/api/v1/incidents/{incident.pk}/")["ETag"]
        incident_update(incident=incident, by=commander, expected_version=1, address="另一个地址")
        response = client.patch(
            f"/api/v1/incidents/{incident.pk}/", {"summary": "新"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 412
        assert "address" in response.json()["detail"] and "commander" in response.json()["detail"]
        assert Incident.objects.get().summary != "新"

    def test_a_note_in_between_does_not_make_an_edit_stale(self, client, report, commander):
        """As on the pages: only a new version counts, and a note doesn't make one."""
        from incidents.services import incident_add_note

        incident = report()
        etag = client.get(f"/api/v1/incidents/{incident.pk}/")["ETag"]
        incident_add_note(incident=incident, by=commander, text="补充")
        assert client.get(f"/api/v1/incidents/{incident.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200
        response = client.patch(
            f"/api/v1/incidents/{incident.pk}/", {"priority": "P1"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200

    def test_put_is_not_offered(self, client, report):
        incident = report()
        assert client.put(f"/api/v1/incidents/{incident.pk}/", _new(), format="json").status_code == 405

    def test_status_can_not_be_patched(self, client, report):
        incident = report()
        response = client.patch(
            f"/api/v1/incidents/{incident.pk}/", {"status": "closed"}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 400
        assert Incident.objects.get().status == IncidentStatus.REPORTED


class IncidentActionTests:
    def test_the_whole_lifecycle_through_the_actions(self, client, report, team):
        incident = report()
        url = f"/api/v1/incidents/{incident.pk}"
        assert client.post(f"{url}/dispatch/", {"team": team.pk}, format="json").json()["status"] == "dispatched"
        assert client.post(f"{url}/en-route/", {}, format="json").json()["status"] == "en_route"
        assert client.post(f"{url}/arrive/", {"team": team.pk}, format="json").json()["status"] == "on_scene"
        resolved = client.post(f"{url}/resolve/", {"outcome": "劝离"}, format="json")
        assert resolved.json()["status"] == "resolved" and resolved["ETag"]
        assert client.post(f"{url}/close/", {}, format="json").json()["status"] == "closed"
        kinds = [e["to_status"] for e in client.get(f"{url}/events/").json()]
        assert kinds == ["reported", "dispatched", "en_route", "on_scene", "resolved", "closed"]

    def test_an_illegal_transition_is_a_400_and_changes_nothing(self, client, report):
        incident = report()
        response = client.post(f"/api/v1/incidents/{incident.pk}/close/", {}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["non_field_errors"]
        assert Incident.objects.get().status == IncidentStatus.REPORTED

    def test_cancel_needs_a_reason(self, client, report):
        incident = report()
        response = client.post(f"/api/v1/incidents/{incident.pk}/cancel/", {}, format="json")
        assert response.status_code == 400 and "reason" in response.json()["errors"]
        response = client.post(f"/api/v1/incidents/{incident.pk}/cancel/", {"reason": "重复报警"}, format="json")
        assert response.json()["status"] == "cancelled"

    def test_a_stale_if_match_on_an_action_is_412(self, client, report):
        incident = report()
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/cancel/", {"reason": "x"}, format="json", HTTP_IF_MATCH='"7-abc"'
        )
        assert response.status_code == 412
        assert Incident.objects.get().status == IncidentStatus.REPORTED

    def test_a_team_of_another_station_can_not_be_dispatched(self, client, report, other_station, circle_b):
        incident = report()
        other_team = TeamFactory(station=other_station, circle=circle_b)
        response = client.post(f"/api/v1/incidents/{incident.pk}/dispatch/", {"team": other_team.pk}, format="json")
        assert response.status_code == 400 and "team" in response.json()["errors"]

    def test_another_stations_incident_is_404_for_actions(self, client, report, other_commander, circle_b):
        incident = report(by=other_commander, at=INSIDE_B)
        response = client.post(f"/api/v1/incidents/{incident.pk}/cancel/", {"reason": "x"}, format="json")
        assert response.status_code == 404

    def test_an_auditor_may_read_but_not_act(self, api, make_token, auditor, report):
        incident = report()
        client = api.as_token(make_token(auditor, WRITE))
        assert client.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
        assert (
            client.post(f"/api/v1/incidents/{incident.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
        )

    def test_notes_go_on_the_timeline(self, client, report):
        incident = report()
        response = client.post(f"/api/v1/incidents/{incident.pk}/notes/", {"text": "群众补充情况"}, format="json")
        assert response.status_code == 201 and response.json()["kind"] == "note"


class InvolvedPersonTests:
    def test_persons_are_masked_by_default(self, client, report):
        incident = report()
        InvolvedPersonFactory(incident=incident, phone="13812345678", id_number="11010519491231002X")
        response = client.get(f"/api/v1/incidents/{incident.pk}/persons/")
        row = response.json()[0]
        assert row["phone"] == "138****5678" and row["id_number"].startswith("110105") and "*" in row["id_number"]
        assert "13812345678" not in response.content.decode()
        assert not AccessLog.objects.exists()

    def test_a_permitted_reveal_with_a_reason_shows_the_values_and_is_logged(self, api, make_token, commander, report):
        incident = report()
        person = InvolvedPersonFactory(incident=incident, phone="13812345678")
        client = api.as_token(make_token(commander, WRITE))
        response = client.get(f"/api/v1/incidents/{incident.pk}/persons/?reveal=phone&reason=回访当事人")
        assert response.status_code == 200
        assert response.json()[0]["phone"] == "13812345678"
        assert "*" in response.json()[0]["id_number"]
        log = AccessLog.objects.get()
        assert (log.user, log.action, log.object_id, log.fields) == (commander, "reveal", str(person.pk), "phone")

    def test_a_reveal_needs_a_reason_and_the_permission(self, client, report):
        incident = report()
        InvolvedPersonFactory(incident=incident)
        url = f"/api/v1/incidents/{incident.pk}/persons/"
        assert client.get(url + "?reveal=phone").status_code == 400
        # the duty officer's role may not reveal personal data
        assert client.get(url + "?reveal=phone&reason=x").status_code == 403
        assert client.get(url + "?reveal=address&reason=x").status_code == 400
        assert not AccessLog.objects.exists()

    def test_adding_a_person_goes_through_the_service(self, client, report):
        incident = report()
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/persons/",
            {"role": "victim", "name": "张三", "phone": "13900001111"},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["phone"] == "139****1111"
        assert incident.events.filter(kind="person").exists()


class AroundTheIncidentTests:
    def test_a_tip_is_recorded_and_verified(self, client, circle):
        response = client.post(
            "/api/v1/tips/", {"channel": "chat_group", "content": "有人落水", "lat": 26.6612, "lng": 119.5523}
        )
        assert response.status_code == 201, response.content
        tip_id = response.json()["id"]
        verified = client.post(f"/api/v1/tips/{tip_id}/verify/")
        assert verified.json()["status"] == "verified"

    def test_an_informant_tip_without_the_informant_is_refused(self, client, circle):
        response = client.post("/api/v1/tips/", {"channel": "informant", "content": "线索"}, format="json")
        assert response.status_code == 400 and "informant" in response.json()["errors"]

    def test_a_hazard_is_recorded_and_moved_on(self, client, circle):
        response = client.post(
            "/api/v1/hazards/",
            {"kind": "water", "title": "栈道护栏松动", "lat": 26.6612, "lng": 119.5523, "reported_by_kind": "patrol"},
            format="json",
        )
        assert response.status_code == 201, response.content
        hazard = response.json()
        assert hazard["circle"] == circle.pk
        moved = client.post(f"/api/v1/hazards/{hazard['id']}/status/", {"status": "closed"}, format="json")
        assert moved.status_code == 400  # open -> closed is not a move the service allows
        moved = client.post(f"/api/v1/hazards/{hazard['id']}/status/", {"status": "in_progress"}, format="json")
        assert moved.json()["status"] == "in_progress"

    def test_a_hazard_is_a_geojson_point(self, client, circle):
        client.post(
            "/api/v1/hazards/",
            {
                "kind": "water",
                "title": "x",
                "lat": 26.66123456789,
                "lng": 119.55234567891,
                "reported_by_kind": "patrol",
            },
            format="json",
        )
        feature = client.get("/api/v1/hazards/?format=geojson").json()["features"][0]
        assert feature["geometry"] == {"type": "Point", "coordinates": [119.5523457, 26.6612346]}

    def test_a_service_request_phone_is_masked(self, client, station):
        from tests.factories import ServiceTypeFactory

        service = ServiceTypeFactory()
        response = client.post(
            "/api/v1/service-requests/",
            {"service_type": service.pk, "requester_name": "李四", "phone": "13900002222"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["phone"] == "139****2222" and response.json()["station"] == station.pk
