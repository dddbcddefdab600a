"""The alerts pages: scope (404 out of it), permissions, prefilled drafts, approve/cancel, live deliveries,
dead rows with their retry, masked secrets, the schedules page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alerts.models import Alert, Delivery
from tests.alerts.helpers import approved, draft
from tests.factories import AudienceFactory, EndpointFactory, HazardFactory, IncidentFactory

pytestmark = pytest.mark.django_db


class PageTests:
    @pytest.mark.parametrize(
        "url",
        [
            "/alerts/alerts/",
            "/alerts/audiences/",
            "/alerts/endpoints/",
            "/alerts/deliveries/dead/",
            "/alerts/schedules/",
        ],
    )
    def test_the_lists_open_for_a_commander(self, client, commander, url):
        client.force_login(commander)
        assert client.get(url).status_code == 200

    def test_the_nav_menu_lists_the_alert_pages(self, client, commander):
        client.force_login(commander)
        content = client.get("/alerts/alerts/").content.decode()
        assert 'id="nav-alerts"' in content and "/alerts/schedules/" in content

    def test_an_alert_of_another_station_is_404(self, client, commander, other_commander, audience):
        alert = draft(by=commander, station=audience.station, audiences=[audience])
        client.force_login(other_commander)
        assert client.get(f"/alerts/alerts/{alert.pk}/").status_code == 404
        assert client.post(f"/alerts/alerts/{alert.pk}/approve/").status_code == 404

    def test_a_draft_form_is_prefilled_from_an_incident(self, client, duty_officer, station):
        incident = IncidentFactory(station=station, summary="广场出口醉酒滋事")
        client.force_login(duty_officer)
        response = client.get(f"/alerts/alerts/add/?incident={incident.pk}")
        assert response.status_code == 200
        assert response.context["form"].initial["headline"] == "广场出口醉酒滋事"
        assert response.context["form"].initial["source_incident"] == incident

    def test_a_hazard_of_another_station_cant_prefill(self, client, duty_officer, other_station):
        hazard = HazardFactory(station=other_station)
        client.force_login(duty_officer)
        assert client.get(f"/alerts/alerts/add/?hazard={hazard.pk}").status_code == 404

    def test_drafting_through_the_form_then_approving_as_commander(
        self, client, duty_officer, commander, audience, loopback
    ):
        EndpointFactory(audience=audience)
        client.force_login(duty_officer)
        response = client.post(
            "/alerts/alerts/add/",
            {
                "kind": "warning",
                "audiences": [audience.pk],
                "headline": "夜间商圈防盗提示",
                "event": "盗窃",
                "category": "Security",
                "urgency": "Expected",
                "severity": "Moderate",
                "certainty": "Likely",
                "status": "Actual",
                "scope": "Public",
                "language": "zh-CN",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        alert = Alert.objects.get()
        assert alert.station == duty_officer.station and alert.drafted_by == duty_officer
        page = client.get(alert.get_absolute_url()).content.decode()
        assert "approve-button" not in page  # a duty officer drafts, a commander approves
        client.force_login(commander)
        assert "approve-button" in client.get(alert.get_absolute_url()).content.decode()
        client.post(f"/alerts/alerts/{alert.pk}/approve/")
        alert.refresh_from_db()
        assert alert.state == "approved" and alert.deliveries.count() == 1

    def test_a_refused_approval_is_a_message_not_an_error(self, client, commander, station):
        alert = draft(by=commander, station=station)
        client.force_login(commander)
        response = client.post(f"/alerts/alerts/{alert.pk}/approve/", follow=True)
        assert response.status_code == 200
        assert "Choose at least one audience" in response.content.decode()

    def test_the_deliveries_panel_polls_while_rows_are_unfinished(self, client, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        client.force_login(commander)
        response = client.get(f"/alerts/alerts/{alert.pk}/deliveries/", HTTP_HX_REQUEST="true")
        content = response.content.decode()
        assert 'hx-trigger="every 3s"' in content and 'data-state="pending"' in content
        Delivery.objects.update(state="sent", sent_at=timezone.now(), acknowledged_at=timezone.now())
        content = client.get(f"/alerts/alerts/{alert.pk}/deliveries/").content.decode()
        assert 'hx-trigger="every 30s"' in content and 'data-acknowledged="1"' in content

    def test_dead_deliveries_are_listed_with_a_retry_that_resets_them(self, client, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        Delivery.objects.update(state="dead", attempts=8, last_error="HTTP 500")
        client.force_login(commander)
        content = client.get("/alerts/deliveries/dead/").content.decode()
        assert "HTTP 500" in content and "Retry" in content
        row = alert.deliveries.get()
        client.post(f"/alerts/deliveries/{row.pk}/retry/")
        row.refresh_from_db()
        assert row.state in ("pending", "sent", "failed") and row.attempts <= 1

    def test_a_duty_officer_cant_retry(self, client, duty_officer, commander, json_endpoint):
        alert = approved(by=commander, station=json_endpoint.audience.station, audiences=[json_endpoint.audience])
        Delivery.objects.update(state="dead")
        client.force_login(duty_officer)
        assert client.post(f"/alerts/deliveries/{alert.deliveries.get().pk}/retry/").status_code == 403

    def test_endpoint_pages_never_show_a_secret_in_full(self, client, commander, audience):
        robot = EndpointFactory(
            audience=audience,
            kind="dingtalk",
            url="https://oapi.dingtalk.com/robot/send?access_token=tok-secret-123456",
            secret="SECverysecret987654",
        )
        client.force_login(commander)
        for url in (
            robot.get_absolute_url(),
            "/alerts/endpoints/",
            f"/alerts/endpoints/{robot.pk}/edit/",
            audience.get_absolute_url(),
        ):
            content = client.get(url).content.decode()
            assert "tok-secret-123456" not in content and "SECverysecret987654" not in content, url

    def test_editing_an_endpoint_with_empty_secrets_keeps_them(self, client, commander, audience):
        robot = EndpointFactory(
            audience=audience,
            kind="dingtalk",
            url="https://oapi.dingtalk.com/robot/send?access_token=t",
            secret="SECx1234",
        )
        client.force_login(commander)
        response = client.post(
            f"/alerts/endpoints/{robot.pk}/edit/",
            {
                "audience": audience.pk,
                "kind": "dingtalk",
                "name": "新名字",
                "url": "",
                "secret": "",
                "address": "",
                "is_active": "on",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        robot.refresh_from_db()
        assert robot.name == "新名字" and robot.secret == "SECx1234" and robot.url.endswith("access_token=t")

    def test_an_endpoint_off_the_allow_list_is_a_form_error(self, client, commander, audience):
        client.force_login(commander)
        response = client.post(
            "/alerts/endpoints/add/",
            {
                "audience": audience.pk,
                "kind": "json",
                "name": "x",
                "url": "https://evil.example/hook",
                "is_active": "on",
            },
        )
        assert response.status_code == 200 and "allow-list" in response.content.decode()

    def test_audiences_of_another_station_are_not_listed(self, client, commander, other_station):
        AudienceFactory(station=other_station, name="别所的群")
        client.force_login(commander)
        assert "别所的群" not in client.get("/alerts/audiences/").content.decode()

    def test_the_schedules_page_shows_next_runs(self, client, commander):
        client.force_login(commander)
        content = client.get("/alerts/schedules/").content.decode()
        assert 'data-name="alerts-weekly-bulletin"' in content and "cron: 0 8" in content
