"""A small, fixed party organisation with patrol shifts and incidents whose credited figures are worked out by hand."""

from dataclasses import dataclass
from datetime import datetime

import pytest
from django.utils import timezone

from incidents.choices import IncidentStatus
from incidents.models import Assignment
from tests.factories import (
    CircleFactory,
    IncidentFactory,
    MemberFactory,
    PartyBranchFactory,
    PartyGroupFactory,
    PartyMemberFactory,
    ShiftFactory,
    TeamFactory,
    square,
)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


@dataclass
class Party:
    branch: object
    other_branch: object
    group: object
    team_a: object
    team_b: object
    p1: object
    p2: object
    non_party: object
    other_pm: object
    incidents: dict


def resolved_incident(station, reported, resolved, **kwargs):
    return IncidentFactory(
        station=station,
        status=IncidentStatus.RESOLVED,
        reported_at=reported,
        resolved_at=resolved,
        **kwargs,
    )


@pytest.fixture
def party(station, other_station) -> Party:
    """Station (五里亭) with team A (party group) and team B, party members P1 (team A) and P2 (team B),
    a non-party member N (team A); another station with its own party member and shift.

    Shifts (local time): A1 team A 2025-03-01 08:00-12:00 led by P1 (4 h); A2 team A 2025-03-02 08:00-14:00
    led by N (6 h); A3 team A 2024-12-31 20:00 - 2025-01-01 02:00 led by P1 (starts in 2024, not counted);
    B1 team B 2025-03-01 09:00-11:30 led by P2 (2.5 h); O1 the other station's, 8 h led by its party member.

    Incidents: I1 resolved, team A dispatched 03-01 09:00 (in A1); I2 resolved, team A dispatched 03-02 09:00
    (in A2, led by N); I3 resolved, team A arrived without dispatch 03-01 11:00 (A1) and team B dispatched
    03-01 10:00 (B1); I4 still on scene, team A in A1; I5 resolved in 2024, team A during A3.
    """
    circle = CircleFactory(station=station, boundary=square(119.55, 26.66))
    team_a = TeamFactory(station=station, circle=circle, name="A队")
    team_b = TeamFactory(station=station, circle=circle, name="B队")
    branch = PartyBranchFactory(station=station, name="五里亭派出所党支部")
    p1 = PartyMemberFactory(branch=branch, member=MemberFactory(station=station, team=team_a, name="党员甲"))
    p2 = PartyMemberFactory(branch=branch, member=MemberFactory(station=station, team=team_b, name="党员乙"))
    non_party = MemberFactory(station=station, team=team_a, name="群众丙")
    group = PartyGroupFactory(branch=branch, team=team_a, name="A队党小组", leader=p1)
    p1.group = group
    p1.save()

    other_circle = CircleFactory(station=other_station, boundary=square(119.57, 26.67))
    other_team = TeamFactory(station=other_station, circle=other_circle, name="他所队")
    other_branch = PartyBranchFactory(station=other_station, name="另一党支部")
    other_pm = PartyMemberFactory(branch=other_branch, member=MemberFactory(station=other_station, name="他所党员"))
    PartyGroupFactory(branch=other_branch, team=other_team, name="他所党小组")

    ShiftFactory(team=team_a, starts_at=local(2025, 3, 1, 8), ends_at=local(2025, 3, 1, 12), leader=p1.member)
    ShiftFactory(team=team_a, starts_at=local(2025, 3, 2, 8), ends_at=local(2025, 3, 2, 14), leader=non_party)
    ShiftFactory(team=team_a, starts_at=local(2024, 12, 31, 20), ends_at=local(2025, 1, 1, 2), leader=p1.member)
    ShiftFactory(team=team_b, starts_at=local(2025, 3, 1, 9), ends_at=local(2025, 3, 1, 11, 30), leader=p2.member)
    ShiftFactory(
        team=other_team, starts_at=local(2025, 3, 1, 8), ends_at=local(2025, 3, 1, 16), leader=other_pm.member
    )

    i1 = resolved_incident(station, local(2025, 3, 1, 8, 55), local(2025, 3, 1, 10))
    Assignment.objects.create(incident=i1, team=team_a, dispatched_at=local(2025, 3, 1, 9))
    i2 = resolved_incident(station, local(2025, 3, 2, 8, 55), local(2025, 3, 2, 10))
    Assignment.objects.create(incident=i2, team=team_a, dispatched_at=local(2025, 3, 2, 9))
    i3 = resolved_incident(station, local(2025, 3, 1, 9, 55), local(2025, 3, 1, 11, 20))
    Assignment.objects.create(incident=i3, team=team_a, arrived_at=local(2025, 3, 1, 11))
    Assignment.objects.create(incident=i3, team=team_b, dispatched_at=local(2025, 3, 1, 10))
    i4 = IncidentFactory(
        station=station,
        status=IncidentStatus.ON_SCENE,
        reported_at=local(2025, 3, 1, 9),
        first_arrived_at=local(2025, 3, 1, 9, 10),
    )
    Assignment.objects.create(incident=i4, team=team_a, arrived_at=local(2025, 3, 1, 9, 10))
    i5 = resolved_incident(station, local(2024, 12, 31, 21), local(2024, 12, 31, 23))
    Assignment.objects.create(incident=i5, team=team_a, dispatched_at=local(2024, 12, 31, 21, 5))
    return Party(
        branch=branch,
        other_branch=other_branch,
        group=group,
        team_a=team_a,
        team_b=team_b,
        p1=p1,
        p2=p2,
        non_party=non_party,
        other_pm=other_pm,
        incidents={"I1": i1, "I2": i2, "I3": i3, "I4": i4, "I5": i5},
    )
