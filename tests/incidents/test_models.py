"""Model rules of the incidents app: ID numbers, masking, intervals and the stage-time constraints."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.choices import IncidentStatus, PersonRole
from incidents.models import Incident, InvolvedPerson
from incidents.services import person_add, person_remove, person_update
from incidents.validators import validate_resident_id
from portal.models import AccessLog
from portal.privacy import reveal
from tests.factories import IncidentFactory, InvolvedPersonFactory


class ResidentIdTests:
    @pytest.mark.parametrize(
        "value", ["11010519491231002X", "11010519491231002x", "440300199001011238", "350902198506130047"]
    )
    def test_valid_numbers_pass(self, value):
        validate_resident_id(value)

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("110105194912310021", "id_checksum"),
            ("11010519491231002", "id_length"),
            ("11010519491231002X1", "id_length"),
            ("1101051949123100AX", "id_characters"),
            ("110105194902300021", "id_birth_date"),  # 30 February
            ("110105180001010021", "id_birth_date"),  # before 1900
            ("110105299901010021", "id_birth_date"),  # in the future
        ],
    )
    def test_bad_numbers_get_a_clear_error(self, value, code):
        with pytest.raises(ValidationError) as caught:
            validate_resident_id(value)
        assert caught.value.code == code
        assert caught.value.messages[0]


@pytest.mark.django_db
class InvolvedPersonTests:
    def test_a_bad_id_number_is_refused_by_the_service_and_nothing_is_added(self, duty_officer):
        incident = IncidentFactory(station=duty_officer.station)
        with pytest.raises(ValidationError) as caught:
            person_add(
                incident=incident,
                by=duty_officer,
                role=PersonRole.SUSPECT,
                name="王某",
                id_number="110105194912310021",
            )
        assert "id_number" in caught.value.message_dict
        assert not InvolvedPerson.objects.exists() and not incident.events.exists()

    def test_phone_and_id_are_masked_and_a_reveal_is_logged(self, commander):
        person = InvolvedPersonFactory(
            incident=IncidentFactory(station=commander.station), id_number="11010519491231002x"
        )
        assert person.id_number == "11010519491231002X"
        assert person.phone_masked == "138****5678"
        assert person.id_number_masked == "110105********002X"
        values = reveal(user=commander, instance=person, fields=["id_number"], reason="核实身份")
        assert values == {"id_number": "11010519491231002X"}
        assert AccessLog.objects.get().object_type == "incidents.InvolvedPerson"

    def test_the_timeline_and_the_audit_log_never_hold_the_clear_id(self, duty_officer):
        incident = IncidentFactory(station=duty_officer.station)
        person = person_add(
            incident=incident,
            by=duty_officer,
            role=PersonRole.VICTIM,
            name="李某",
            phone="13912345678",
            id_number="440300199001011238",
        )
        person = person_update(person=person, by=duty_officer, notes="受轻伤")
        person_remove(person=person, by=duty_officer)
        assert incident.events.count() == 3
        for event in incident.events.all():
            assert "440300199001011238" not in event.text and "13912345678" not in event.text
        entries = LogEntry.objects.filter(content_type__model="involvedperson")
        assert entries.count() == 3 and all(e.actor == duty_officer for e in entries)
        assert not any("440300199001011238" in str(e.changes) or "13912345678" in str(e.changes) for e in entries)


@pytest.mark.django_db
class IntervalTests:
    def test_intervals_are_none_until_both_ends_are_known(self):
        incident = IncidentFactory()
        assert (incident.queue_time, incident.travel_time, incident.response_time, incident.on_scene_time) == (
            None,
            None,
            None,
            None,
        )

    def test_an_arrival_without_a_dispatch_has_no_travel_or_queue_time(self):
        now = timezone.now()
        incident = IncidentFactory(
            reported_at=now - timedelta(minutes=9),
            status=IncidentStatus.ON_SCENE,
            first_arrived_at=now - timedelta(minutes=4),
        )
        assert incident.travel_time is None and incident.queue_time is None
        assert incident.response_time == timedelta(minutes=5)


@pytest.mark.django_db
class ConstraintTests:
    @pytest.mark.parametrize(
        "fields",
        [
            {"status": IncidentStatus.DISPATCHED},  # no dispatch time
            {"status": IncidentStatus.ON_SCENE},  # no arrival time
            {"status": IncidentStatus.CLOSED},  # no resolution or closing time
            {"first_dispatched_at": "-1"},  # a dispatch before the report
            {"status": IncidentStatus.ON_SCENE, "first_dispatched_at": "+2", "first_arrived_at": "+1"},
            {"occurred_at": "+1"},  # occurred after it was reported
        ],
    )
    def test_the_database_refuses_inconsistent_stage_times(self, fields):
        now = timezone.now()
        values = {k: now + timedelta(minutes=int(v)) if k.endswith("_at") else v for k, v in fields.items()}
        with pytest.raises(IntegrityError), transaction.atomic():
            IncidentFactory(reported_at=now, **values)

    def test_full_clean_reports_a_constraint_with_its_message(self):
        now = timezone.now()
        incident = IncidentFactory.build(
            reported_at=now, occurred_at=now + timedelta(hours=1), station=IncidentFactory().station
        )
        with pytest.raises(ValidationError) as caught:
            incident.full_clean()
        assert "can't occur after it was reported" in str(caught.value)
        assert Incident.objects.count() == 1
