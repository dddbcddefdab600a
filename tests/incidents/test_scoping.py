"""visible_to(user) on every incidents queryset: staff see all stations, everyone else their own."""

import pytest

from incidents.choices import MediationOutcome
from incidents.models import (
    Assignment,
    Hazard,
    Incident,
    IncidentEvent,
    InvolvedPerson,
    MediationCase,
    MediationFollowUp,
    MediationSession,
    ServiceRequest,
    ServiceType,
    Tip,
)
from patrols.choices import PostKind
from tests.factories import (
    HazardFactory,
    IncidentFactory,
    InvolvedPersonFactory,
    PostFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    StationFactory,
    TeamFactory,
    TipFactory,
)

pytestmark = pytest.mark.django_db

SCOPED = [
    Incident,
    IncidentEvent,
    Assignment,
    InvolvedPerson,
    Tip,
    MediationCase,
    MediationSession,
    MediationFollowUp,
    Hazard,
    ServiceRequest,
]


@pytest.fixture
def rows(station, other_station, commander):
    """One row of every scoped model in each of two stations."""
    from django.utils import timezone

    now = timezone.now()
    for st in (station, other_station):
        incident = IncidentFactory(station=st, category="dispute")
        IncidentEvent.objects.create(incident=incident, kind="note", version=1, text="x")
        Assignment.objects.create(incident=incident, team=TeamFactory(station=st), dispatched_at=timezone.now())
        InvolvedPersonFactory(incident=incident)
        TipFactory(station=st)
        room = PostFactory(station=st, kind=PostKind.MEDIATION_ROOM)
        case = MediationCase.objects.create(
            incident=incident,
            station=st,
            room=room,
            parties="x",
            outcome=MediationOutcome.SETTLED,
            opened_at=now,
            closed_at=now,
        )
        MediationSession.objects.create(case=case, held_on=timezone.localdate(), notes="x")
        MediationFollowUp.objects.create(case=case, visited_on=timezone.localdate())
        HazardFactory(station=st)
        ServiceRequestFactory(station=st)


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
class VisibleToTests:
    def test_a_commander_sees_only_their_station(self, model, rows, commander, station):
        visible = model.objects.visible_to(commander)
        assert visible.count() == 1
        assert model.objects.count() == 2

    def test_staff_see_every_station(self, model, rows, staff_user):
        assert model.objects.visible_to(staff_user).count() == 2

    def test_a_user_without_a_station_or_anonymous_sees_nothing(self, model, rows):
        from django.contrib.auth.models import AnonymousUser

        from portal.roles import Role
        from tests.factories import user_with_role

        assert model.objects.visible_to(AnonymousUser()).count() == 0
        assert model.objects.visible_to(user_with_role(Role.DUTY_OFFICER, station=None)).count() == 0


def test_the_service_catalogue_is_shared_by_every_signed_in_user(commander, other_commander):
    ServiceTypeFactory()
    assert ServiceType.objects.visible_to(commander).count() == 1
    assert ServiceType.objects.visible_to(other_commander).count() == 1


def test_rows_of_a_third_station_stay_hidden_from_both(rows, commander):
    IncidentFactory(station=StationFactory())
    assert Incident.objects.visible_to(commander).count() == 1
