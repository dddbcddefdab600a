"""visible_to(user): sub-bureau staff see all stations, everyone else only their own."""

import pytest
from django.contrib.auth.models import AnonymousUser

from patrols.models import Camera, Informant, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station
from portal.roles import Role
from tests.factories import (
    CameraFactory,
    CircleFactory,
    InformantFactory,
    MemberFactory,
    PostFactory,
    ShiftFactory,
    StationFactory,
    TeamFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stations():
    """Each of two stations with one row of every scoped model."""
    stations = [StationFactory(), StationFactory()]
    for station in stations:
        circle = CircleFactory(station=station)
        team = TeamFactory(station=station, circle=circle)
        PostFactory(station=station)
        MemberFactory(station=station, team=team)
        InformantFactory(circle=circle)
        CameraFactory(station=station)
        ShiftFactory(team=team)
    return stations


MODELS = [Station, PatrolCircle, PatrolTeam, PatrolPost, Member, Informant, Camera, PatrolShift]


@pytest.mark.parametrize("role", [Role.STATION_COMMANDER, Role.DUTY_OFFICER, Role.PARTY_AFFAIRS, Role.AUDITOR])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_station_user_sees_only_their_station(two_stations, role, model):
    mine, theirs = two_stations
    user = user_with_role(role, station=mine)
    visible = model.objects.visible_to(user)
    assert visible.count() == 1
    assert model.objects.count() == 2
    assert model.objects.for_station(theirs).count() == 1
    assert not visible.filter(pk__in=model.objects.for_station(theirs)).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_sub_bureau_staff_see_every_station(two_stations, model):
    staff = user_with_role(Role.SUB_BUREAU_STAFF, station=None)
    assert model.objects.visible_to(staff).count() == 2


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_anonymous_users_and_users_without_a_station_see_nothing(two_stations, model):
    assert model.objects.visible_to(AnonymousUser()).count() == 0
    assert model.objects.visible_to(user_with_role(Role.DUTY_OFFICER, station=None)).count() == 0
