"""Multi-step writes of the patrol network. Views, forms, the API and commands call these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import geo
from portal.audit import audited

from .choices import DUTY_TRANSITIONS, DutyState
from .models import PatrolTeam, TeamStateChange


@audited
@transaction.atomic
def team_set_duty_state(*, team: PatrolTeam, state: str, by, note: str = "", force: bool = False) -> PatrolTeam:
    """Move a team to another duty state, recording who and when.

    A move outside DUTY_TRANSITIONS is refused with a clear message unless `force` is given (a
    commander correcting the board). The row is locked so two dispatchers can't race.
    """
    team = PatrolTeam.objects.select_for_update().get(pk=team.pk)
    if state not in DutyState.values:
        raise ValidationError(_("Unknown duty state: %(state)s."), params={"state": state})
    if state == team.duty_state:
        return team
    if not force and state not in DUTY_TRANSITIONS[team.duty_state]:
        raise ValidationError(
            _("A team that is %(current)s can't become %(new)s."),
            params={"current": DutyState(team.duty_state).label, "new": DutyState(state).label},
        )
    now = timezone.now()
    TeamStateChange.objects.create(team=team, from_state=team.duty_state, to_state=state, at=now, by=by, note=note)
    team.duty_state = state
    team.state_changed_at = now
    team.save(update_fields=["duty_state", "state_changed_at"])
    return team


@transaction.atomic
def team_report_position(*, team: PatrolTeam, lat: float, lng: float, at=None) -> PatrolTeam:
    """Record a team's current position (validated against the sub-bureau's bounds)."""
    lat, lng = geo.validate_point(lat, lng)
    PatrolTeam.objects.filter(pk=team.pk).update(last_lat=lat, last_lng=lng, last_position_at=at or timezone.now())
    team.refresh_from_db()
    return team
