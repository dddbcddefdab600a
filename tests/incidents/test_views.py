"""The incident pages: who may open them, what a form or a button does, and what a refusal leaves (nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.choices import Category, EventKind, IncidentStatus, Priority, Source
from incidents.models import Incident, IncidentEvent, InvolvedPerson
from incidents.services import incident_dispatch, incident_update, person_add
from patrols.choices import DutyState
from portal.models import AccessLog
from tests.factories import HazardFactory, IncidentFactory, InvolvedPersonFactory, TeamFactory
from tests.incidents.conftest import INSIDE_A

VALID_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in the source language (English), whatever the catalogue holds."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def detail(incident) -> str:
    return reverse("incidents:incident_detail", args=[incident.pk])


def action(incident, name: str) -> str:
    return reverse("incidents:incident_action", args=[incident.pk, name])


def intake_data(**overrides) -> dict:
    data = {
        "category": Category.DRUNK_DISORDERLY,
        "priority": Priority.P2,
        "source": Source.CALL_110,
        "occurred_at": timezone.localtime(timezone.now() - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
        "summary": "广场出口醉酒男子滋事",
        "lat": INSIDE_A[0],
        "lng": INSIDE_A[1],
        "address": "东方伟业广场出口",
    }
    data.update(overrides)
    return data


# --- access --------------------------------------------------------------------------------------


@pytest.mark.django_db
class IncidentPageAccessTests:
    @pytest.mark.parametrize("who", ["duty_officer", "commander", "staff_user", "auditor"])
    def test_the_list_and_the_detail_open_for_roles_that_may_view_incidents(self, client, request, who, report):
        incident = report()
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("incidents:incident_list")).status_code == 200
        response = client.get(detail(incident))
        assert response.status_code == 200
        assert incident.number in response.content.decode()

    @pytest.mark.parametrize(
        "name",
        ["incident_list", "incident_create", "duty_board", "incident_geojson", "incident_placement"],
    )
    def test_a_user_without_permission_gets_403(self, client, no_role_user, name):
        client.force_login(no_role_user)
        assert client.get(reverse(f"incidents:{name}")).status_code == 403

    def test_an_anonymous_user_is_sent_to_log_in(self, client, db):
        response = client.get(reverse("incidents:incident_list"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_an_auditor_may_look_but_not_record_or_move_an_incident(self, client, auditor, report):
        incident = report()
        client.force_login(auditor)
        assert client.get(reverse("incidents:incident_create")).status_code == 403
        assert client.get(reverse("incidents:incident_update", args=[incident.pk])).status_code == 403
        assert client.post(action(incident, "cancel"), {"text": "x"}).status_code == 403
        html = client.get(detail(incident)).content.decode()
        assert 'id="dispatch-panel"' not in html and 'id="incident-actions"' not in html

    def test_another_stations_incident_answers_404_on_every_page(self, client, other_commander, report, team):
        incident = report()
        person = person_add(incident=incident, by=None, role="victim", name="张三", phone="13812345678")
        client.force_login(other_commander)
        for url in (
            detail(incident),
            reverse("incidents:incident_update", args=[incident.pk]),
            reverse("incidents:person_update", args=[person.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(action(incident, "dispatch"), {"team": team.pk}).status_code == 404
        assert client.post(action(incident, "cancel"), {"text": "x"}).status_code == 404
        assert client.post(reverse("incidents:incident_note", args=[incident.pk]), {"text": "x"}).status_code == 404
        assert client.post(reverse("incidents:person_remove", args=[person.pk])).status_code == 404
        assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.REPORTED
        assert InvolvedPerson.objects.filter(pk=person.pk).exists()

    def test_the_list_shows_only_the_users_stations_incidents(self, client, commander, other_station, report):
        own = report()
        other = IncidentFactory(station=other_station, number="DQ-2026-777777", sequence=777777)
        client.force_login(commander)
        html = client.get(reverse("incidents:incident_list")).content.decode()
        assert own.number in html and other.number not in html

    def test_the_navigation_offers_the_incident_pages_and_audit_to_whom_it_may(self, client, duty_officer, auditor):
        client.force_login(duty_officer)
        html = client.get("/").content.decode()
        assert reverse("incidents:incident_create") in html and reverse("incidents:duty_board") in html
        assert 'id="nav-audit"' not in html
        client.force_login(auditor)
        html = client.get("/").content.decode()
        assert reverse("audit_log") in html and reverse("access_log") in html
        assert reverse("incidents:incident_create") not in html


# --- list -------------------------------------------------------------------------------------------


@pytest.mark.django_db
class IncidentListTests:
    def test_the_list_filters_with_the_shared_filterset(self, client, commander, report):
        fight = report(category=Category.FIGHT, summary="打架")
        theft = report(category=Category.THEFT, summary="盗窃")
        client.force_login(commander)
        html = client.get(reverse("incidents:incident_list"), {"category": Category.THEFT}).content.decode()
        assert theft.number in html and fight.number not in html

    def test_a_bad_filter_is_shown_and_lists_nothing(self, client, commander, report):
        report()
        client.force_login(commander)
        response = client.get(reverse("incidents:incident_list"), {"bbox": "nonsense"})
        assert response.status_code == 200
        assert response.context["paginator"].count == 0
        assert response.context["filter_form"].errors

    def test_the_query_count_does_not_grow_with_the_rows(
        self, client, commander, station, circle, django_assert_max_num_queries
    ):
        IncidentFactory(station=station, circle=circle)
        client.force_login(commander)
        url = reverse("incidents:incident_list")
        client.get(url)  # warm the session and the content types
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(url)
        IncidentFactory.create_batch(30, station=station, circle=circle)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url)
        assert response.context["paginator"].count == 31
        # pinned: the session (read, and saved again), the user, their permissions and roles, the count,
        # the page (circle and station joined), and the scoped choices of the filters
        assert len(few.captured_queries) <= 14


# --- quick intake and edit ----------------------------------------------------------------------


@pytest.mark.django_db
class IncidentIntakeTests:
    def test_the_intake_page_starts_at_now_and_has_a_map(self, client, duty_officer):
        client.force_login(duty_officer)
        response = client.get(reverse("incidents:incident_create"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-map-widget=""' in html and "portal/js/incident.js" in html
        assert timezone.localtime().strftime("%Y-%m-%dT") in html

    def test_saving_the_form_places_the_incident_in_the_circle_of_its_point(self, client, duty_officer, circle):
        client.force_login(duty_officer)
        response = client.post(reverse("incidents:incident_create"), intake_data())
        incident = Incident.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(incident)
        assert incident.circle == circle and incident.station == circle.station
        assert incident.reported_by == duty_officer
        assert list(incident.events.values_list("to_status", flat=True)) == [IncidentStatus.REPORTED]

    def test_an_override_without_a_reason_is_a_form_error_and_saves_nothing(
        self, client, duty_officer, circle, station
    ):
        from tests.factories import CircleFactory, square

        other = CircleFactory(station=station, name="和谐工业圈", boundary=square(119.535, 26.672, 0.004))
        client.force_login(duty_officer)
        response = client.post(reverse("incidents:incident_create"), intake_data(circle=other.pk))
        assert response.status_code == 400
        assert "Give a reason" in " ".join(response.context["form"].errors["override_reason"])
        assert not Incident.objects.exists()
        response = client.post(
            reverse("incidents:incident_create"), intake_data(circle=other.pk, override_reason="巡逻队实际处置")
        )
        assert response.status_code == 302
        assert Incident.objects.get().circle == other

    def test_a_point_outside_the_bounds_is_a_form_error(self, client, duty_officer, circle):
        client.force_login(duty_officer)
        response = client.post(reverse("incidents:incident_create"), intake_data(lat=10.0, lng=10.0))
        assert response.status_code == 400
        assert response.context["form"].errors["lat"]
        assert not Incident.objects.exists()

    def test_the_placement_preview_names_the_circle_and_the_hazards_near(self, client, duty_officer, circle):
        HazardFactory(station=circle.station, title="广场喷泉水深", lat=INSIDE_A[0], lng=INSIDE_A[1])
        client.force_login(duty_officer)
        response = client.get(reverse("incidents:incident_placement"), {"lat": INSIDE_A[0], "lng": INSIDE_A[1]})
        html = response.content.decode()
        assert response.status_code == 200
        assert circle.name in html and str(circle.station) in html and "广场喷泉水深" in html

    def test_the_placement_preview_explains_a_bad_point(self, client, duty_officer, circle):
        client.force_login(duty_officer)
        response = client.get(reverse("incidents:incident_placement"), {"lat": "x", "lng": "1"})
        assert response.status_code == 200
        assert 'id="placement-error"' in response.content.decode()


@pytest.mark.django_db
class IncidentEditTests:
    def test_an_edit_saves_through_the_service_with_an_edit_event(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        url = reverse("incidents:incident_update", args=[incident.pk])
        form = client.get(url).context["form"]
        data = {name: form[name].value() for name in form.fields}
        data.update(summary="新的摘要", occurred_at=form["occurred_at"].value().strftime("%Y-%m-%dT%H:%M"))
        data = {k: ("" if v is None else v) for k, v in data.items()}
        response = client.post(url, data)
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.summary == "新的摘要" and incident.version == 2
        edit = incident.events.get(kind=EventKind.EDIT)
        assert set(edit.changes) == {"summary"}  # the unchanged minute of occurred_at is not an edit

    def test_a_concurrent_edit_is_refused_with_what_changed_and_nothing_saved(
        self, client, duty_officer, commander, report
    ):
        incident = report()
        client.force_login(duty_officer)
        url = reverse("incidents:incident_update", args=[incident.pk])
        form = client.get(url).context["form"]
        data = {k: ("" if v is None else v) for k, v in ((n, form[n].value()) for n in form.fields)}
        data["occurred_at"] = form["occurred_at"].value().strftime("%Y-%m-%dT%H:%M")
        # meanwhile the commander changes the address
        incident_update(incident=incident, by=commander, expected_version=1, address="广场东门")
        data.update(summary="我的摘要")
        response = client.post(url, data)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="stale-changes"' in html
        errors = " ".join(response.context["form"].non_field_errors())
        assert "address" in errors and str(commander) in errors
        incident.refresh_from_db()
        assert incident.summary != "我的摘要" and incident.address == "广场东门" and incident.version == 2


# --- transitions and dispatch --------------------------------------------------------------------


@pytest.mark.django_db
class IncidentTransitionTests:
    def test_the_detail_offers_only_the_legal_next_steps(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        html = client.get(detail(incident)).content.decode()
        assert action(incident, "cancel") in html and action(incident, "transfer") in html
        assert action(incident, "arrive") in html and action(incident, "resolve") in html
        assert action(incident, "close") not in html and action(incident, "en_route") not in html
        assert 'id="dispatch-panel"' in html

    def test_an_illegal_transition_changes_nothing_and_says_why(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        events = IncidentEvent.objects.count()
        response = client.post(action(incident, "close"), {"text": ""})
        assert response.status_code == 400
        message = response.context["action_error"]
        assert incident.number in message and "Closed" in message
        assert 'id="action-error"' in response.content.decode()
        after = Incident.objects.get(pk=incident.pk)
        assert after.status == IncidentStatus.REPORTED and after.version == incident.version
        assert IncidentEvent.objects.count() == events

    def test_an_unknown_transition_is_404(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        assert client.post(action(incident, "explode")).status_code == 404

    def test_dispatch_moves_the_team_and_the_incident(self, client, duty_officer, report, team):
        incident = report()
        client.force_login(duty_officer)
        response = client.post(action(incident, "dispatch"), {"team": team.pk})
        assert response.status_code == 302
        incident.refresh_from_db()
        team.refresh_from_db()
        assert incident.status == IncidentStatus.DISPATCHED and incident.first_dispatched_at is not None
        assert team.duty_state == DutyState.RESPONDING

    def test_a_busy_team_needs_the_override(self, client, duty_officer, report, team):
        first = report()
        incident_dispatch(incident=first, team=team, by=duty_officer)
        second = report(summary="第二起")
        client.force_login(duty_officer)
        page = client.get(detail(second)).content.decode()
        assert f'id="override-{team.pk}"' in page and first.number in page
        response = client.post(action(second, "dispatch"), {"team": team.pk})
        assert response.status_code == 400
        assert first.number in response.context["action_error"]
        assert Incident.objects.get(pk=second.pk).status == IncidentStatus.REPORTED
        response = client.post(action(second, "dispatch"), {"team": team.pk, "override": "on"})
        assert response.status_code == 302
        assert Incident.objects.get(pk=second.pk).status == IncidentStatus.DISPATCHED

    def test_the_suggestions_list_distance_in_metres(self, client, duty_officer, report, team):
        incident = report()
        client.force_login(duty_officer)
        response = client.get(detail(incident))
        suggestions = response.context["suggestions"]
        assert suggestions[0].team == team
        assert f"{suggestions[0].distance_m:.0f} m" in response.content.decode()

    def test_arrive_resolve_and_close_through_the_buttons(self, client, duty_officer, report, team):
        incident = report()
        client.force_login(duty_officer)
        client.post(action(incident, "dispatch"), {"team": team.pk})
        assert client.post(action(incident, "arrive"), {"team": team.pk}).status_code == 302
        refused = client.post(action(incident, "resolve"), {"text": "  "})
        assert refused.status_code == 400 and "outcome" in refused.context["action_error"].lower()
        assert client.post(action(incident, "resolve"), {"text": "劝离，家属带回"}).status_code == 302
        assert client.post(action(incident, "close")).status_code == 302
        incident.refresh_from_db()
        team.refresh_from_db()
        assert incident.status == IncidentStatus.CLOSED and incident.outcome == "劝离，家属带回"
        assert team.duty_state == DutyState.RETURNING
        html = client.get(detail(incident)).content.decode()
        assert html.count('class="list-group-item timeline-event"') == 5
        assert 'data-interval="response"' in html

    def test_cancel_needs_a_reason(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        assert client.post(action(incident, "cancel"), {"text": ""}).status_code == 400
        assert client.post(action(incident, "cancel"), {"text": "重复报警"}).status_code == 302
        assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.CANCELLED

    def test_a_note_is_added_to_the_timeline_and_an_empty_one_is_an_error(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        url = reverse("incidents:incident_note", args=[incident.pk])
        response = client.post(url, {"text": ""})
        assert response.status_code == 400 and response.context["note_form"].errors
        assert client.post(url, {"text": "家属已到场"}).status_code == 302
        assert incident.events.filter(kind=EventKind.NOTE, text="家属已到场").exists()

    def test_a_hazard_near_the_incident_is_shown_as_a_warning(self, client, duty_officer, report, circle):
        HazardFactory(station=circle.station, title="湖边护栏缺失", lat=INSIDE_A[0], lng=INSIDE_A[1])
        incident = report()
        client.force_login(duty_officer)
        html = client.get(detail(incident)).content.decode()
        assert 'id="hazard-warning"' in html and "湖边护栏缺失" in html


# --- involved persons ------------------------------------------------------------------------------


@pytest.mark.django_db
class InvolvedPersonPageTests:
    def test_a_bad_id_number_is_a_form_error_and_saves_nothing(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        response = client.post(
            reverse("incidents:person_add", args=[incident.pk]),
            {"role": "suspect", "name": "李四", "id_number": "110105194912310021"},
        )
        assert response.status_code == 400
        errors = response.context["person_form"].errors["id_number"]
        assert "check character" in " ".join(errors)
        assert "check character" in response.content.decode()
        assert not InvolvedPerson.objects.exists()

    def test_a_person_is_added_and_shown_masked(self, client, duty_officer, report):
        incident = report()
        client.force_login(duty_officer)
        response = client.post(
            reverse("incidents:person_add", args=[incident.pk]),
            {"role": "victim", "name": "王五", "phone": "13812345678", "id_number": VALID_ID.lower()},
        )
        assert response.status_code == 302
        person = InvolvedPerson.objects.get()
        assert person.id_number == VALID_ID
        html = client.get(detail(incident)).content.decode()
        assert "138****5678" in html and "13812345678" not in html and VALID_ID not in html

    def test_a_reveal_shows_the_value_and_is_logged(self, client, commander, report):
        incident = report()
        person = InvolvedPersonFactory(incident=incident)
        client.force_login(commander)
        url = reverse("incidents:person_reveal", args=[person.pk])
        response = client.post(url, {"field": "id_number", "reason": "核实身份"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert person.id_number in response.content.decode()
        log = AccessLog.objects.get()
        assert (log.user, log.fields, log.reason, log.object_id) == (
            commander,
            "id_number",
            "核实身份",
            str(person.pk),
        )

    def test_a_duty_officer_without_the_reveal_permission_cannot_reveal(self, client, duty_officer, report):
        person = InvolvedPersonFactory(incident=report())
        client.force_login(duty_officer)
        url = reverse("incidents:person_reveal", args=[person.pk])
        assert client.post(url, {"field": "phone", "reason": "x"}).status_code == 403
        assert not AccessLog.objects.exists()

    def test_an_edit_keeps_the_masked_values_left_empty(self, client, duty_officer, report):
        person = InvolvedPersonFactory(incident=report())
        client.force_login(duty_officer)
        url = reverse("incidents:person_update", args=[person.pk])
        page = client.get(url).content.decode()
        assert person.phone not in page
        response = client.post(url, {"role": "witness", "name": person.name, "phone": "", "id_number": ""})
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.role == "witness" and person.phone == "13812345678" and person.id_number == VALID_ID
        bad = client.post(url, {"role": "witness", "name": person.name, "id_number": "123"})
        assert bad.status_code == 400 and bad.context["form"].errors["id_number"]

    def test_a_person_is_removed_with_an_event(self, client, duty_officer, report):
        incident = report()
        person = person_add(incident=incident, by=duty_officer, role="witness", name="赵六")
        client.force_login(duty_officer)
        assert client.post(reverse("incidents:person_remove", args=[person.pk])).status_code == 302
        assert not InvolvedPerson.objects.exists()
        assert incident.events.filter(kind=EventKind.PERSON, text__contains="赵六").count() == 2


# --- duty board ----------------------------------------------------------------------------------


@pytest.mark.django_db
class DutyBoardTests:
    def test_the_board_shows_each_team_its_state_and_its_open_incident(
        self, client, duty_officer, report, team, team2, other_station
    ):
        incident = report()
        incident_dispatch(incident=incident, team=team, by=duty_officer)
        stranger = TeamFactory(station=other_station, circle__station=other_station, name="别处巡防队")
        client.force_login(duty_officer)
        response = client.get(reverse("incidents:duty_board"))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'hx-trigger="every 20s"' in html
        assert team.name in html and team2.name in html and stranger.name not in html
        assert incident.number in html and detail(incident) in html
        assert f'data-team="{team.pk}" data-state="responding"' in html

    def test_an_htmx_poll_gets_the_table_only(self, client, duty_officer, team):
        client.force_login(duty_officer)
        response = client.get(reverse("incidents:duty_board"), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert 'id="duty-table"' in html and "<html" not in html


# --- the map layer ---------------------------------------------------------------------------------


@pytest.mark.django_db
class IncidentGeoJSONTests:
    def test_features_are_lon_lat_with_a_link_and_only_visible_ones(self, client, commander, report, other_station):
        incident = report()
        IncidentFactory(station=other_station)
        client.force_login(commander)
        response = client.get(reverse("incidents:incident_geojson"))
        assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
        data = response.json()
        assert data["type"] == "FeatureCollection" and len(data["features"]) == 1
        feature = data["features"][0]
        assert feature["geometry"]["coordinates"] == [round(INSIDE_A[1], 7), round(INSIDE_A[0], 7)]
        assert feature["properties"]["url"] == detail(incident)
        assert feature["properties"]["number"] == incident.number

    def test_the_period_filters_by_occurrence(self, client, commander, station):
        now = timezone.now()
        recent = IncidentFactory(station=station, reported_at=now - timedelta(hours=2))
        old = IncidentFactory(station=station, reported_at=now - timedelta(days=10))
        client.force_login(commander)
        url = reverse("incidents:incident_geojson")

        def numbers(period):
            return {f["properties"]["number"] for f in client.get(url, {"period": period}).json()["features"]}

        assert numbers("24h") == {recent.number}
        assert numbers("30d") == {recent.number, old.number}
        assert client.get(url, {"period": "1y"}).status_code == 400
        assert client.get(url, {"bbox": "bad"}).status_code == 400

    def test_the_query_count_does_not_grow_with_the_rows(self, client, commander, station, django_assert_num_queries):
        IncidentFactory(station=station)
        client.force_login(commander)
        url = reverse("incidents:incident_geojson")
        client.get(url)
        IncidentFactory.create_batch(40, station=station)
        # the session, the user, their permissions (2) and roles, the features (one query, however many),
        # and the session saved again (savepoint, update, release: it is saved on every request)
        with django_assert_num_queries(9):
            response = client.get(url)
        assert len(response.json()["features"]) == 41

    def test_the_map_page_passes_the_incidents_layer(self, client, commander):
        client.force_login(commander)
        response = client.get("/map/")
        config = response.context["map_config"]
        assert config["incidents"]["url"] == reverse("incidents:incident_geojson")
        assert [p[0] for p in config["incidents"]["periods"]] == ["24h", "7d", "30d"]
        assert "leaflet.markercluster.js" in response.content.decode()


# --- admin -----------------------------------------------------------------------------------------


@pytest.mark.django_db
class IncidentAdminTests:
    def test_the_admin_lists_incidents_in_scope_read_only(self, client, commander, report, other_station):
        own = report()
        other = IncidentFactory(station=other_station)
        commander.is_staff = True
        commander.save()
        client.force_login(commander)
        html = client.get("/admin/incidents/incident/").content.decode()
        assert own.number in html and other.number not in html
        page = client.get(f"/admin/incidents/incident/{own.pk}/change/")
        assert page.status_code == 200
        assert "广场出口醉酒男子滋事" in page.content.decode()
        assert client.get(f"/admin/incidents/incident/{other.pk}/change/").status_code in (302, 404)
        assert client.get("/admin/incidents/incident/add/").status_code == 403
