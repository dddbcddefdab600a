"""The credited figures of the party-building pages, against values worked out by hand (see conftest.party)."""

import pytest

from partyorg.credit import party_figures
from patrols.models import Station


@pytest.mark.django_db
class CreditTests:
    def figures(self, party, year=2025):
        return party_figures(stations=Station.objects.filter(pk=party.branch.station_id), year=year)

    def test_a_party_groups_team_is_credited_with_its_shifts_and_resolved_incidents_of_the_year(self, party):
        """Team A: A1 (4 h) + A2 (6 h); A3 started in 2024. Resolved: I1, I2, I3 (I4 open, I5 resolved in 2024)."""
        (group,) = self.figures(party).groups
        assert group == party.group
        assert (group.credit.shifts, group.credit.patrol_hours, group.credit.resolved_incidents) == (2, 10.0, 3)

    def test_party_members_are_credited_with_the_shifts_they_led_and_the_incidents_of_those_shifts(self, party):
        """P1 led A1 (4 h): I1 (dispatch in A1) and I3 (arrival in A1); P2 led B1 (2.5 h): I3. N's I2 is nobody's."""
        figures = self.figures(party)
        credit = {
            pm.pk: (pm.credit.shifts, pm.credit.patrol_hours, pm.credit.resolved_incidents) for pm in figures.members
        }
        assert credit == {party.p1.pk: (1, 4.0, 2), party.p2.pk: (1, 2.5, 1)}
        assert [pm.pk for pm in figures.members] == [party.p1.pk, party.p2.pk]  # most hours first

    def test_the_party_members_total_counts_each_incident_once(self, party):
        """I3 is credited to both P1 and P2 but counts once: 2 incidents (I1, I3), 6.5 h over 2 shifts."""
        total = self.figures(party).party_members_credit
        assert (total.shifts, total.patrol_hours, total.resolved_incidents) == (2, 6.5, 2)

    def test_another_year_has_its_own_figures(self, party):
        """In 2024 only A3's first hours count by start: A3 (6 h, P1) and I5 resolved that year during A3."""
        figures = self.figures(party, year=2024)
        assert (figures.groups[0].credit.patrol_hours, figures.groups[0].credit.resolved_incidents) == (6.0, 1)
        assert figures.party_members_credit.resolved_incidents == 1

    def test_the_sub_bureau_figures_add_every_station(self, party):
        """Over both stations: the other station's party member led 8 h more."""
        figures = party_figures(stations=Station.objects.all(), year=2025)
        assert figures.party_members_credit.patrol_hours == 14.5
        assert len(figures.groups) == 2
        assert figures.party_member_count == 3

    def test_the_figures_take_a_fixed_number_of_queries(self, party, django_assert_num_queries):
        with django_assert_num_queries(13):
            self.figures(party)
