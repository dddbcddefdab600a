"""Rules of the party organisation's rows: secondments don't overlap, zones lie inside their circle, and more."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from partyorg.models import PartyMember, Secondment, VanguardPost
from partyorg.services import party_member_remove, party_member_save, secondment_save
from patrols.choices import PostKind
from tests.factories import (
    CircleFactory,
    CommunityBranchFactory,
    MemberFactory,
    PartyBranchFactory,
    PartyMemberFactory,
    PostFactory,
    SecondmentFactory,
    ZoneFactory,
    square,
)


@pytest.mark.django_db
class SecondmentTests:
    def test_an_overlapping_secondment_of_the_same_member_is_refused_with_a_clear_error(self):
        first = SecondmentFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
        second = Secondment(
            member=first.member,
            community_branch=CommunityBranchFactory(station=first.member.branch.station),
            starts_on=date(2026, 6, 30),
            ends_on=date(2026, 12, 31),
        )
        with pytest.raises(ValidationError) as error:
            secondment_save(secondment=second)
        assert "overlapping" in " ".join(error.value.message_dict["starts_on"])
        assert Secondment.objects.count() == 1

    def test_an_open_ended_secondment_overlaps_every_later_one(self):
        first = SecondmentFactory(starts_on=date(2026, 1, 1), ends_on=None)
        later = Secondment(member=first.member, community_branch=first.community_branch, starts_on=date(2030, 1, 1))
        with pytest.raises(ValidationError):
            later.full_clean()

    def test_consecutive_secondments_are_accepted(self):
        first = SecondmentFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
        next_one = Secondment(
            member=first.member,
            community_branch=first.community_branch,
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 12, 31),
        )
        secondment_save(secondment=next_one)
        assert Secondment.objects.count() == 2

    def test_other_members_may_overlap(self):
        first = SecondmentFactory()
        other = PartyMemberFactory(branch=first.member.branch)
        secondment_save(
            secondment=Secondment(
                member=other, community_branch=first.community_branch, starts_on=first.starts_on, ends_on=None
            )
        )
        assert Secondment.objects.count() == 2

    def test_a_secondment_ending_before_it_starts_is_refused(self):
        secondment = SecondmentFactory.build(
            member=PartyMemberFactory(), starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1)
        )
        secondment.community_branch = CommunityBranchFactory(station=secondment.member.branch.station)
        with pytest.raises(ValidationError) as error:
            secondment.full_clean()
        assert "end before it starts" in str(error.value)

    def test_a_secondment_to_another_stations_community_is_refused(self, other_station):
        secondment = Secondment(
            member=PartyMemberFactory(),
            community_branch=CommunityBranchFactory(station=other_station),
            starts_on=date(2026, 1, 1),
        )
        with pytest.raises(ValidationError) as error:
            secondment.full_clean()
        assert "community_branch" in error.value.message_dict

    @pytest.mark.services
    def test_postgresql_refuses_an_overlap_that_skips_the_model_check(self):
        """The exclusion constraint is the last guard: a bulk insert bypassing clean() still fails."""
        if connection.vendor != "postgresql":
            pytest.skip("the exclusion constraint exists on PostgreSQL only")
        first = SecondmentFactory(starts_on=date(2026, 1, 1), ends_on=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            Secondment.objects.bulk_create(
                [Secondment(member=first.member, community_branch=first.community_branch, starts_on=date(2027, 1, 1))]
            )


@pytest.mark.django_db
class ZoneTests:
    def test_a_zone_outside_its_circle_is_refused(self, circle):
        zone = ZoneFactory.build(circle=circle, area=square(119.56, 26.66, 0.002))  # east of the circle
        with pytest.raises(ValidationError) as error:
            zone.full_clean()
        assert "inside its circle" in " ".join(error.value.message_dict["area"])

    def test_a_zone_reaching_over_its_circles_edge_is_refused(self, circle):
        zone = ZoneFactory.build(circle=circle, area=square(119.554, 26.66, 0.002))
        with pytest.raises(ValidationError):
            zone.full_clean()

    def test_a_zone_inside_its_circle_is_accepted(self, circle):
        zone = ZoneFactory.build(circle=circle, area=square(119.55, 26.66, 0.002))
        zone.full_clean()

    def test_members_of_another_station_cannot_answer_for_a_zone(self, circle, other_station):
        zone = ZoneFactory(circle=circle)
        stranger = PartyMemberFactory(branch=PartyBranchFactory(station=other_station))
        with pytest.raises(ValidationError):
            zone.validate_people(members=[stranger], informants=[])

    def test_an_informant_of_another_circle_cannot_be_placed_in_a_zone(self, circle, station):
        from tests.factories import InformantFactory

        zone = ZoneFactory(circle=circle)
        elsewhere = InformantFactory(circle=CircleFactory(station=station, boundary=square(119.56, 26.67)))
        with pytest.raises(ValidationError):
            zone.validate_people(members=[], informants=[elsewhere])


@pytest.mark.django_db
class RollTests:
    def test_putting_a_member_on_the_roll_marks_them_a_party_member_and_removing_clears_it(self, station):
        member = MemberFactory(station=station, is_party_member=False)
        pm = party_member_save(
            party_member=PartyMember(
                member=member, branch=PartyBranchFactory(station=station), joined_on=date(2020, 1, 1)
            )
        )
        member.refresh_from_db()
        assert member.is_party_member
        party_member_remove(party_member=pm)
        member.refresh_from_db()
        assert not member.is_party_member

    def test_a_member_of_another_station_cannot_be_on_the_roll(self, station, other_station):
        pm = PartyMember(
            member=MemberFactory(station=other_station),
            branch=PartyBranchFactory(station=station),
            joined_on=date(2020, 1, 1),
        )
        with pytest.raises(ValidationError) as error:
            pm.full_clean()
        assert "member" in error.value.message_dict

    def test_a_branch_has_one_secretary(self, station):
        branch = PartyBranchFactory(station=station)
        PartyMemberFactory(branch=branch, role="secretary")
        with pytest.raises(ValidationError):
            PartyMemberFactory.build(
                branch=branch, member=MemberFactory(station=station), role="secretary"
            ).full_clean()

    def test_only_a_vanguard_kind_post_can_be_a_vanguard_post(self, station):
        vanguard = VanguardPost(post=PostFactory(station=station, kind=PostKind.SECURITY_BOOTH))
        with pytest.raises(ValidationError) as error:
            vanguard.full_clean()
        assert "post" in error.value.message_dict
