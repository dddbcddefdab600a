"""The incident services: placement, numbering, the lifecycle, dispatch, concurrent edits and audit."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.choices import EventKind, IncidentStatus
from incidents.models import Assignment, Incident, IncidentCounter, IncidentEvent
from incidents.services import (
    StaleIncidentError,
    dispatch_suggestions,
    incident_add_note,
    incident_arrive,
    incident_cancel,
    incident_close,
    incident_dispatch,
    incident_mark_en_route,
    incident_placement,
    incident_resolve,
    incident_transfer,
    incident_update,
)
from patrols.choices import DutyState
from patrols.models import TeamStateChange
from tests.factories import TeamFactory
from tests.incidents.conftest import INSIDE_A, INSIDE_B, OUTSIDE, on_patrol

pytestmark = pytest.mark.django_db


def kinds(incident):
    return list(incident.events.values_list("kind", "to_status"))


class PlacementTests:
    def test_a_point_inside_circle_a_is_placed_in_circle_a_and_its_station(self, report, circle, circle_b):
        incident = report(at=INSIDE_A)
        assert (incident.circle, incident.station) == (circle, circle.station)
        assert incident.placement_override_reason == ""

    def test_a_point_inside_circle_b_gets_circle_b_and_the_other_station(self, report, circle, circle_b):
        incident = report(at=INSIDE_B)
        assert (incident.circle, incident.station) == (circle_b, circle_b.station)

    def test_outside_every_circle_there_is_no_circle_and_the_nearest_station(self, report, circle, far_station):
        incident = report(at=OUTSIDE)
        assert incident.circle is None
        assert incident.station == far_station

    def test_an_inactive_circle_places_nothing(self, report, circle):
        circle.is_active = False
        circle.save()
        assert incident_placement(lat=INSIDE_A[0], lng=INSIDE_A[1]).circle is None

    def test_an_override_needs_a_reason(self, report, circle, circle_b):
        with pytest.raises(ValidationError) as caught:
            report(at=INSIDE_A, circle=circle_b)
        assert "override_reason" in caught.value.message_dict
        assert not Incident.objects.exists()

    def test_an_override_with_a_reason_is_kept_and_put_on_the_timeline(self, report, circle, circle_b):
        incident = report(at=INSIDE_A, circle=circle_b, override_reason="警情发生在两圈交界，由工业圈处置")
        assert (incident.circle, incident.station) == (circle_b, circle_b.station)
        assert incident.placement_override_reason == "警情发生在两圈交界，由工业圈处置"
        override = incident.events.get(kind=EventKind.OVERRIDE)
        assert override.text == incident.placement_override_reason
        assert override.changes["circle"] == [str(circle), str(circle_b)]

    def test_choosing_the_derived_placement_is_no_override(self, report, circle):
        incident = report(at=INSIDE_A, station=circle.station)
        assert incident.circle == circle
        assert not incident.events.filter(kind=EventKind.OVERRIDE).exists()

    def test_a_circle_of_another_station_than_the_one_chosen_is_refused(self, report, circle, circle_b):
        with pytest.raises(ValidationError) as caught:
            report(at=INSIDE_A, circle=circle_b, station=circle.station, override_reason="x")
        assert "circle" in caught.value.message_dict

    def test_a_point_outside_the_sub_bureau_is_refused(self, report, circle):
        with pytest.raises(ValidationError) as caught:
            report(at=(39.9, 116.4))
        assert "lat" in caught.value.message_dict
        assert not Incident.objects.exists()

    def test_an_incident_cannot_occur_after_it_is_reported(self, report, circle):
        with pytest.raises(ValidationError) as caught:
            report(occurred_at=timezone.now() + timedelta(hours=1))
        assert "occurred_at" in caught.value.message_dict


class NumberTests:
    def test_numbers_are_prefixed_by_the_sub_bureau_and_count_up_per_year(self, report, circle):
        first, second = report(), report()
        year = timezone.localtime(first.reported_at).year
        assert first.number == f"DQ-{year}-000001"
        assert second.number == f"DQ-{year}-000002"
        assert IncidentCounter.objects.get(year=year).last == 2

    def test_a_new_year_starts_again_at_one(self, report, circle):
        report()
        last_year = timezone.now() - timedelta(days=400)
        old = report(reported_at=last_year, occurred_at=last_year - timedelta(minutes=1))
        assert old.number == f"DQ-{timezone.localtime(last_year).year}-000001"

    def test_the_year_is_the_local_year_of_the_report(self, report, circle):
        # 31 Dec 2025 17:00 UTC is 1 Jan 2026 01:00 in Shanghai
        at = timezone.make_aware(timezone.datetime(2025, 12, 31, 17, 0), timezone=timezone.get_fixed_timezone(0))
        incident = report(reported_at=at, occurred_at=at)
        assert incident.number == "DQ-2026-000001" and incident.year == 2026

    def test_a_refused_report_uses_no_number(self, report, circle):
        with pytest.raises(ValidationError):
            report(summary="")
        assert report().sequence == 1


class LifecycleTests:
    def test_report_dispatch_arrive_resolve_makes_four_events_with_actor(self, report, team, duty_officer):
        incident = report()
        incident = incident_dispatch(incident=incident, team=team, by=duty_officer)
        incident = incident_arrive(incident=incident, team=team, by=duty_officer)
        incident = incident_resolve(incident=incident, by=duty_officer, outcome="经家属同意带至警务室醒酒")
        assert incident.status == IncidentStatus.RESOLVED
        assert kinds(incident) == [
            (EventKind.TRANSITION, IncidentStatus.REPORTED),
            (EventKind.TRANSITION, IncidentStatus.DISPATCHED),
            (EventKind.TRANSITION, IncidentStatus.ON_SCENE),
            (EventKind.TRANSITION, IncidentStatus.RESOLVED),
        ]
        assert set(incident.events.values_list("actor", flat=True)) == {duty_officer.pk}
        assert incident.outcome == "经家属同意带至警务室醒酒"

    def test_stage_times_and_intervals_follow_the_definitions(self, report, team, duty_officer):
        now = timezone.now()
        incident = report(reported_at=now - timedelta(minutes=30), occurred_at=now - timedelta(minutes=31))
        incident = incident_dispatch(incident=incident, team=team, by=duty_officer, at=now - timedelta(minutes=28))
        incident = incident_mark_en_route(incident=incident, by=duty_officer, at=now - timedelta(minutes=27))
        incident = incident_arrive(incident=incident, team=team, by=duty_officer, at=now - timedelta(minutes=20))
        incident = incident_resolve(incident=incident, by=duty_officer, outcome="ok", at=now - timedelta(minutes=5))
        assert incident.queue_time == timedelta(minutes=2)
        assert incident.travel_time == timedelta(minutes=8)
        assert incident.response_time == timedelta(minutes=10)
        assert incident.on_scene_time == timedelta(minutes=15)
        incident = incident_close(incident=incident, by=duty_officer)
        assert incident.closed_at is not None and incident.status == IncidentStatus.CLOSED

    def test_a_patrol_that_discovers_an_incident_arrives_without_a_dispatch(self, report, team, duty_officer):
        incident = incident_arrive(incident=report(), team=team, by=duty_officer)
        assert incident.status == IncidentStatus.ON_SCENE
        assert incident.first_dispatched_at is None
        assert incident.travel_time is None and incident.queue_time is None
        assert incident.response_time is not None
        assignment = Assignment.objects.get(incident=incident)
        assert assignment.dispatched_at is None and assignment.arrived_at == incident.first_arrived_at

    def test_a_walk_in_help_request_may_be_resolved_at_the_desk(self, report, circle, duty_officer):
        incident = incident_resolve(incident=report(), by=duty_officer, outcome="当场解答")
        assert incident.first_arrived_at is None and incident.on_scene_time is None

    @pytest.mark.parametrize("action", ["close", "en_route", "resolve"])
    def test_an_illegal_transition_is_refused_and_changes_nothing(self, report, circle, duty_officer, action):
        incident = report()
        before = (incident.status, incident.version, incident.events.count())
        call = {
            "close": lambda: incident_close(incident=incident, by=duty_officer),
            "en_route": lambda: incident_mark_en_route(incident=incident, by=duty_officer),
            "resolve": lambda: incident_resolve(incident=incident, by=duty_officer, outcome=""),
        }[action]
        with pytest.raises(ValidationError):
            call()
        incident.refresh_from_db()
        assert (incident.status, incident.version, incident.events.count()) == before

    def test_closing_a_closed_incident_is_refused_with_a_clear_message(self, report, circle, duty_officer):
        incident = incident_resolve(incident=report(), by=duty_officer, outcome="ok")
        incident = incident_close(incident=incident, by=duty_officer)
        with pytest.raises(ValidationError) as caught:
            incident_close(incident=incident, by=duty_officer)
        assert incident.number in caught.value.messages[0] and "Closed" in caught.value.messages[0]

    def test_cancel_and_transfer_need_a_reason_and_clear_the_teams(self, report, team, duty_officer):
        incident = incident_dispatch(incident=report(), team=team, by=duty_officer)
        with pytest.raises(ValidationError):
            incident_cancel(incident=incident, by=duty_officer, reason=" ")
        incident = incident_cancel(incident=incident, by=duty_officer, reason="重复报警")
        assert incident.status == IncidentStatus.CANCELLED
        assert not Assignment.objects.active().exists()
        team.refresh_from_db()
        assert team.duty_state == DutyState.RETURNING
        other = incident_transfer(incident=report(), by=duty_officer, reason="移交刑侦大队")
        assert other.events.last().text == "移交刑侦大队"

    def test_a_resolved_incident_cannot_be_cancelled(self, report, circle, duty_officer):
        incident = incident_resolve(incident=report(), by=duty_officer, outcome="ok")
        with pytest.raises(ValidationError):
            incident_cancel(incident=incident, by=duty_officer, reason="x")

    def test_a_step_cannot_be_back_dated_before_the_previous_one(self, report, team, duty_officer):
        incident = incident_dispatch(incident=report(), team=team, by=duty_officer)
        with pytest.raises(ValidationError) as caught:
            incident_arrive(incident=incident, team=team, by=duty_officer, at=incident.reported_at - timedelta(1))
        assert "at" in caught.value.message_dict

    def test_notes_are_added_at_any_status_without_a_new_version(self, report, circle, duty_officer):
        incident = incident_cancel(incident=report(), by=duty_officer, reason="误报")
        event = incident_add_note(incident=incident, by=duty_officer, text="报警人来电致歉")
        assert event.kind == EventKind.NOTE and event.actor == duty_officer
        incident.refresh_from_db()
        assert incident.version == event.version


class DispatchTests:
    def test_the_team_moves_in_step_responding_on_scene_returning(self, report, team, duty_officer):
        incident = incident_dispatch(incident=report(), team=team, by=duty_officer)
        team.refresh_from_db()
        assert team.duty_state == DutyState.RESPONDING
        incident = incident_arrive(incident=incident, by=duty_officer)  # the only dispatched team
        team.refresh_from_db()
        assert team.duty_state == DutyState.ON_SCENE
        incident_resolve(incident=incident, by=duty_officer, outcome="ok")
        team.refresh_from_db()
        assert team.duty_state == DutyState.RETURNING
        changes = list(TeamStateChange.objects.filter(team=team).order_by("at", "pk").values_list("to_state", "by"))
        assert changes[-3:] == [
            (DutyState.RESPONDING, duty_officer.pk),
            (DutyState.ON_SCENE, duty_officer.pk),
            (DutyState.RETURNING, duty_officer.pk),
        ]

    def test_a_team_on_another_open_incident_is_refused_without_override(self, report, team, duty_officer):
        first = incident_dispatch(incident=report(), team=team, by=duty_officer)
        second = report()
        with pytest.raises(ValidationError) as caught:
            incident_dispatch(incident=second, team=team, by=duty_officer)
        assert first.number in caught.value.message_dict["team"][0]
        second.refresh_from_db()
        assert second.status == IncidentStatus.REPORTED and second.events.count() == 1
        second = incident_dispatch(incident=second, team=team, by=duty_officer, override=True)
        assert second.status == IncidentStatus.DISPATCHED
        assert first.number in Assignment.objects.get(incident=second).override_note

    def test_resolving_one_of_two_incidents_keeps_the_team_responding(self, report, team, duty_officer):
        first = incident_dispatch(incident=report(), team=team, by=duty_officer)
        incident_dispatch(incident=report(), team=team, by=duty_officer, override=True)
        incident_cancel(incident=first, by=duty_officer, reason="重复")
        team.refresh_from_db()
        assert team.duty_state == DutyState.RESPONDING

    def test_an_off_duty_team_is_refused_without_override(self, report, circle, duty_officer):
        team = TeamFactory(station=circle.station, circle=circle)
        incident = report()
        with pytest.raises(ValidationError):
            incident_dispatch(incident=incident, team=team, by=duty_officer)
        incident = incident_dispatch(incident=incident, team=team, by=duty_officer, override=True)
        team.refresh_from_db()
        assert team.duty_state == DutyState.RESPONDING

    def test_the_same_team_cannot_be_assigned_twice(self, report, team, duty_officer):
        incident = incident_dispatch(incident=report(), team=team, by=duty_officer)
        with pytest.raises(ValidationError):
            incident_dispatch(incident=incident, team=team, by=duty_officer, override=True)

    def test_a_second_team_is_an_assignment_and_keeps_the_first_dispatch_time(self, report, team, team2, duty_officer):
        incident = incident_dispatch(incident=report(), team=team, by=duty_officer)
        first = incident.first_dispatched_at
        incident = incident_dispatch(incident=incident, team=team2, by=duty_officer)
        assert incident.status == IncidentStatus.DISPATCHED and incident.first_dispatched_at == first
        assert incident.events.last().kind == EventKind.ASSIGNMENT
        assert set(incident.teams.all()) == {team, team2}

    def test_reinforcement_after_a_discovery_does_not_back_fill_the_dispatch(self, report, team, team2, duty_officer):
        incident = incident_arrive(incident=report(), team=team, by=duty_officer)
        incident = incident_dispatch(incident=incident, team=team2, by=duty_officer)
        incident = incident_arrive(incident=incident, team=team2, by=duty_officer)
        assert incident.first_dispatched_at is None and incident.status == IncidentStatus.ON_SCENE

    def test_suggestions_prefer_the_circle_then_patrolling_then_distance(
        self, report, circle, circle_b, commander, duty_officer
    ):
        near_busy = on_patrol(
            TeamFactory(station=circle.station, circle=circle, name="近但忙"), commander, (26.6613, 119.5524)
        )
        far_patrolling = on_patrol(
            TeamFactory(station=circle.station, circle=circle, name="远且巡逻"), commander, (26.6580, 119.5470)
        )
        near_patrolling = on_patrol(
            TeamFactory(station=circle.station, circle=circle, name="近且巡逻"), commander, (26.6620, 119.5530)
        )
        off_duty = TeamFactory(station=circle.station, circle=circle, name="下班")
        other_circle = on_patrol(
            TeamFactory(station=circle_b.station, circle=circle_b, name="别圈"), commander, (26.6612, 119.5523)
        )
        incident_dispatch(incident=report(), team=near_busy, by=duty_officer)
        incident = report()
        suggestions = dispatch_suggestions(incident=incident)
        assert [s.team for s in suggestions] == [near_patrolling, far_patrolling, near_busy, off_duty, other_circle]
        assert suggestions[0].distance_m == pytest.approx(116, abs=10)
        assert suggestions[0].available and not suggestions[2].available and suggestions[2].busy_with
        assert suggestions[3].distance_m is None  # no position, no base post
        station_only = dispatch_suggestions(incident=incident, user=duty_officer)
        assert other_circle not in [s.team for s in station_only]

    def test_a_base_post_is_the_position_of_a_team_that_never_reported_one(self, report, circle, commander):
        from tests.factories import PostFactory

        post = PostFactory(station=circle.station, lat=26.6650, lng=119.5523)
        team = on_patrol(TeamFactory(station=circle.station, circle=circle, base_post=post), commander)
        [suggestion] = dispatch_suggestions(incident=report())
        assert suggestion.team == team and suggestion.distance_m == pytest.approx(422, abs=5)


class ConcurrentEditTests:
    def test_an_edit_over_the_current_version_is_saved_with_an_edit_event(self, report, circle, duty_officer):
        incident = report()
        incident = incident_update(
            incident=incident,
            by=duty_officer,
            expected_version=1,
            summary="新摘要",
            description="补充说明",
            category=incident.category,
        )
        assert (incident.version, incident.summary) == (2, "新摘要")
        event = incident.events.last()
        assert event.kind == EventKind.EDIT and set(event.changes) == {"summary", "description"}

    def test_an_edit_over_an_old_version_is_refused_naming_what_changed_and_who(
        self, report, team, commander, duty_officer
    ):
        incident = report()
        incident_update(incident=incident, by=commander, expected_version=1, priority="P1", address="广场北门")
        incident_dispatch(incident=incident, team=team, by=commander)
        with pytest.raises(StaleIncidentError) as caught:
            incident_update(incident=incident, by=duty_officer, expected_version=1, summary="我的修改")
        error = caught.value
        assert set(error.changed_fields) == {"priority", "address", "status", "teams"}
        assert "priority" in error.messages[0] and str(commander) in error.messages[0]
        incident.refresh_from_db()
        assert incident.summary != "我的修改"

    def test_an_edit_that_changes_nothing_makes_no_version(self, report, circle, duty_officer):
        incident = report()
        incident = incident_update(incident=incident, by=duty_officer, expected_version=1, summary=incident.summary)
        assert incident.version == 1 and incident.events.count() == 1

    def test_moving_the_point_places_the_incident_again(self, report, circle, circle_b, duty_officer):
        incident = incident_update(
            incident=report(), by=duty_officer, expected_version=1, lat=INSIDE_B[0], lng=INSIDE_B[1]
        )
        assert incident.circle == circle_b and incident.station == circle_b.station

    def test_status_is_not_editable(self, report, circle, duty_officer):
        with pytest.raises(TypeError):
            incident_update(incident=report(), by=duty_officer, expected_version=1, status="closed")


class AuditTests:
    def test_changes_are_audited_with_the_actor_outside_a_request(self, report, team, duty_officer):
        incident = incident_dispatch(incident=report(), team=team, by=duty_officer)
        entries = LogEntry.objects.get_for_object(incident)
        assert entries.count() == 2
        assert set(entries.values_list("actor", flat=True)) == {duty_officer.pk}
        assert "status" in entries.latest("timestamp").changes_dict
        assignment = Assignment.objects.get(incident=incident)
        assert LogEntry.objects.get_for_object(assignment).get().actor == duty_officer
        team_entry = LogEntry.objects.get_for_object(team).filter(changes__icontains="responding").get()
        assert team_entry.actor == duty_officer


class TimelineTests:
    def test_events_cannot_be_changed_or_deleted(self, report, circle):
        event = report().events.get()
        event.text = "篡改"
        with pytest.raises(ValidationError):
            event.save()
        with pytest.raises(ValidationError):
            event.delete()
        with pytest.raises(ValidationError):
            IncidentEvent.objects.all().update(text="篡改")
        with pytest.raises(ValidationError):
            IncidentEvent.objects.all().delete()


def test_a_commander_of_another_station_sees_none_of_this(report, circle, other_commander):
    incident = report()
    assert not Incident.objects.visible_to(other_commander).filter(pk=incident.pk).exists()


class RequestActorTests:
    def test_a_service_inside_a_request_leaves_the_requests_actor_in_place(
        self, report, circle, commander, duty_officer
    ):
        """auditlog's set_actor would otherwise leave its own context behind for the rest of the request."""
        from auditlog.context import set_extra_data

        from tests.factories import HazardFactory

        with set_extra_data(context_data={"actor": commander}):
            incident = report(by=duty_officer)
            hazard = HazardFactory(station=circle.station)
        assert LogEntry.objects.get_for_object(incident).get().actor == duty_officer
        assert LogEntry.objects.get_for_object(hazard).get().actor == commander
