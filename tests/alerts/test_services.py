"""The alerts services: drafting, approval (the outbox), cancel/update, acknowledgements, the schedules,
and the models' invariants."""

from __future__ import annotations

import time
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import services
from alerts.channels import ack_token
from alerts.choices import AlertState, DeliveryState, MsgType
from alerts.models import Alert, Delivery, Endpoint, mask_url
from incidents.choices import Category, Priority
from tests.alerts.helpers import approved, draft
from tests.factories import AudienceFactory, EndpointFactory, HazardFactory, IncidentFactory, square


class ModelTests:
    def test_an_update_without_a_reference_is_refused_by_the_database(self, station):
        with pytest.raises(IntegrityError), transaction.atomic():
            Alert.objects.create(
                station=station, kind="warning", category="Safety", event="e", headline="h", msg_type=MsgType.UPDATE
            )

    def test_an_approved_alert_needs_its_approver(self, station):
        with pytest.raises(IntegrityError), transaction.atomic():
            Alert.objects.create(
                station=station, kind="warning", category="Safety", event="e", headline="h", state="approved"
            )

    def test_a_sent_delivery_needs_its_time_and_keys_are_unique(self, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = alert.deliveries.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.SENT)
        other = draft(by=commander, station=alert.station)
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.create(alert=other, endpoint=json_endpoint, idempotency_key=row.idempotency_key)

    def test_an_alert_expiring_before_it_takes_effect_is_refused(self, commander, station):
        now = timezone.now()
        with pytest.raises(ValidationError):
            draft(by=commander, station=station, effective=now, expires=now - timedelta(hours=1))

    def test_endpoint_secrets_are_masked(self, audience):
        robot = EndpointFactory.build(
            audience=audience,
            kind="dingtalk",
            url="https://oapi.dingtalk.com/robot/send?access_token=abcdef123456",
            secret="SECabcdef0123456789",
        )
        assert "abcdef123456" not in robot.url_masked and robot.url_masked.endswith("56")
        assert robot.secret_masked.endswith("89") and "SECabc" not in robot.secret_masked
        sms = EndpointFactory.build(audience=audience, kind="sms", url="", address="13812345678")
        assert sms.address_masked == "138****5678"
        assert mask_url("") == ""

    def test_a_webhook_needs_a_url_and_only_dingtalk_has_a_secret(self, audience):
        with pytest.raises(IntegrityError), transaction.atomic():
            Endpoint.objects.create(audience=audience, kind="json", name="x", url="")
        with pytest.raises(IntegrityError), transaction.atomic():
            Endpoint.objects.create(
                audience=audience, kind="wecom", name="x", url="https://qyapi.weixin.qq.com/", secret="s"
            )


class DraftTests:
    def test_a_draft_from_an_incident_is_prefilled_with_its_place_and_nearby_audiences(self, duty_officer, circle):
        near = AudienceFactory(station=circle.station, circle=circle)
        AudienceFactory(station=circle.station, area=square(119.60, 26.70, 0.002))  # elsewhere
        incident = IncidentFactory(
            station=circle.station,
            circle=circle,
            category=Category.MISSING_PERSON,
            priority=Priority.P1,
            summary="广场走失一名5岁男孩",
            lat=26.66,
            lng=119.55,
        )
        alert = services.alert_draft_from_incident(incident=incident, by=duty_officer)
        assert alert.kind == "missing_person" and alert.category == "Rescue"
        assert alert.urgency == "Immediate" and alert.severity == "Severe"
        assert alert.headline == "广场走失一名5岁男孩" and alert.source_incident == incident
        assert (alert.circle_lat, alert.circle_lng, alert.circle_radius_m) == (26.66, 119.55, 500)
        assert list(alert.audiences.all()) == [near]
        assert alert.state == AlertState.DRAFT and alert.drafted_by == duty_officer

    def test_a_draft_from_a_hazard_uses_its_warn_radius(self, duty_officer, station):
        hazard = HazardFactory(station=station, kind="water", severity="high", warn_radius_m=300, title="东湖栈道破损")
        alert = services.alert_draft_from_hazard(hazard=hazard, by=duty_officer)
        assert alert.kind == "hazard" and alert.severity == "Severe" and alert.circle_radius_m == 300

    def test_a_station_user_cant_draft_for_another_station(self, duty_officer, other_station):
        with pytest.raises(ValidationError):
            draft(by=duty_officer, station=other_station)


class ApprovalTests:
    def test_approval_writes_the_state_and_every_delivery_in_one_transaction(self, commander, audience, loopback):
        for _ in range(3):
            EndpointFactory(audience=audience)
        alert = draft(by=commander, station=audience.station, audiences=[audience])
        alert = services.alert_approve(alert=alert, by=commander)
        assert alert.state == "approved" and alert.approved_by == commander and alert.sent
        assert alert.deliveries.count() == 3
        assert len(set(alert.deliveries.values_list("idempotency_key", flat=True))) == 3
        assert set(alert.deliveries.values_list("state", flat=True)) == {"pending"}

    def test_a_failure_while_writing_the_outbox_leaves_the_draft_untouched(
        self, commander, audience, loopback, monkeypatch
    ):
        EndpointFactory(audience=audience)
        alert = draft(by=commander, station=audience.station, audiences=[audience])

        def broken(*args, **kwargs):
            raise IntegrityError("disk full")

        monkeypatch.setattr(Delivery.objects, "bulk_create", broken)
        with pytest.raises(IntegrityError):
            services.alert_approve(alert=alert, by=commander)
        alert.refresh_from_db()
        assert alert.state == "draft" and not Delivery.objects.exists()

    def test_a_duty_officer_cant_approve(self, duty_officer, audience):
        alert = draft(by=duty_officer, station=audience.station, audiences=[audience])
        with pytest.raises(ValidationError, match="commander"):
            services.alert_approve(alert=alert, by=duty_officer)

    def test_a_commander_of_another_station_cant_approve(self, duty_officer, other_commander, audience):
        alert = draft(by=duty_officer, station=audience.station, audiences=[audience])
        with pytest.raises(ValidationError, match="another station"):
            services.alert_approve(alert=alert, by=other_commander)

    def test_sub_bureau_staff_can_approve(self, duty_officer, staff_user, audience):
        alert = draft(by=duty_officer, station=audience.station, audiences=[audience])
        assert services.alert_approve(alert=alert, by=staff_user).state == "approved"

    def test_approving_twice_is_refused_and_writes_no_more_rows(self, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        with pytest.raises(ValidationError):
            services.alert_approve(alert=alert, by=commander)
        assert alert.deliveries.count() == 1

    def test_an_alert_without_audiences_cant_be_approved(self, commander, station):
        with pytest.raises(ValidationError, match="audience"):
            services.alert_approve(alert=draft(by=commander, station=station), by=commander)


class CancelAndUpdateTests:
    def test_cancelling_a_draft_withdraws_it(self, duty_officer, station):
        alert = services.alert_cancel(alert=draft(by=duty_officer, station=station), by=duty_officer)
        assert alert.state == "cancelled" and alert.msg_type == "Alert"

    def test_cancelling_an_approved_alert_sends_a_cap_cancel_and_stops_what_is_unsent(self, commander, json_endpoint):
        original = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        cancel = services.alert_cancel(alert=original, by=commander, note="误报")
        original.refresh_from_db()
        assert cancel.msg_type == "Cancel" and cancel.references == original and cancel.state == "approved"
        assert original.state == "cancelled" and original.cancelled_by == commander
        assert original.deliveries.get().state == "dead"
        assert cancel.deliveries.count() == 1

    def test_a_duty_officers_cancel_of_an_approved_alert_waits_for_approval(
        self, commander, duty_officer, json_endpoint
    ):
        original = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        cancel = services.alert_cancel(alert=original, by=duty_officer)
        assert cancel.state == "draft" and cancel.msg_type == "Cancel"
        services.alert_approve(alert=cancel, by=commander)
        original.refresh_from_db()
        assert original.state == "cancelled"

    def test_an_update_copies_the_alert_and_references_it(self, commander, json_endpoint):
        original = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        update = services.alert_update(alert=original, by=commander, headline="孩子已找到")
        assert update.state == "draft" and update.msg_type == "Update" and update.references == original
        assert update.event == original.event and list(update.audiences.all()) == [json_endpoint.audience]

    def test_only_drafts_are_edited(self, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        with pytest.raises(ValidationError, match="Update"):
            services.alert_edit(alert=alert, by=commander, headline="x")


class AcknowledgementTests:
    def test_a_signed_link_acknowledges_its_delivery_once(self, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = alert.deliveries.get()
        Delivery.objects.filter(pk=row.pk).update(state="sent", sent_at=timezone.now())
        token = ack_token(row)
        first = services.delivery_acknowledge(token=token).acknowledged_at
        assert first is not None
        assert services.delivery_acknowledge(token=token).acknowledged_at == first

    def test_a_tampered_or_foreign_token_is_refused(self, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        token = ack_token(alert.deliveries.get())
        with pytest.raises(ValidationError, match="not valid"):
            services.delivery_acknowledge(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        from django.core import signing

        forged = signing.dumps({"d": alert.deliveries.get().pk, "k": "x"}, salt="other-purpose")
        with pytest.raises(ValidationError):
            services.delivery_acknowledge(token=forged)

    def test_every_send_of_a_delivery_carries_the_same_link(self, commander, json_endpoint):
        # a resend (after a failure or a crash) is the very same message under the same idempotency key
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = alert.deliveries.get()
        first = ack_token(row)
        with mock.patch("time.time", return_value=time.time() + 3600):
            assert ack_token(Delivery.objects.get(pk=row.pk)) == first
        other = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        assert ack_token(other.deliveries.get()) != first

    def test_an_expired_link_is_refused(self, settings, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        token = ack_token(alert.deliveries.get())
        settings.ALERT_ACK_MAX_AGE_DAYS = -1
        with pytest.raises(ValidationError, match="expired"):
            services.delivery_acknowledge(token=token)

    def test_the_ack_page_asks_before_it_records(self, client, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        row = alert.deliveries.get()
        Delivery.objects.filter(pk=row.pk).update(state="sent", sent_at=timezone.now())
        url = f"/alerts/ack/{ack_token(row)}/"
        assert client.get(url).status_code == 200
        row.refresh_from_db()
        assert row.acknowledged_at is None  # a link preview must not acknowledge
        response = client.post(url)
        assert response.status_code == 200 and b"ack-done" in response.content
        row.refresh_from_db()
        assert row.acknowledged_at is not None
        assert client.get("/alerts/ack/garbage/").status_code == 404


class ScheduleTests:
    def test_a_p1_incident_not_dispatched_in_time_is_escalated_once(self, settings, station, staff_audience, loopback):
        settings.ALERT_P1_ESCALATION_MINUTES = 10
        EndpointFactory(audience=staff_audience)
        late = IncidentFactory(
            station=station, priority=Priority.P1, reported_at=timezone.now() - timedelta(minutes=12)
        )
        IncidentFactory(station=station, priority=Priority.P1, reported_at=timezone.now() - timedelta(minutes=2))
        IncidentFactory(station=station, priority=Priority.P2, reported_at=timezone.now() - timedelta(minutes=30))
        made = services.p1_escalate()
        assert len(made) == 1 and made[0].source_incident == late
        assert made[0].state == "approved" and made[0].scope == "Restricted" and made[0].deliveries.count() == 1
        assert services.p1_escalate() == []
        assert Alert.objects.filter(auto_key__startswith="p1-escalation:").count() == 1

    def test_overdue_hazards_get_one_reminder_a_day(self, station, staff_audience):
        HazardFactory(station=station, due_date=date(2026, 5, 1), title="东湖栈道护栏缺失")
        HazardFactory(station=station, due_date=date(2026, 6, 1))
        assert len(services.hazard_remind_overdue(today=date(2026, 5, 10))) == 1
        assert services.hazard_remind_overdue(today=date(2026, 5, 10)) == []
        assert len(services.hazard_remind_overdue(today=date(2026, 5, 11))) == 1

    def test_the_weekly_bulletin_is_a_draft_with_last_weeks_figures_per_circle(self, station, circle, audience):
        monday = date(2026, 5, 18)
        last_week = timezone.make_aware(timezone.datetime(2026, 5, 13, 23, 0))
        IncidentFactory(station=station, circle=circle, category=Category.DRUNK_DISORDERLY, reported_at=last_week)
        IncidentFactory(station=station, circle=circle, category=Category.FIGHT, reported_at=last_week)
        IncidentFactory(station=station, circle=circle, reported_at=last_week - timedelta(days=14))  # not last week
        made = services.bulletin_draft_weekly(today=monday)
        bulletin = next(a for a in made if a.station == station)
        assert bulletin.state == "draft" and bulletin.kind == "bulletin"
        assert f"{circle.name}: 2 incidents" in bulletin.description
        assert list(bulletin.audiences.all()) == [audience]
        assert services.bulletin_draft_weekly(today=monday) == []

    def test_the_schedules_are_in_the_beat_schedule(self, settings):
        tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert {
            "alerts.tasks.sweep_deliveries",
            "alerts.tasks.escalate_p1_incidents",
            "alerts.tasks.draft_weekly_bulletins",
            "alerts.tasks.remind_overdue_hazards",
        } <= tasks
        weekly = settings.CELERY_BEAT_SCHEDULE["alerts-weekly-bulletin"]["schedule"]
        assert weekly.hour == {8} and weekly.minute == {0} and weekly.day_of_week == {1}


class DemoTests:
    def test_the_demo_data_loads_twice_without_duplicates_and_sends_nothing(self, station, receiver):
        from alerts.demo import load_alerts_demo

        first = load_alerts_demo()
        assert first["audiences"] == 4 and first["alerts"] == 2
        assert sum(load_alerts_demo().values()) == 0
        assert Delivery.objects.exclude(state="sent").count() == 0
        assert receiver.requests == []
