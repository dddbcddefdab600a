"""Fixtures of the API tests: tokens, a client that sends one, and incidents of two stations."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.choices import Category, Priority, Source
from incidents.services import incident_report
from portal.tokens import token_create
from tests.factories import CircleFactory, square

ALL_READ = "incidents:read,reference:read"
INSIDE_A = (26.6612, 119.5523)
INSIDE_B = (26.6605, 119.5710)


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Throttle counters live in the cache: start each test from none, with generous rates."""
    cache.clear()
    settings.API_THROTTLE_RATES = {"token": "10000/minute", "anon": "10000/minute"}
    settings.API_SYNC_SETTLE_SECONDS = 0


@pytest.fixture
def make_token(db):
    def make(user, scopes=ALL_READ, days=30, name="test client"):
        return token_create(user=user, name=name, scopes=scopes, days=days)[1]

    return make


@pytest.fixture
def api():
    """An API client; `api.as_token(raw)` sends the token from then on."""

    client = APIClient()

    def as_token(raw):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    client.as_token = as_token
    return client


@pytest.fixture
def circle_b(other_station):
    return CircleFactory(station=other_station, name="和谐工业圈", boundary=square(119.57, 26.66))


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
