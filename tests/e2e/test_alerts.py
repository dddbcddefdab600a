"""The acceptance test of the alerts issue, in a real browser.

A duty officer drafts an alert from an incident and picks the plaza's police-community group, whose
channel is a plain-JSON webhook pointing at a local receiver; a commander approves it and watches
the deliveries panel (htmx polling) turn `sent`. The receiver gets the message exactly once.

Sending is made deterministic: Celery runs eagerly in the tests, but the approval's wake-up (enqueued
on commit) is caught in a list standing for the broker instead of being run inside the approval's
request. The page first shows the row `pending`; the test then plays the worker by running the
caught wake-up, and the panel's next poll shows `sent`. A sweep afterwards finds nothing left to do.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts import tasks
from alerts.choices import AlertState, AudienceGroup, DeliveryState
from alerts.models import Alert, Delivery
from incidents.choices import Category, Priority, Source
from incidents.services import incident_report
from portal.roles import Role
from tests.alerts.conftest import Receiver
from tests.factories import AudienceFactory, EndpointFactory, user_with_role

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def eager_celery():
    """Tasks run in-process (as in every unit test), whatever an earlier test left behind."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def broker(monkeypatch, eager_celery):
    """The wake-ups enqueued after commit, caught here (thread-safe list) instead of being run at once."""
    queued: list[dict] = []

    def apply_async(args=None, kwargs=None, **options):
        queued.append(dict(kwargs or {}))

    monkeypatch.setattr(tasks.process_deliveries, "apply_async", apply_async)
    return queued


@pytest.fixture
def loopback_webhooks(settings):
    """Let webhooks reach the test's receiver on 127.0.0.1 (production refuses loopback)."""
    settings.ALERT_WEBHOOK_ALLOWED_HOSTS = [*settings.ALERT_WEBHOOK_ALLOWED_HOSTS, "127.0.0.1"]
    settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = True
    cache.clear()  # rate-limit buckets of earlier tests
    yield settings
    cache.clear()


class AlertBroadcastTests:
    def test_draft_from_an_incident_approve_and_watch_the_delivery_turn_sent(
        self, open_page, login, network, browser_log, receiver, loopback_webhooks, broker
    ):
        station = network.own_station
        duty = user_with_role(Role.DUTY_OFFICER, username="duty", station=station, display_name="五里亭值班员")
        plaza = AudienceFactory(station=station, name="东方伟业广场警社群", group=AudienceGroup.POLICE_COMMUNITY)
        webhook = EndpointFactory(audience=plaza, name="广场群机器人", url=receiver.url("/hook/plaza"))
        staff = AudienceFactory(station=station, name="五里亭所领导", group=AudienceGroup.STAFF)
        EndpointFactory(audience=staff, name="所领导群", url=receiver.url("/hook/staff"))
        incident = incident_report(
            by=duty,
            category=Category.DRUNK_DISORDERLY,
            priority=Priority.P2,
            source=Source.PATROL_DISCOVERY,
            lat=26.6612,
            lng=119.5523,
            occurred_at=timezone.now() - timedelta(minutes=3),
            summary="广场出口醉酒男子滋事",
            address="东方伟业广场出口",
        )

        # --- the duty officer drafts the alert from the incident ------------------------------------
        page = open_page()
        login(page, "duty")
        page.goto(f"/alerts/alerts/add/?incident={incident.pk}")
        page.wait_for_selector("#object-form")
        assert page.input_value("#id_headline") == "广场出口醉酒男子滋事"
        assert page.input_value("#id_source_incident") == str(incident.pk)
        page.check(f"input[name=audiences][value='{plaza.pk}']")
        assert not page.is_checked(f"input[name=audiences][value='{staff.pk}']")
        with page.expect_navigation():
            page.click("#object-form button[type=submit]")

        alert = Alert.objects.get()
        assert page.url.endswith(alert.get_absolute_url()), page.url
        assert alert.state == AlertState.DRAFT and alert.source_incident == incident
        assert alert.drafted_by == duty and list(alert.audiences.all()) == [plaza]
        assert page.locator("#approve-button").count() == 0  # a duty officer only drafts
        assert not Delivery.objects.exists() and receiver.requests == []

        # --- the commander approves it ----------------------------------------------------------------
        page = open_page()
        login(page, "wuliting")
        page.goto(alert.get_absolute_url())
        with page.expect_navigation():
            page.click("#approve-button")
        assert page.url.endswith(alert.get_absolute_url())
        row = Delivery.objects.get()
        assert row.endpoint == webhook and row.state == DeliveryState.PENDING
        assert broker == [{"alert_id": alert.pk}]  # one wake-up, enqueued after the commit
        panel = page.locator("#deliveries")
        assert panel.get_attribute("data-unfinished") == "1"
        assert page.locator("#delivery-table tbody tr").get_attribute("data-state") == DeliveryState.PENDING
        page.evaluate("window.__samePage = true")  # gone if anything reloads the page

        # --- a worker takes the wake-up; the panel's polling shows the row sent -------------------------
        # (the route guard of every page holds browser requests while the test runs Python, so the
        # live server isn't answering a poll on the shared SQLite connection meanwhile)
        assert tasks.process_deliveries(**broker.pop()) == 1
        page.wait_for_selector("#deliveries[data-unfinished='0'] #delivery-table tr[data-state='sent']")
        assert page.evaluate("window.__samePage") is True
        assert page.locator("#delivery-summary [data-state='sent']").get_attribute("data-count") == "1"

        row.refresh_from_db()
        assert row.state == DeliveryState.SENT and row.attempts == 1 and row.sent_at
        # the beat's sweep finds nothing due or stuck: nothing goes out twice
        assert tasks.sweep_deliveries() == {"reclaimed": 0, "due": 0, "woken": 0}
        assert broker == []
        assert receiver.delivered() == {row.idempotency_key: 1}
        assert [r["path"] for r in receiver.requests] == ["/hook/plaza"]
        message = receiver.requests[0]["body"]
        assert message["idempotency_key"] == row.idempotency_key
        assert message["alerts"][0]["identifier"] == alert.identifier
        browser_log.assert_clean()
