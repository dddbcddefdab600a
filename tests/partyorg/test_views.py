"""The party pages: scoped to the user's station, bad input changes nothing, and query counts stay flat."""

from datetime import time

import pytest
from django.urls import reverse

from partyorg.models import ResponsibilityZone, Secondment, VolunteerActivity
from tests.factories import (
    ActivityFactory,
    CommunityBranchFactory,
    PartnerFactory,
    PartyBranchFactory,
    PartyMemberFactory,
    SecondmentFactory,
    VanguardPostFactory,
    ZoneFactory,
    square,
)

STEMS = [
    "branch",
    "group",
    "partymember",
    "zone",
    "vanguardpost",
    "communitybranch",
    "secondment",
    "partner",
    "activity",
]


def rows_of(party, station):
    """One row of each model belonging to `station` (from the `party` data set)."""
    branch = party.branch if party.branch.station == station else party.other_branch
    pm = branch.party_members.first()
    circle = branch.groups.first().team.circle
    return {
        "branch": branch,
        "group": branch.groups.first(),
        "partymember": pm,
        "zone": ZoneFactory(
            circle=circle,
            area=square(
                circle.boundary["coordinates"][0][0][0] + 0.005, circle.boundary["coordinates"][0][0][1] + 0.005, 0.002
            ),
        ),
        "vanguardpost": VanguardPostFactory(post__station=station),
        "communitybranch": CommunityBranchFactory(station=station),
        "secondment": SecondmentFactory(member=pm),
        "partner": PartnerFactory(station=station),
        "activity": ActivityFactory(station=station),
    }


@pytest.mark.django_db
class ScopingTests:
    @pytest.mark.parametrize("stem", STEMS)
    def test_another_stations_row_answers_404_and_is_not_listed(
        self, client, party, station, other_station, commander, stem
    ):
        own = rows_of(party, station)[stem]
        other = rows_of(party, other_station)[stem]
        client.force_login(commander)
        assert client.get(reverse(f"partyorg:{stem}_detail", args=[own.pk])).status_code == 200
        assert client.get(reverse(f"partyorg:{stem}_detail", args=[other.pk])).status_code == 404
        listing = client.get(reverse(f"partyorg:{stem}_list"))
        assert listing.status_code == 200
        shown = {obj.pk for obj in listing.context["object_list"]}
        assert own.pk in shown and other.pk not in shown

    def test_another_stations_party_page_answers_404(self, client, party, commander, other_station, station):
        client.force_login(commander)
        assert client.get(reverse("partyorg:station_overview", args=[station.pk])).status_code == 200
        assert client.get(reverse("partyorg:station_overview", args=[other_station.pk])).status_code == 404

    def test_the_overview_of_a_station_user_shows_only_their_station(self, client, party, commander):
        client.force_login(commander)
        figures = client.get(reverse("partyorg:overview"), {"year": 2025}).context["figures"]
        assert [g.pk for g in figures.groups] == [party.group.pk]
        assert figures.party_members_credit.patrol_hours == 6.5

    def test_the_sub_bureau_overview_shows_every_station_with_its_figures(self, client, party, staff_user):
        client.force_login(staff_user)
        response = client.get(reverse("partyorg:overview"), {"year": 2025})
        assert len(response.context["station_rows"]) == 2
        assert response.context["figures"].party_members_credit.patrol_hours == 14.5
        assert b"A\xe9\x98\x9f\xe5\x85\x9a\xe5\xb0\x8f\xe7\xbb\x84" in response.content  # "A队党小组"

    def test_a_station_commander_may_look_but_not_change(self, client, party, commander):
        client.force_login(commander)
        assert client.get(reverse("partyorg:zone_create")).status_code == 403

    def test_the_partners_phone_is_masked(self, client, station, party_officer):
        partner = PartnerFactory(station=station, phone="13700001234")
        client.force_login(party_officer)
        content = client.get(reverse("partyorg:partner_detail", args=[partner.pk])).content.decode()
        assert "13700001234" not in content and "137****1234" in content


@pytest.mark.django_db
class FormTests:
    def test_an_overlapping_secondment_shows_an_error_and_saves_nothing(self, client, station, party_officer):
        first = SecondmentFactory(member=PartyMemberFactory(branch=PartyBranchFactory(station=station)))
        client.force_login(party_officer)
        response = client.post(
            reverse("partyorg:secondment_create"),
            {
                "member": first.member.pk,
                "community_branch": first.community_branch.pk,
                "position": "副书记",
                "starts_on": "2026-03-01",
                "ends_on": "2026-04-01",
            },
        )
        assert response.status_code == 200
        assert "overlapping" in " ".join(response.context["form"].errors["starts_on"])
        assert Secondment.objects.count() == 1

    def test_a_zone_outside_its_circle_shows_an_error_and_saves_nothing(self, client, station, circle, party_officer):
        client.force_login(party_officer)
        import json

        response = client.post(
            reverse("partyorg:zone_create"),
            {
                "circle": circle.pk,
                "name": "越界责任区",
                "colour": "#c62828",
                "area": json.dumps(square(119.57, 26.66, 0.002)),
            },
        )
        assert response.status_code == 200
        assert "inside its circle" in " ".join(response.context["form"].errors["area"])
        assert not ResponsibilityZone.objects.exists()

    def test_a_zone_inside_its_circle_is_saved_with_its_members(self, client, station, circle, party_officer):
        import json

        pm = PartyMemberFactory(branch=PartyBranchFactory(station=station))
        client.force_login(party_officer)
        response = client.post(
            reverse("partyorg:zone_create"),
            {
                "circle": circle.pk,
                "name": "广场责任区",
                "colour": "#c62828",
                "members": [pm.pk],
                "area": json.dumps(square(119.55, 26.66, 0.002)),
            },
        )
        assert response.status_code == 302
        assert list(ResponsibilityZone.objects.get().members.all()) == [pm]

    def test_an_activity_without_hours_shows_an_error_and_saves_nothing(self, client, station, party_officer):
        client.force_login(party_officer)
        response = client.post(
            reverse("partyorg:activity_create"),
            {
                "kind": "lei_feng",
                "title": "学雷锋",
                "held_on": "2026-03-05",
                "place": "服务站",
                "hours": "0",
                "beneficiaries": 5,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not VolunteerActivity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("stem", ["zone", "vanguardpost", "secondment", "partymember", "activity", "partner", "duty"])
def test_list_queries_do_not_grow_with_the_rows(
    client, party, station, staff_user, stem, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_user)
    url = reverse(f"partyorg:{stem}_list")
    rows = rows_of(party, station)
    rows["vanguardpost"].duties_rota.create(member=rows["partymember"], weekday=2, starts=time(8), ends=time(12))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        more = PartyMemberFactory(branch=party.branch)
        SecondmentFactory(member=more)
        ZoneFactory(circle=party.team_a.circle)
        vp = VanguardPostFactory(post__station=station)
        vp.members.add(more)
        ActivityFactory(station=station).participants.add(more.member)
        PartnerFactory(station=station)
        vp.duties_rota.create(member=more, weekday=1, starts=time(8), ends=time(12))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_the_overview_query_count_does_not_grow_with_the_rows(
    client, party, staff_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("partyorg:overview"))
    for _ in range(3):
        more = PartyMemberFactory(branch=party.branch)
        SecondmentFactory(member=more, starts_on="2020-01-01", ends_on=None)
        ZoneFactory(circle=party.team_a.circle)
        VanguardPostFactory(post__station=party.branch.station).members.add(more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("partyorg:overview"))
