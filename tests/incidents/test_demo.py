"""The incidents demo: a year of plausible incidents, the article's case, and every inbox in every state."""

from collections import Counter
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.choices import (
    OPEN_STATUSES,
    Category,
    EventKind,
    IncidentStatus,
    MediationOutcome,
    PersonRole,
    RemediationStatus,
    ServiceRequestStatus,
    Source,
    TipStatus,
)
from incidents.demo import ARTICLE_SUMMARY
from incidents.models import (
    Assignment,
    Hazard,
    Incident,
    IncidentCounter,
    IncidentEvent,
    InvolvedPerson,
    MediationCase,
    MediationFollowUp,
    MediationSession,
    ServiceRequest,
    ServiceType,
    Tip,
)
from incidents.validators import validate_resident_id
from patrols.choices import CircleKind, DutyState
from patrols.models import PatrolTeam, TeamStateChange

COUNT = 500
SHANGHAI = ZoneInfo("Asia/Shanghai")
MODELS = (
    Incident,
    IncidentEvent,
    Assignment,
    InvolvedPerson,
    IncidentCounter,
    Tip,
    MediationCase,
    MediationSession,
    MediationFollowUp,
    Hazard,
    ServiceType,
    ServiceRequest,
    TeamStateChange,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", incidents=COUNT, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (the seed takes a few seconds), and clean up afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            output = seed()
            yield output
            transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def db_access(db):
    return db


class IncidentsDemoTests:
    def test_second_run_adds_nothing(self, db_access):
        before = counts()
        teams = dict(PatrolTeam.objects.values_list("name", "duty_state"))
        seed()
        assert counts() == before
        assert dict(PatrolTeam.objects.values_list("name", "duty_state")) == teams

    def test_a_year_of_incidents(self, db_access):
        incidents = Incident.objects.all()
        assert incidents.count() >= COUNT
        first, last = incidents.order_by("reported_at").first(), incidents.order_by("reported_at").last()
        assert last.reported_at - first.reported_at > timedelta(days=350)
        assert timezone.now() - last.reported_at < timedelta(hours=1)
        assert incidents.filter(circle__isnull=True).exists()  # a few outside every circle
        for incident in incidents.exclude(circle__isnull=True).select_related("circle"):
            assert incident.circle.contains(incident.lat, incident.lng), incident
            assert incident.station_id == incident.circle.station_id

    def test_article_case(self, db_access):
        case = Incident.objects.get(summary=ARTICLE_SUMMARY)
        local = case.reported_at.astimezone(SHANGHAI)
        assert (local.month, local.day, local.hour, local.minute) == (5, 13, 23, 0)
        assert local.year in (timezone.localdate().year, timezone.localdate().year - 1)
        assert case.circle.kind == CircleKind.COMMERCIAL
        assert case.category == Category.DRUNK_DISORDERLY
        assert case.source == Source.PATROL_DISCOVERY
        assert case.first_dispatched_at is None and case.travel_time is None
        assert case.first_arrived_at == case.reported_at
        assert case.status == IncidentStatus.CLOSED
        assert case.assignments.get().team.name == "环东方伟业广场商圈巡防队"
        roles = Counter(case.persons.values_list("role", flat=True))
        assert roles == {PersonRole.SUSPECT: 1, PersonRole.OTHER: 1}
        for person in case.persons.all():
            validate_resident_id(person.id_number)
        transitions = list(case.events.filter(kind=EventKind.TRANSITION).values_list("to_status", flat=True))
        assert transitions == [
            IncidentStatus.REPORTED,
            IncidentStatus.ON_SCENE,
            IncidentStatus.RESOLVED,
            IncidentStatus.CLOSED,
        ]

    def test_commercial_circle_peaks_at_night(self, db_access):
        times = Incident.objects.filter(circle__kind=CircleKind.COMMERCIAL).values_list("reported_at", flat=True)
        hours = [t.astimezone(SHANGHAI).hour for t in times]
        night = sum(1 for hour in hours if hour >= 19 or hour < 2)
        assert night / len(hours) > 0.5

    def test_water_rescues_at_east_lake(self, db_access):
        rescues = Incident.objects.filter(category=Category.WATER_RESCUE)
        assert rescues.exists()
        assert set(rescues.values_list("circle__kind", flat=True)) == {CircleKind.ECOLOGICAL}
        months = Counter(t.astimezone(SHANGHAI).month for t in rescues.values_list("reported_at", flat=True))
        summer = sum(months[m] for m in (6, 7, 8, 9))
        assert summer > sum(months.values()) - summer  # more in four summer months than in the other eight

    def test_stage_times_are_ordered_and_match_the_status(self, db_access):
        for incident in Incident.objects.all():
            stages = [
                t
                for t in (
                    incident.occurred_at,
                    incident.reported_at,
                    incident.first_dispatched_at,
                    incident.first_arrived_at,
                    incident.resolved_at,
                    incident.closed_at,
                )
                if t is not None
            ]
            assert stages == sorted(stages), incident
            status = incident.status
            if status == IncidentStatus.REPORTED:
                assert incident.first_dispatched_at is None and incident.first_arrived_at is None
            if status in (IncidentStatus.DISPATCHED, IncidentStatus.EN_ROUTE):
                assert incident.first_dispatched_at and not incident.first_arrived_at
            if status == IncidentStatus.ON_SCENE:
                assert incident.first_arrived_at and not incident.resolved_at
            if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
                assert incident.resolved_at and incident.outcome
            assert (status == IncidentStatus.CLOSED) == (incident.closed_at is not None)
            if incident.source == Source.PATROL_DISCOVERY and incident.first_arrived_at:
                assert incident.first_dispatched_at is None
        statuses = set(Incident.objects.values_list("status", flat=True))
        assert {
            IncidentStatus.CLOSED,
            IncidentStatus.CANCELLED,
            IncidentStatus.TRANSFERRED,
            IncidentStatus.REPORTED,
            IncidentStatus.DISPATCHED,
            IncidentStatus.ON_SCENE,
        } <= statuses

    def test_timelines_are_complete(self, db_access):
        """Every ended incident has one transition event per step, versions counting up to the incident's."""
        events = {}
        for incident_id, kind, to_status, version in IncidentEvent.objects.order_by("at", "pk").values_list(
            "incident_id", "kind", "to_status", "version"
        ):
            events.setdefault(incident_id, []).append((kind, to_status, version))
        for incident in Incident.objects.all():
            timeline = events[incident.pk]
            transitions = [to for kind, to, _v in timeline if kind == EventKind.TRANSITION]
            assert transitions[0] == IncidentStatus.REPORTED
            assert transitions[-1] == incident.status, incident
            versions = [v for kind, _to, v in timeline if kind == EventKind.TRANSITION]
            assert versions == list(range(1, len(versions) + 1)), incident
            assert versions[-1] == incident.version
            if incident.status == IncidentStatus.CLOSED:
                assert IncidentStatus.RESOLVED in transitions
            if incident.first_dispatched_at:
                assert IncidentStatus.DISPATCHED in transitions

    def test_numbers_follow_the_counter(self, db_access):
        for year, last in IncidentCounter.objects.values_list("year", "last"):
            numbers = Incident.objects.filter(year=year)
            assert numbers.count() == last
            assert set(numbers.values_list("sequence", flat=True)) == set(range(1, last + 1))
        incident = Incident.objects.order_by("pk").first()
        assert incident.number == f"DQ-{incident.year}-{incident.sequence:06d}"

    def test_team_states_match_open_incidents(self, db_access):
        for team in PatrolTeam.objects.all():
            active = Assignment.objects.active().filter(team=team, incident__status__in=OPEN_STATUSES)
            if active.filter(arrived_at__isnull=False).exists():
                assert team.duty_state == DutyState.ON_SCENE
            elif active.exists():
                assert team.duty_state == DutyState.RESPONDING
            else:
                assert team.duty_state == DutyState.PATROLLING
        assert Assignment.objects.active().exclude(incident__status__in=OPEN_STATUSES).count() == 0

    def test_inboxes_in_every_state(self, db_access):
        assert set(Tip.objects.values_list("status", flat=True)) == set(TipStatus.values)
        for tip in Tip.objects.filter(status=TipStatus.CONVERTED):
            assert tip.incident.status == IncidentStatus.CLOSED
        assert set(MediationCase.objects.values_list("outcome", flat=True)) == set(MediationOutcome.values)
        assert MediationCase.objects.values("room").distinct().count() == 3
        assert MediationSession.objects.exists() and MediationFollowUp.objects.exists()
        assert set(Hazard.objects.values_list("status", flat=True)) == set(RemediationStatus.values)
        overdue = Hazard.objects.filter(status=RemediationStatus.OPEN, due_date__lt=timezone.localdate())
        assert overdue.exists()
        assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(ServiceRequestStatus.values)
        assert {"户籍业务咨询", "居住证代办", "出入境咨询", "无犯罪记录证明代办"} <= set(
            ServiceType.objects.values_list("name", flat=True)
        )
