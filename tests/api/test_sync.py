"""Listing for integrators: keyset pages (stable, no COUNT), bounded queries whatever the page size,
and incremental synchronisation that never misses a change, never repeats a row within a walk and
always ends, even while another thread changes records during the walk; deletions via tombstones."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections  # noqa: F401 - connection: the skipif condition
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident
from incidents.services import incident_cancel, incident_update
from portal.models import DeletedRecord
from tests.factories import IncidentFactory, InvolvedPersonFactory

EPOCH = "2000-01-01T00:00:00Z"


def walk(client, query: str, max_pages: int = 1000, pause: float = 0) -> tuple[list[dict], str]:
    """Follow `next` from the first page; the rows seen and the walk's next_updated_since."""
    url = f"/api/v1/incidents/?{query}"
    rows: list[dict] = []
    for _page in range(max_pages):
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows, body.get("next_updated_since")
        url = body["next"]
        time.sleep(pause)
    raise AssertionError("the walk did not end")


@pytest.mark.django_db
class PaginationTests:
    def test_pages_neither_skip_nor_repeat_and_have_no_count(self, api, make_token, commander, station):
        incidents = [IncidentFactory(station=station) for _ in range(7)]
        client = api.as_token(make_token(commander))
        first = client.get("/api/v1/incidents/?page_size=3").json()
        assert set(first) == {"next", "previous", "results"}
        rows, _ = walk(client, "page_size=3")
        assert sorted(r["id"] for r in rows) == sorted(i.pk for i in incidents)
        # newest first by default: reported_at descending
        assert [r["reported_at"] for r in rows] == sorted((r["reported_at"] for r in rows), reverse=True)

    def test_previous_links_walk_back_over_the_same_rows(self, api, make_token, commander, station):
        for _ in range(5):
            IncidentFactory(station=station)
        client = api.as_token(make_token(commander))
        page1 = client.get("/api/v1/incidents/?page_size=2&ordering=id").json()
        page2 = client.get(page1["next"]).json()
        back = client.get(page2["previous"]).json()
        assert [r["id"] for r in back["results"]] == [r["id"] for r in page1["results"]]
        assert back["previous"] is None

    def test_an_unknown_ordering_is_a_400(self, api, make_token, commander):
        response = api.as_token(make_token(commander)).get("/api/v1/incidents/?ordering=summary")
        assert response.status_code == 400 and "ordering" in response.json()["errors"]

    def test_a_cursor_of_another_ordering_is_a_400(self, api, make_token, commander, station):
        for _ in range(3):
            IncidentFactory(station=station)
        client = api.as_token(make_token(commander))
        next_url = client.get("/api/v1/incidents/?page_size=1&ordering=id").json()["next"]
        cursor = next_url.split("cursor=")[1].split("&")[0]
        assert client.get(f"/api/v1/incidents/?ordering=-id&cursor={cursor}").status_code == 400

    @pytest.mark.parametrize(
        "query",
        [
            "occurred_after=yesterday",
            "bbox=1,2,3",
            "bbox=120,30,119,26",
            "updated_since=soon",
            "station=abc",
            "status=x",
        ],
    )
    def test_malformed_filters_are_400_with_field_errors(self, api, make_token, commander, query):
        response = api.as_token(make_token(commander)).get(f"/api/v1/incidents/?{query}")
        assert response.status_code == 400
        assert query.split("=")[0] in response.json()["errors"]

    def test_filters_narrow_the_list(self, api, make_token, commander, station):
        near = IncidentFactory(station=station, lat=26.661, lng=119.551, category="theft")
        IncidentFactory(station=station, lat=26.70, lng=119.60, category="fight")
        client = api.as_token(make_token(commander))
        ids = lambda q: {r["id"] for r in client.get(f"/api/v1/incidents/?{q}").json()["results"]}  # noqa: E731
        assert ids("bbox=119.55,26.66,119.56,26.67") == {near.pk}
        assert ids("category=theft") == {near.pk}
        assert ids(f"q={near.summary}") == {near.pk}


@pytest.mark.django_db
class QueryCountTests:
    @pytest.mark.parametrize("route", ["/api/v1/incidents/", "/api/v1/incidents/?format=geojson"])
    def test_a_list_costs_the_same_queries_at_any_page_size(self, api, make_token, commander, station, circle, route):
        for _ in range(60):
            IncidentFactory(station=station, circle=circle)
        client = api.as_token(make_token(commander))
        sep = "&" if "?" in route else "?"
        counts = []
        for size in (5, 50):
            client.get(route)  # warm: the token's last_used_at is written at most once a minute
            with CaptureQueriesContext(connections["default"]) as captured:
                response = client.get(f"{route}{sep}page_size={size}")
            assert response.status_code == 200
            counts.append(len(captured))
            assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
        assert counts[0] == counts[1]
        assert counts[0] <= 8, counts

    def test_reference_lists_too(self, api, make_token, commander, station, django_assert_max_num_queries):
        from tests.factories import MemberFactory

        for _ in range(30):
            MemberFactory(station=station)
        client = api.as_token(make_token(commander))
        for size in (3, 30):
            with django_assert_max_num_queries(8):
                assert client.get(f"/api/v1/members/?page_size={size}").status_code == 200


@pytest.mark.django_db
class SyncContractTests:
    def test_a_walk_reports_the_next_watermark_and_the_next_poll_sees_only_later_changes(
        self, api, make_token, commander, station, settings
    ):
        settings.API_SYNC_SETTLE_SECONDS = 0
        old = IncidentFactory(station=station)
        client = api.as_token(make_token(commander))
        rows, mark = walk(client, f"updated_since={EPOCH}&page_size=2")
        assert [r["id"] for r in rows] == [old.pk] and mark
        assert walk(client, f"updated_since={mark}")[0] == []
        changed = incident_cancel(incident=old, by=commander, reason="重复报警")
        rows, _ = walk(client, f"updated_since={mark}")
        assert [(r["id"], r["status"]) for r in rows] == [(changed.pk, "cancelled")]

    def test_the_walk_stays_behind_now_by_the_settle_time(self, api, make_token, commander, station, settings):
        settings.API_SYNC_SETTLE_SECONDS = 60
        IncidentFactory(station=station)
        rows, mark = walk(api.as_token(make_token(commander)), f"updated_since={EPOCH}")
        assert rows == []  # changed less than a minute ago: maybe part of a transaction not yet committed
        assert mark < timezone.now().isoformat()

    def test_deletions_are_visible_as_tombstones_in_scope(
        self, api, make_token, commander, other_commander, station, other_station
    ):
        own = InvolvedPersonFactory(incident=IncidentFactory(station=station))
        other = InvolvedPersonFactory(incident=IncidentFactory(station=other_station))
        own_pk, other_pk = own.pk, other.pk
        own.delete()
        other.delete()
        assert DeletedRecord.objects.count() == 2
        body = api.as_token(make_token(commander)).get(f"/api/v1/deleted/?since={EPOCH}").json()
        assert [(r["model"], r["object_id"]) for r in body["results"]] == [("incidents.InvolvedPerson", str(own_pk))]
        assert body["next_updated_since"]
        other_body = api.as_token(make_token(other_commander)).get("/api/v1/deleted/?model=incidents.InvolvedPerson")
        assert [r["object_id"] for r in other_body.json()["results"]] == [str(other_pk)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers need PostgreSQL")
def test_a_sync_walk_under_concurrent_changes_misses_nothing_repeats_nothing_and_ends(
    api, make_token, commander, station, settings
):
    """A thread keeps editing incidents while the client walks; every walk ends without repeating a row,
    and the polls together end with every incident's latest version."""
    settings.API_SYNC_SETTLE_SECONDS = 0.3
    incidents = [IncidentFactory(station=station, reported_at=timezone.now() - timedelta(hours=1)) for _ in range(40)]
    client = api.as_token(make_token(commander))
    stop = threading.Event()
    errors: list[BaseException] = []
    changes = 0

    def change():
        nonlocal changes
        try:
            n = 0
            while not stop.is_set():
                incident = Incident.objects.get(pk=incidents[n % len(incidents)].pk)
                incident_update(incident=incident, by=commander, expected_version=incident.version, summary=f"改{n}")
                changes += 1
                n += 7
                time.sleep(0.005)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=change)
    latest: dict[int, int] = {}
    mark = EPOCH
    thread.start()
    try:
        polls, deadline = 0, time.monotonic() + 30
        while (polls < 5 or changes < 5) and time.monotonic() < deadline:
            polls += 1
            rows, mark = walk(client, f"updated_since={mark}&page_size=7", pause=0.05)
            ids = [r["id"] for r in rows]
            assert len(ids) == len(set(ids)), "a row came twice in one walk"
            for row in rows:
                assert row["version"] >= latest.get(row["id"], 0), "a walk went back in time"
                latest[row["id"]] = row["version"]
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert changes >= 5, "the other thread should have changed records during the walks"
    time.sleep(settings.API_SYNC_SETTLE_SECONDS + 0.1)
    rows, _ = walk(client, f"updated_since={mark}&page_size=7")
    for row in rows:
        latest[row["id"]] = row["version"]
    final = dict(Incident.objects.values_list("pk", "version"))
    assert latest == final
