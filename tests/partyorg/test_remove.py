"""Taking a member off the party roll: the page confirms, the service does it, a refusal changes nothing."""

from datetime import time

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from partyorg.models import PartyMember, VanguardDuty
from patrols.models import Member
from tests.factories import PartyMemberFactory, SecondmentFactory, VanguardPostFactory, ZoneFactory

pytestmark = pytest.mark.django_db


def remove_url(pm) -> str:
    return reverse("partyorg:partymember_remove", args=[pm.pk])


def test_the_member_page_offers_removal_only_to_who_may_remove(client, station, party_officer, commander):
    pm = PartyMemberFactory(branch__station=station, member__station=station)
    detail = reverse("partyorg:partymember_detail", args=[pm.pk])
    client.force_login(party_officer)
    assert remove_url(pm).encode() in client.get(detail).content
    client.force_login(commander)
    assert remove_url(pm).encode() not in client.get(detail).content
    assert client.get(remove_url(pm)).status_code == 403
    assert client.post(remove_url(pm)).status_code == 403
    assert PartyMember.objects.filter(pk=pm.pk).exists()


def test_removing_takes_the_member_off_the_roll_and_clears_the_flag(client, station, party_officer):
    pm = PartyMemberFactory(branch__station=station, member__station=station)
    post = VanguardPostFactory(post__station=station)
    post.members.add(pm)
    VanguardDuty.objects.create(vanguard_post=post, member=pm, weekday=1, starts=time(20), ends=time(23))
    member = pm.member
    assert Member.objects.get(pk=member.pk).is_party_member
    client.force_login(party_officer)
    page = client.get(remove_url(pm))
    assert page.status_code == 200
    assert str(pm) in page.content.decode()
    assert b"remove-consequences" in page.content

    response = client.post(remove_url(pm), follow=True)
    assert response.redirect_chain[-1][0] == reverse("partyorg:partymember_list")
    assert "taken off the party roll" in response.content.decode()
    assert not PartyMember.objects.filter(pk=pm.pk).exists()
    assert not Member.objects.get(pk=member.pk).is_party_member, "the patrol member stays, no longer a party member"
    assert not VanguardDuty.objects.filter(member_id=pm.pk).exists()
    assert post.members.count() == 0


def test_a_member_with_secondments_is_refused_with_the_reason_and_nothing_changes(client, station, party_officer):
    pm = PartyMemberFactory(branch__station=station, member__station=station)
    SecondmentFactory(member=pm)
    zone = ZoneFactory(circle__station=station)
    zone.members.add(pm)
    client.force_login(party_officer)
    response = client.post(remove_url(pm))
    assert response.status_code == 400
    assert "secondments on record" in response.content.decode()
    assert PartyMember.objects.filter(pk=pm.pk).exists()
    assert Member.objects.get(pk=pm.member_id).is_party_member
    assert list(zone.members.all()) == [pm]


def test_another_stations_member_answers_404(client, other_station, party_officer):
    other = PartyMemberFactory(branch__station=other_station, member__station=other_station)
    client.force_login(party_officer)
    assert client.get(remove_url(other)).status_code == 404
    assert client.post(remove_url(other)).status_code == 404
    assert PartyMember.objects.filter(pk=other.pk).exists()


def test_the_admin_does_not_offer_a_bare_delete(rf, staff_user):
    request = rf.get("/")
    request.user = staff_user
    assert not site._registry[PartyMember].has_delete_permission(request)
