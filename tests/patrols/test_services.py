"""Team duty state changes only through the service, which records who and when."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from patrols.choices import DutyState
from patrols.models import TeamStateChange
from patrols.services import team_report_position, team_set_duty_state
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


class DutyStateTests:
    def test_going_on_patrol_records_who_and_when(self, commander):
        team = TeamFactory(station=commander.station)
        team = team_set_duty_state(team=team, state=DutyState.PATROLLING, by=commander)
        assert team.duty_state == DutyState.PATROLLING
        change = TeamStateChange.objects.get(team=team)
        assert (change.from_state, change.to_state, change.by) == (DutyState.OFF_DUTY, DutyState.PATROLLING, commander)
        assert team.state_changed_at == change.at

    def test_the_full_cycle_patrol_respond_scene_return(self, commander):
        team = TeamFactory(station=commander.station)
        for state in (
            DutyState.PATROLLING,
            DutyState.RESPONDING,
            DutyState.ON_SCENE,
            DutyState.RETURNING,
            DutyState.PATROLLING,
        ):
            team = team_set_duty_state(team=team, state=state, by=commander)
        assert TeamStateChange.objects.filter(team=team).count() == 5

    def test_an_off_duty_team_cannot_jump_to_on_scene_and_nothing_changes(self, commander):
        team = TeamFactory(station=commander.station)
        with pytest.raises(ValidationError):
            team_set_duty_state(team=team, state=DutyState.ON_SCENE, by=commander)
        team.refresh_from_db()
        assert team.duty_state == DutyState.OFF_DUTY
        assert not TeamStateChange.objects.exists()

    def test_a_commander_may_force_a_correction(self, commander):
        team = TeamFactory(station=commander.station)
        team = team_set_duty_state(team=team, state=DutyState.ON_SCENE, by=commander, force=True, note="纠正")
        assert team.duty_state == DutyState.ON_SCENE

    def test_an_unknown_state_is_refused(self, commander):
        with pytest.raises(ValidationError):
            team_set_duty_state(team=TeamFactory(), state="sleeping", by=commander)

    def test_state_changes_are_audited_with_the_actor_even_outside_a_request(self, commander):
        team = TeamFactory(station=commander.station)
        team_set_duty_state(team=team, state=DutyState.PATROLLING, by=commander)
        entry = LogEntry.objects.get_for_object(team).filter(action=LogEntry.Action.UPDATE).get()
        assert entry.actor == commander

    def test_a_position_outside_the_bounds_is_refused(self):
        team = TeamFactory()
        with pytest.raises(ValidationError):
            team_report_position(team=team, lat=39.9, lng=116.4)
        team = team_report_position(team=team, lat=26.6612, lng=119.5523)
        assert team.position == (26.6612, 119.5523)
