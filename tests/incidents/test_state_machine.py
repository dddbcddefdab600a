"""Property-based test of the incident state machine (hypothesis): random sequences of service calls.

Whatever the sequence, no call reaches an illegal state, every successful call adds exactly one
timeline event, a refused call changes nothing (no event, no field, no team state, no
assignment), stage times are set once and never back-filled, and the teams stay in step.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incidents import services
from incidents.choices import INCIDENT_TRANSITIONS, OPEN_STATUSES, EventKind, IncidentStatus
from incidents.models import Assignment, Incident
from patrols.choices import DutyState
from patrols.models import PatrolTeam

pytestmark = pytest.mark.django_db

STAGES = ("first_dispatched_at", "first_arrived_at", "resolved_at", "closed_at")
ACTIONS = st.sampled_from(
    [
        "dispatch",
        "dispatch_override",
        "en_route",
        "arrive",
        "arrive_team",
        "resolve",
        "resolve_no_outcome",
        "close",
        "cancel",
        "transfer",
        "note",
        "edit",
        "edit_stale",
    ]
)


def snapshot(incident_pk: int, teams: list[PatrolTeam]) -> tuple:
    row = Incident.objects.values().get(pk=incident_pk)
    row.pop("updated_at")  # moved on by notes, which change no field
    states = tuple(
        PatrolTeam.objects.filter(pk__in=[t.pk for t in teams]).order_by("pk").values_list("duty_state", flat=True)
    )
    assignments = tuple(
        Assignment.objects.filter(incident_id=incident_pk)
        .order_by("pk")
        .values_list("team_id", "dispatched_at", "arrived_at", "cleared_at")
    )
    return row, states, assignments


def call(action: str, incident: Incident, team: PatrolTeam, by) -> None:
    if action == "dispatch":
        services.incident_dispatch(incident=incident, team=team, by=by)
    elif action == "dispatch_override":
        services.incident_dispatch(incident=incident, team=team, by=by, override=True)
    elif action == "en_route":
        services.incident_mark_en_route(incident=incident, by=by)
    elif action == "arrive":
        services.incident_arrive(incident=incident, by=by)
    elif action == "arrive_team":
        services.incident_arrive(incident=incident, team=team, by=by)
    elif action == "resolve":
        services.incident_resolve(incident=incident, by=by, outcome="处置完毕")
    elif action == "resolve_no_outcome":
        services.incident_resolve(incident=incident, by=by, outcome="")
    elif action == "close":
        services.incident_close(incident=incident, by=by)
    elif action == "cancel":
        services.incident_cancel(incident=incident, by=by, reason="误报")
    elif action == "transfer":
        services.incident_transfer(incident=incident, by=by, reason="移交")
    elif action == "note":
        services.incident_add_note(incident=incident, by=by, text="备注")
    elif action == "edit":
        services.incident_update(
            incident=incident, by=by, expected_version=incident.version, description=f"v{incident.version}"
        )
    elif action == "edit_stale":
        services.incident_update(incident=incident, by=by, expected_version=incident.version - 1, summary="过期")


@settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=st.lists(st.tuples(ACTIONS, st.integers(min_value=0, max_value=2)), min_size=1, max_size=14))
def test_no_sequence_of_calls_breaks_the_lifecycle(steps, report, team, team2, commander, duty_officer):
    from tests.factories import TeamFactory

    with transaction.atomic():
        spare = TeamFactory(station=team.station, circle=team.circle)  # off duty: refused unless overridden
        teams = [team, team2, spare]
        incident = report()
        other = report()  # a second open incident, so that teams can be busy elsewhere
        services.incident_dispatch(incident=other, team=team2, by=commander)
        events = incident.events.count()
        seen_stages: dict[str, object] = {}
        for action, index in steps:
            before = snapshot(incident.pk, teams)
            try:
                call(action, incident, teams[index], duty_officer)
            except ValidationError:
                assert snapshot(incident.pk, teams) == before, f"refused {action} changed something"
                assert incident.events.count() == events, f"refused {action} added an event"
                continue
            fresh = Incident.objects.get(pk=incident.pk)
            assert fresh.events.count() == events + 1, f"{action} did not add exactly one event"
            events += 1
            last = fresh.events.last()
            if fresh.status != incident.status:
                assert fresh.status in INCIDENT_TRANSITIONS[incident.status]
                assert (last.kind, last.from_status, last.to_status) == (
                    EventKind.TRANSITION,
                    incident.status,
                    fresh.status,
                )
            else:
                assert last.to_status == ""
            fresh.full_clean()  # every model rule still holds
            for stage in STAGES:  # set once, never moved, never back-filled
                value = getattr(fresh, stage)
                if stage in seen_stages:
                    assert value == seen_stages[stage], f"{stage} moved"
                elif value is not None:
                    seen_stages[stage] = value
            transitions = set(fresh.events.filter(kind=EventKind.TRANSITION).values_list("to_status", flat=True))
            assert (fresh.first_dispatched_at is not None) == (IncidentStatus.DISPATCHED in transitions)
            assert (fresh.first_arrived_at is not None) == (IncidentStatus.ON_SCENE in transitions)
            if fresh.status not in OPEN_STATUSES:
                assert not fresh.assignments.active().exists()
            for t in PatrolTeam.objects.filter(pk__in=[x.pk for x in teams]):
                if Assignment.objects.active().filter(team=t, incident__status__in=OPEN_STATUSES).exists():
                    assert t.duty_state in (DutyState.RESPONDING, DutyState.ON_SCENE), (action, t.duty_state)
            event(f"reached {fresh.status}")
            incident = fresh
        transaction.set_rollback(True)
