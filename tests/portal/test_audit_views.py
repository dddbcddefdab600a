"""The audit pages: the change log and the personal-data access log, for whom, and scoped by the actor's station."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.services import incident_report, incident_update
from portal import privacy
from portal.models import AccessLog
from portal.roles import Role
from tests.factories import InvolvedPersonFactory, user_with_role


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in the source language (English), whatever the catalogue holds."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def incident(duty_officer, circle):
    from incidents.choices import Category, Priority, Source

    made = incident_report(
        by=duty_officer,
        category=Category.FIGHT,
        priority=Priority.P2,
        source=Source.CALL_110,
        lat=26.6612,
        lng=119.5523,
        occurred_at=timezone.now() - timedelta(minutes=5),
        summary="广场斗殴",
    )
    return incident_update(incident=made, by=duty_officer, expected_version=1, address="广场南门")


@pytest.fixture
def other_officer(other_station):
    return user_with_role(Role.DUTY_OFFICER, username="duty2", station=other_station)


@pytest.mark.django_db
class AuditLogPageTests:
    @pytest.mark.parametrize("who", ["auditor", "staff_user"])
    def test_auditors_and_staff_see_the_change_log_with_the_changed_fields(self, client, request, who, incident):
        client.force_login(request.getfixturevalue(who))
        response = client.get(reverse("audit_log"))
        assert response.status_code == 200
        html = response.content.decode()
        assert incident.number in html
        assert "广场南门" in html  # the changed address, old → new
        assert "duty" in html  # the actor

    @pytest.mark.parametrize("who", ["duty_officer", "commander", "no_role_user"])
    def test_other_roles_get_403(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("audit_log")).status_code == 403

    def test_a_station_auditor_sees_only_entries_of_their_stations_users(
        self, client, auditor, staff_user, incident, other_officer, other_station
    ):
        from tests.factories import CircleFactory, square

        CircleFactory(station=other_station, name="别处圈", boundary=square(119.57, 26.66))
        from incidents.choices import Category, Priority, Source

        theirs = incident_report(
            by=other_officer,
            category=Category.THEFT,
            priority=Priority.P3,
            source=Source.WALK_IN,
            lat=26.6605,
            lng=119.5710,
            occurred_at=timezone.now() - timedelta(minutes=5),
            summary="别处盗窃",
        )
        client.force_login(auditor)
        html = client.get(reverse("audit_log")).content.decode()
        assert incident.number in html and theirs.number not in html
        client.force_login(staff_user)
        html = client.get(reverse("audit_log")).content.decode()
        assert incident.number in html and theirs.number in html

    def test_the_change_log_filters_by_record_type_action_actor_and_day(self, client, auditor, duty_officer, incident):
        client.force_login(auditor)
        incident_type = ContentType.objects.get_for_model(Incident)
        url = reverse("audit_log")
        by_model = client.get(url, {"model": incident_type.pk}).context["object_list"]
        assert by_model and all(entry.content_type_id == incident_type.pk for entry in by_model)
        updates = client.get(url, {"model": incident_type.pk, "action": LogEntry.Action.UPDATE}).context["object_list"]
        assert [entry.object_pk for entry in updates] == [str(incident.pk)]
        assert (
            client.get(url, {"actor": duty_officer.pk}).context["paginator"].count
            == LogEntry.objects.filter(actor=duty_officer).count()
        )
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert client.get(url, {"date_from": tomorrow}).context["paginator"].count == 0
        bad = client.get(url, {"date_from": tomorrow, "date_to": timezone.localdate().isoformat()})
        assert bad.status_code == 200 and bad.context["paginator"].count == 0 and bad.context["filter_form"].errors

    def test_masked_fields_stay_masked_in_the_change_log(self, client, staff_user, incident):
        InvolvedPersonFactory(incident=incident, phone="13812345678")
        client.force_login(staff_user)
        html = client.get(reverse("audit_log")).content.decode()
        assert "13812345678" not in html


@pytest.mark.django_db
class AccessLogPageTests:
    def test_the_access_log_lists_reveals_for_auditors(self, client, auditor, commander, incident):
        person = InvolvedPersonFactory(incident=incident)
        privacy.reveal(user=commander, instance=person, fields=["phone"], reason="回访当事人")
        client.force_login(auditor)
        response = client.get(reverse("access_log"))
        assert response.status_code == 200
        assert "回访当事人" in response.content.decode()

    @pytest.mark.parametrize("who", ["duty_officer", "commander"])
    def test_roles_without_the_permission_get_403(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("access_log")).status_code == 403

    def test_a_station_auditor_sees_only_their_stations_users(
        self, client, auditor, commander, other_commander, incident
    ):
        person = InvolvedPersonFactory(incident=incident)
        privacy.reveal(user=commander, instance=person, fields=["phone"], reason="本所核实")
        privacy.reveal(user=other_commander, instance=person, fields=["phone"], reason="外所核实")
        client.force_login(auditor)
        html = client.get(reverse("access_log")).content.decode()
        assert "本所核实" in html and "外所核实" not in html
        response = client.get(reverse("access_log"), {"action": AccessLog.Action.EXPORT})
        assert response.context["paginator"].count == 0
