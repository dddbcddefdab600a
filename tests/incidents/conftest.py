"""Fixtures of the incidents tests: two stations with a circle each, teams on patrol, a clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.choices import Category, Priority, Source
from incidents.services import incident_report
from patrols.choices import DutyState
from patrols.services import team_report_position, team_set_duty_state
from tests.factories import CircleFactory, StationFactory, TeamFactory, square

# Circle A (the fixture `circle`) is a square around (26.66, 119.55); circle B lies east of it.
INSIDE_A = (26.6612, 119.5523)
INSIDE_B = (26.6605, 119.5710)
OUTSIDE = (26.7000, 119.6300)


@pytest.fixture
def circle_b(other_station):
    return CircleFactory(station=other_station, name="和谐工业圈", boundary=square(119.57, 26.66))


def on_patrol(team, by, position=None):
    team = team_set_duty_state(team=team, state=DutyState.PATROLLING, by=by)
    if position:
        team = team_report_position(team=team, lat=position[0], lng=position[1])
    return team


@pytest.fixture
def team(circle, commander):
    return on_patrol(
        TeamFactory(station=circle.station, circle=circle, name="环东方伟业广场商圈巡防队"),
        commander,
        position=(26.6620, 119.5530),
    )


@pytest.fixture
def team2(circle, commander):
    return on_patrol(
        TeamFactory(station=circle.station, circle=circle, name="第二巡防队"), commander, position=(26.6640, 119.5560)
    )


@pytest.fixture
def report(duty_officer, circle):
    """Record an incident through the service (inside circle A unless told otherwise)."""

    def make(by=None, at=INSIDE_A, **kwargs):
        values = {
            "category": Category.DRUNK_DISORDERLY,
            "priority": Priority.P2,
            "source": Source.PATROL_DISCOVERY,
            "occurred_at": timezone.now() - timedelta(minutes=3),
            "summary": "广场出口醉酒男子滋事",
            "address": "东方伟业广场出口",
        }
        values.update(kwargs)
        return incident_report(by=by or duty_officer, lat=at[0], lng=at[1], **values)

    return make


@pytest.fixture
def far_station(db):
    return StationFactory(name="远处派出所", code="far", lat=26.7050, lng=119.6350)
