"""Tips, mediation cases, hazards and service requests: their workflows through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.choices import (
    Category,
    EventKind,
    HazardReporterKind,
    HazardType,
    MediationAgency,
    MediationOutcome,
    Priority,
    RemediationStatus,
    ServiceRequestStatus,
    Source,
    TipChannel,
    TipStatus,
)
from incidents.models import Hazard, MediationCase, Tip
from incidents.services import (
    hazard_report,
    hazard_set_status,
    hazards_near,
    mediation_add_follow_up,
    mediation_add_session,
    mediation_close,
    mediation_open,
    service_request_complete,
    service_request_create,
    service_request_reject,
    service_request_start,
    tip_convert,
    tip_dismiss,
    tip_record,
    tip_verify,
)
from patrols.choices import PostKind
from tests.factories import InformantFactory, PostFactory, ServiceTypeFactory
from tests.incidents.conftest import INSIDE_A, INSIDE_B

pytestmark = pytest.mark.django_db


class TipTests:
    def test_a_verified_tip_converts_into_a_linked_incident(self, circle, duty_officer):
        informant = InformantFactory(circle=circle)
        tip = tip_record(
            by=duty_officer,
            channel=TipChannel.INFORMANT,
            informant=informant,
            content="栈道边有人钓鱼时落水风险\n详细情况",
            lat=INSIDE_A[0],
            lng=INSIDE_A[1],
        )
        assert tip.station == circle.station and tip.status == TipStatus.NEW
        tip = tip_verify(tip=tip, by=duty_officer)
        incident = tip_convert(tip=tip, by=duty_officer, category=Category.WATER_RESCUE, priority=Priority.P1)
        tip.refresh_from_db()
        assert tip.status == TipStatus.CONVERTED and tip.incident == incident and incident.tip == tip
        assert incident.source == Source.INFORMANT_TIP and incident.summary == "栈道边有人钓鱼时落水风险"
        assert incident.occurred_at == tip.received_at
        assert f"#{tip.pk}" in incident.events.get().text

    def test_a_new_tip_must_be_verified_before_it_is_converted(self, circle, duty_officer):
        tip = tip_record(
            by=duty_officer, channel=TipChannel.CHAT_GROUP, content="群里说有人打架", station=circle.station
        )
        with pytest.raises(ValidationError):
            tip_convert(tip=tip, by=duty_officer, category=Category.FIGHT, priority=Priority.P2)
        tip.refresh_from_db()
        assert tip.status == TipStatus.NEW and tip.incident is None

    def test_a_tip_without_a_location_needs_one_to_convert(self, circle, duty_officer):
        tip = tip_verify(tip=tip_record(by=duty_officer, channel=TipChannel.PHONE, content="x"), by=duty_officer)
        assert tip.station == duty_officer.station
        with pytest.raises(ValidationError) as caught:
            tip_convert(tip=tip, by=duty_officer, category=Category.OTHER, priority=Priority.P3)
        assert "lat" in caught.value.message_dict
        incident = tip_convert(
            tip=tip, by=duty_officer, category=Category.OTHER, priority=Priority.P3, lat=INSIDE_A[0], lng=INSIDE_A[1]
        )
        assert incident.circle == circle

    def test_dismissing_needs_a_reason_and_ends_the_tip(self, circle, duty_officer):
        tip = tip_record(by=duty_officer, channel=TipChannel.ONLINE, content="x", station=circle.station)
        with pytest.raises(ValidationError):
            tip_dismiss(tip=tip, by=duty_officer, reason="")
        tip = tip_dismiss(tip=tip, by=duty_officer, reason="经核实不属实")
        with pytest.raises(ValidationError):
            tip_verify(tip=tip, by=duty_officer)
        assert Tip.objects.inbox().count() == 0

    def test_an_informant_tip_names_its_informant(self, circle, duty_officer):
        with pytest.raises(ValidationError) as caught:
            tip_record(by=duty_officer, channel=TipChannel.INFORMANT, content="x", station=circle.station)
        assert "informant" in caught.value.message_dict


@pytest.fixture
def dispute(report):
    return report(category=Category.DISPUTE, summary="工友工资纠纷")


@pytest.fixture
def room(circle):
    return PostFactory(station=circle.station, kind=PostKind.MEDIATION_ROOM, name="警企调解工作室")


class MediationTests:
    def test_a_dispute_goes_to_a_room_is_settled_and_followed_up(self, dispute, room, duty_officer):
        case = mediation_open(
            incident=dispute,
            room=room,
            by=duty_officer,
            parties="张某\n李某",
            agencies=[MediationAgency.ENTERPRISE, MediationAgency.COMMUNITY],
        )
        assert case.station == dispute.station and case.party_list == ["张某", "李某"]
        mediation_add_session(case=case, by=duty_officer, held_on=timezone.localdate(), notes="双方陈述")
        with pytest.raises(ValidationError):
            mediation_close(case=case, by=duty_officer, outcome=MediationOutcome.SETTLED)  # no agreement
        case = mediation_close(case=case, by=duty_officer, outcome=MediationOutcome.SETTLED, agreement="企业补发工资")
        follow_up = mediation_add_follow_up(
            case=case, by=duty_officer, visited_on=timezone.localdate(), agreement_kept=True
        )
        assert follow_up.case == case
        assert list(dispute.events.filter(kind=EventKind.MEDIATION).values_list("kind", flat=True)) == [
            EventKind.MEDIATION,
            EventKind.MEDIATION,
        ]
        with pytest.raises(ValidationError):
            mediation_add_session(case=case, by=duty_officer, held_on=timezone.localdate(), notes="x")

    def test_only_disputes_and_mediation_rooms(self, report, dispute, room, circle, duty_officer):
        with pytest.raises(ValidationError) as caught:
            mediation_open(incident=report(category=Category.THEFT), room=room, by=duty_officer, parties="x")
        assert "incident" in caught.value.message_dict
        booth = PostFactory(station=circle.station, kind=PostKind.SECURITY_BOOTH)
        with pytest.raises(ValidationError) as caught:
            mediation_open(incident=dispute, room=booth, by=duty_officer, parties="x")
        assert "room" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            mediation_open(incident=dispute, room=room, by=duty_officer, parties="x", agencies=["army"])
        assert "agencies" in caught.value.message_dict

    def test_one_pending_case_per_incident(self, dispute, room, duty_officer):
        mediation_open(incident=dispute, room=room, by=duty_officer, parties="x")
        with pytest.raises(ValidationError):
            mediation_open(incident=dispute, room=room, by=duty_officer, parties="y")
        assert MediationCase.objects.count() == 1

    def test_a_referral_says_where_and_follow_ups_are_for_settlements(self, dispute, room, duty_officer):
        case = mediation_open(incident=dispute, room=room, by=duty_officer, parties="x")
        with pytest.raises(ValidationError):
            mediation_close(case=case, by=duty_officer, outcome=MediationOutcome.REFERRED)
        case = mediation_close(case=case, by=duty_officer, outcome=MediationOutcome.REFERRED, referred_to="东侨法庭")
        with pytest.raises(ValidationError):
            mediation_add_follow_up(case=case, by=duty_officer, visited_on=timezone.localdate())

    def test_a_session_cannot_be_dated_in_the_future(self, dispute, room, duty_officer):
        case = mediation_open(incident=dispute, room=room, by=duty_officer, parties="x")
        with pytest.raises(ValidationError):
            mediation_add_session(
                case=case, by=duty_officer, held_on=timezone.localdate() + timedelta(days=2), notes="x"
            )


class HazardTests:
    def report_hazard(self, by, at, radius=100, **kwargs):
        return hazard_report(
            by=by,
            kind=HazardType.WATER,
            title="湖边护栏缺失",
            lat=at[0],
            lng=at[1],
            reported_by_kind=HazardReporterKind.DEPARTMENT,
            warn_radius_m=radius,
            **kwargs,
        )

    def test_open_hazards_near_a_point_are_found_nearest_first(self, circle, duty_officer):
        near = self.report_hazard(duty_officer, (26.6615, 119.5523), radius=100)  # ~33 m away
        wide = self.report_hazard(duty_officer, (26.6640, 119.5523), radius=500)  # ~311 m away
        self.report_hazard(duty_officer, (26.6640, 119.5523), radius=100)  # too far for its radius
        assert near.circle == circle and near.station == circle.station
        found = hazards_near(lat=INSIDE_A[0], lng=INSIDE_A[1])
        assert found == [near, wide]
        assert found[0].distance_m == pytest.approx(33, abs=3)
        assert set(Hazard.objects.near(*INSIDE_A)) == {near, wide}

    def test_a_remediated_hazard_warns_no_more(self, circle, duty_officer):
        hazard = self.report_hazard(duty_officer, INSIDE_A)
        hazard = hazard_set_status(hazard=hazard, by=duty_officer, status=RemediationStatus.IN_PROGRESS)
        hazard = hazard_set_status(
            hazard=hazard, by=duty_officer, status=RemediationStatus.REMEDIATED, note="已加装护栏"
        )
        assert hazard.remediated_at is not None
        assert hazards_near(lat=INSIDE_A[0], lng=INSIDE_A[1]) == []
        hazard = hazard_set_status(hazard=hazard, by=duty_officer, status=RemediationStatus.CLOSED)
        with pytest.raises(ValidationError):
            hazard_set_status(hazard=hazard, by=duty_officer, status=RemediationStatus.OPEN)

    def test_hazards_near_are_scoped_to_the_user(self, circle, circle_b, duty_officer, other_commander):
        hazard = self.report_hazard(duty_officer, INSIDE_B, radius=50)
        assert hazard.station == circle_b.station
        assert hazards_near(lat=INSIDE_B[0], lng=INSIDE_B[1], user=duty_officer) == []
        assert hazards_near(lat=INSIDE_B[0], lng=INSIDE_B[1], user=other_commander) == [hazard]

    def test_the_radius_is_bounded(self, circle, duty_officer):
        with pytest.raises(ValidationError):
            self.report_hazard(duty_officer, INSIDE_A, radius=50_000)


class ServiceRequestTests:
    def test_a_request_falls_due_after_the_time_limit_and_is_completed(self, station, duty_officer):
        errand = ServiceTypeFactory(time_limit_hours=24)
        received = timezone.now() - timedelta(hours=1)
        request = service_request_create(
            by=duty_officer,
            service_type=errand,
            station=station,
            requester_name="陈某",
            phone="13712345678",
            received_at=received,
        )
        assert request.due_at == received + timedelta(hours=24)
        assert request.phone_masked == "137****5678" and not request.is_overdue
        request = service_request_start(service_request=request, by=duty_officer)
        with pytest.raises(ValidationError):
            service_request_complete(service_request=request, by=duty_officer, result="")
        request = service_request_complete(service_request=request, by=duty_officer, result="已代办居住证")
        assert request.status == ServiceRequestStatus.COMPLETED and request.closed_at is not None
        with pytest.raises(ValidationError):
            service_request_reject(service_request=request, by=duty_officer, reason="x")

    def test_overdue_requests_are_found(self, station, duty_officer):
        consultation = ServiceTypeFactory(time_limit_hours=2)
        late = service_request_create(
            by=duty_officer,
            service_type=consultation,
            station=station,
            requester_name="x",
            received_at=timezone.now() - timedelta(hours=3),
        )
        assert late.is_overdue
        from incidents.models import ServiceRequest

        assert list(ServiceRequest.objects.overdue()) == [late]

    def test_a_withdrawn_service_takes_no_requests(self, station, duty_officer):
        with pytest.raises(ValidationError):
            service_request_create(
                by=duty_officer, service_type=ServiceTypeFactory(is_active=False), station=station, requester_name="x"
            )
