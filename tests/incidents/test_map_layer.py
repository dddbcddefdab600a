"""The incidents layer of the map for a viewport: points when few, clusters counted by the server when many."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.choices import Category
from incidents.views import incident as layer
from portal import geo
from tests.factories import IncidentFactory

URL = reverse("incidents:incident_geojson")
# Two crowds a few metres across (about 2 km apart) and one incident on its own, 8 km away.
PLAZA = (26.6612, 119.5523)
HARBOUR = (26.6605, 119.5710)
LONE = (26.7200, 119.6300)
WHOLE = ",".join(str(v) for v in geo.bounds())


def around(place, i):
    """The i-th point of a crowd: a few metres apart, so that it stays one crowd at any zoom below 17."""
    return {"lat": place[0] + (i % 3) * 0.00002, "lng": place[1] + (i // 3) * 0.00002}


def crowds(station, plaza=6, harbour=5, lone=1, **kwargs):
    made = [IncidentFactory(station=station, **around(PLAZA, i), **kwargs) for i in range(plaza)]
    made += [IncidentFactory(station=station, **around(HARBOUR, i), **kwargs) for i in range(harbour)]
    made += [IncidentFactory(station=station, lat=LONE[0], lng=LONE[1], **kwargs) for _ in range(lone)]
    return made


def clusters_of(body):
    return [f for f in body["features"] if f["properties"].get("cluster")]


def points_of(body):
    return [f for f in body["features"] if not f["properties"].get("cluster")]


def represented(body) -> int:
    """How many incidents the features stand for: one per point, `count` per cluster."""
    return sum(f["properties"]["count"] for f in clusters_of(body)) + len(points_of(body))


@pytest.mark.django_db
class MapLayerClusteringTests:
    def test_a_crowded_view_at_low_zoom_comes_as_clusters_that_count_every_incident(
        self, client, commander, station, monkeypatch
    ):
        monkeypatch.setattr(layer, "POINT_LIMIT", 5)
        made = crowds(station)
        client.force_login(commander)
        body = client.get(URL, {"bbox": WHOLE, "zoom": 12}).json()

        assert body["clustered"] is True and body["zoom"] == 12
        assert body["total"] == len(made) == represented(body) == 12
        clusters = clusters_of(body)
        assert sorted(c["properties"]["count"] for c in clusters) == [5, 6]
        for cluster in clusters:
            props = cluster["properties"]
            assert sum(props["categories"].values()) == props["count"]
            assert props["label"]  # "6 起警情": what the marker's title says
            min_lng, min_lat, max_lng, max_lat = cluster["bbox"]
            lng, lat = cluster["geometry"]["coordinates"]
            assert min_lng <= lng <= max_lng and min_lat <= lat <= max_lat
        # The incident on its own is drawn as itself, with its link, not as a cluster of one.
        (lone,) = points_of(body)
        assert lone["properties"]["number"] == made[-1].number
        assert lone["properties"]["url"] == reverse("incidents:incident_detail", args=[made[-1].pk])

    def test_a_cluster_holds_only_incidents_of_its_own_spot(self, client, commander, station, monkeypatch):
        monkeypatch.setattr(layer, "POINT_LIMIT", 5)
        crowds(station)
        client.force_login(commander)
        body = client.get(URL, {"bbox": WHOLE, "zoom": 12}).json()
        by_count = {c["properties"]["count"]: c for c in clusters_of(body)}
        plaza_box, harbour_box = by_count[6]["bbox"], by_count[5]["bbox"]
        assert plaza_box[0] >= PLAZA[1] - 1e-9 and plaza_box[2] < HARBOUR[1]
        assert harbour_box[0] >= HARBOUR[1] - 1e-9

    def test_zoomed_in_with_few_in_view_every_incident_is_a_point(self, client, commander, station):
        made = crowds(station)
        client.force_login(commander)
        box = f"{PLAZA[1] - 0.002},{PLAZA[0] - 0.002},{PLAZA[1] + 0.002},{PLAZA[0] + 0.002}"
        body = client.get(URL, {"bbox": box, "zoom": 18}).json()
        assert body["clustered"] is False and body["total"] == 6
        assert not clusters_of(body)
        assert {f["properties"]["number"] for f in points_of(body)} == {i.number for i in made[:6]}

    def test_more_than_the_point_limit_is_clustered_even_zoomed_in_and_nothing_is_dropped(
        self, client, commander, station, monkeypatch
    ):
        monkeypatch.setattr(layer, "POINT_LIMIT", 3)
        crowds(station, harbour=0, lone=0)
        client.force_login(commander)
        box = f"{PLAZA[1] - 0.002},{PLAZA[0] - 0.002},{PLAZA[1] + 0.002},{PLAZA[0] + 0.002}"
        body = client.get(URL, {"bbox": box, "zoom": 16}).json()
        assert body["clustered"] is True
        assert body["total"] == represented(body) == 6

    def test_another_stations_incidents_are_never_counted(
        self, client, commander, staff_user, station, other_station, monkeypatch
    ):
        monkeypatch.setattr(layer, "POINT_LIMIT", 5)
        crowds(station)
        crowds(other_station, plaza=4, harbour=0, lone=0)
        client.force_login(commander)
        body = client.get(URL, {"bbox": WHOLE, "zoom": 12}).json()
        assert body["total"] == represented(body) == 12
        assert sorted(c["properties"]["count"] for c in clusters_of(body)) == [5, 6]

        client.force_login(staff_user)  # sub-bureau staff see every station
        body = client.get(URL, {"bbox": WHOLE, "zoom": 12}).json()
        assert body["total"] == represented(body) == 16
        assert sorted(c["properties"]["count"] for c in clusters_of(body)) == [5, 10]

    def test_the_viewport_period_and_filters_decide_what_is_counted(self, client, commander, station, monkeypatch):
        monkeypatch.setattr(layer, "POINT_LIMIT", 2)
        crowds(station, lone=0)  # fights, a few minutes ago
        crowds(station, plaza=3, harbour=0, lone=0, category=Category.THEFT)
        crowds(station, plaza=4, harbour=0, lone=0, reported_at=timezone.now() - timedelta(days=20))
        client.force_login(commander)
        plaza_only = f"{PLAZA[1] - 0.01},{PLAZA[0] - 0.01},{PLAZA[1] + 0.01},{PLAZA[0] + 0.01}"

        body = client.get(URL, {"bbox": plaza_only, "zoom": 12}).json()
        assert body["total"] == represented(body) == 6 + 3
        (cluster,) = clusters_of(body)
        assert cluster["properties"]["categories"] == {"fight": 6, "theft": 3}

        body = client.get(URL, {"bbox": plaza_only, "zoom": 12, "period": "30d"}).json()
        assert body["total"] == represented(body) == 6 + 3 + 4

        body = client.get(URL, {"bbox": plaza_only, "zoom": 12, "category": "theft"}).json()
        assert body["total"] == represented(body) == 3

        body = client.get(URL, {"bbox": WHOLE, "zoom": 12}).json()
        assert body["total"] == represented(body) == 6 + 5 + 3

    def test_a_whole_area_asked_for_at_street_zoom_is_clustered_coarsely_enough(
        self, client, commander, station, monkeypatch
    ):
        """However large the box, the cells are coarse enough that the answer stays small."""
        monkeypatch.setattr(layer, "POINT_LIMIT", 5)
        crowds(station)
        client.force_login(commander)
        body = client.get(URL, {"bbox": WHOLE, "zoom": 20}).json()
        assert body["zoom"] == geo.zoom_to_fit(geo.bounds(), layer.VIEWPORT_PX) < 20
        assert body["total"] == represented(body) == 12

    def test_a_clustered_answer_takes_one_query_more_than_points_however_many_rows(
        self, client, commander, station, monkeypatch, django_assert_num_queries
    ):
        monkeypatch.setattr(layer, "POINT_LIMIT", 5)
        crowds(station)
        client.force_login(commander)
        client.get(URL, {"bbox": WHOLE, "zoom": 12})
        crowds(station, plaza=20, harbour=20, lone=0)
        # the session, the user, their permissions (2) and roles, the points (stopped after the limit),
        # the cells, the lone points, and the session saved again (savepoint, update, release)
        with django_assert_num_queries(11):
            body = client.get(URL, {"bbox": WHOLE, "zoom": 12}).json()
        assert body["total"] == represented(body) == 12 + 40
        assert len(points_of(body)) == 1


@pytest.mark.django_db
class MapLayerBadInputTests:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"zoom": "abc"}, "zoom"),
            ({"zoom": "-1"}, "zoom"),
            ({"zoom": "21"}, "zoom"),
            ({"zoom": "12.5"}, "zoom"),
            ({"bbox": "119.5,26.6,119.6"}, "bbox"),
            ({"bbox": "119.6,26.6,119.5,26.7"}, "bbox"),
            ({"bbox": "a,b,c,d"}, "bbox"),
            ({"period": "1y"}, "period"),
        ],
    )
    def test_a_bad_parameter_is_a_400_naming_it(self, client, commander, station, params, field):
        IncidentFactory(station=station)
        client.force_login(commander)
        response = client.get(URL, params)
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert list(errors) == [field]
        assert errors[field][0]["message"]

    def test_anonymous_visitors_get_no_incidents(self, client, station):
        IncidentFactory(station=station)
        response = client.get(URL, {"bbox": WHOLE, "zoom": 12})
        assert response.status_code in (302, 403)
