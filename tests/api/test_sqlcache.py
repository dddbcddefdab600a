"""A list page's statement is compiled once per shape of query, and reads what Django's own statement reads."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from incidents.models import Incident
from portal.api import sqlcache
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

FIELDS = ("id", "number", "reported_at", "station_id", "circle__name")


@pytest.fixture
def incidents(station, other_station):
    now = timezone.now()
    return [
        IncidentFactory(station=station if i % 2 else other_station, reported_at=now - timedelta(minutes=i))
        for i in range(12)
    ]


def _both(build):
    """The rows of `build(queryset)` read as Django reads them, and through `compiled_once`."""
    plain = Incident.objects.values_list(*FIELDS, named=True)
    return list(build(plain)), list(build(sqlcache.compiled_once(plain)))


def _compiles(fn) -> int:
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as spy:
        fn()
    return spy.call_count


class CompiledOnceTests:
    def test_pages_of_one_shape_are_compiled_once_and_read_their_own_values(self, incidents, station, other_station):
        sqlcache._statements.clear()
        sqlcache._uncacheable.clear()
        rows = Incident.objects.order_by("-reported_at", "-pk")
        for stop, in_station in ((1, station), (3, other_station), (4, station), (2, other_station)):
            key = rows.filter(station=in_station).values_list("reported_at", "pk")[stop]

            def page(qs, key=key, in_station=in_station):
                beyond = Q(reported_at__lte=key[0]) & (
                    Q(reported_at__lt=key[0]) | Q(reported_at=key[0], pk__lt=key[1])
                )
                return qs.filter(station=in_station).filter(beyond).order_by("-reported_at", "-pk")[:4]

            expected, got = _both(page)
            assert got == expected and got and all(type(r).__name__ == "Row" for r in got)
            assert [r.id for r in got] == [r.id for r in expected]
        compiled = _compiles(
            lambda: list(page(sqlcache.compiled_once(Incident.objects.values_list(*FIELDS, named=True))))
        )
        assert compiled == 0  # the shape was compiled by the first page already

    def test_another_shape_is_compiled_for_itself(self, incidents, station):
        def first(qs):
            return qs.order_by("-reported_at", "-pk")[:5]

        def oldest(qs):
            return qs.order_by("reported_at", "pk")[:5]

        for build in (first, oldest):
            expected, got = _both(build)
            assert got == expected

    @pytest.mark.parametrize(
        "build",
        [
            lambda qs: qs.filter(pk__in=[]).order_by("pk")[:5],  # an empty result
            lambda qs: qs.none()[:5],
            lambda qs: qs.filter(circle__isnull=True).order_by("pk")[:5],
            lambda qs: qs.filter(number__startswith="2").order_by("pk")[:5],
            lambda qs: qs.order_by("pk"),  # not a page: read as Django reads it
        ],
    )
    def test_other_queries_read_as_django_reads_them(self, incidents, build):
        expected, got = _both(build)
        assert got == expected

    def test_the_same_rows_in_every_language_and_scope_of_the_api(self, api, make_token, commander, other_commander):
        own, other = IncidentFactory(station=commander.station), IncidentFactory(station=other_commander.station)
        for _ in range(2):
            first = api.as_token(make_token(commander)).get("/api/v1/incidents/").json()["results"]
            second = api.as_token(make_token(other_commander)).get("/api/v1/incidents/").json()["results"]
            assert [r["id"] for r in first] == [own.pk]
            assert [r["id"] for r in second] == [other.pk]


def test_an_id_beyond_the_column_reads_as_django_reads_it(incidents):
    for value in (2**70, -(2**70), 5):
        for build in (
            lambda qs, v=value: qs.filter(pk__lt=v).order_by("pk")[:3],
            lambda qs, v=value: qs.filter(pk__gt=v).order_by("pk")[:3],
            lambda qs, v=value: qs.filter(pk=v).order_by("pk")[:3],
        ):
            expected, got = _both(build)
            assert got == expected
