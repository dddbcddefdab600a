"""The map layers of the party organisation: GeoJSON of the user's own zones and vanguard posts."""

import pytest

from tests.factories import PartyBranchFactory, PartyMemberFactory, VanguardPostFactory, ZoneFactory, square


@pytest.mark.django_db
class PartyLayerTests:
    def test_zones_and_vanguard_posts_come_as_geojson_of_the_users_station_only(
        self, client, station, other_station, circle, commander
    ):
        from tests.factories import CircleFactory

        zone = ZoneFactory(circle=circle)
        zone.members.add(PartyMemberFactory(branch=PartyBranchFactory(station=station)))
        ZoneFactory(
            circle=CircleFactory(station=other_station, boundary=square(119.57, 26.67)),
            area=square(119.57, 26.67, 0.001),
        )
        own_post = VanguardPostFactory(post__station=station)
        VanguardPostFactory(post__station=other_station)
        client.force_login(commander)

        zones = client.get("/api/v1/responsibility-zones/?format=geojson").json()
        assert [f["id"] for f in zones["features"]] == [zone.pk]
        assert zones["features"][0]["geometry"]["type"] == "Polygon"
        assert len(zones["features"][0]["properties"]["members"]) == 1

        posts = client.get("/api/v1/vanguard-posts/?format=geojson").json()
        assert [f["id"] for f in posts["features"]] == [own_post.pk]
        assert posts["features"][0]["geometry"]["type"] == "Point"

    def test_the_map_page_names_the_party_layers(self, client, commander):
        client.force_login(commander)
        config = client.get("/map/").context["map_config"]
        assert set(config["party"]["layers"]) == {"zones", "vanguard"}
