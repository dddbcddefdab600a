"""The figures of the party-building pages, and the rule that credits patrol work to the party.

**The crediting rule** (one calendar year, in local time; a station's figures count only its rows):

* *A party group's team* is credited with
  - **patrol hours**: the total length of the team's patrol shifts that start in the year;
  - **resolved incidents**: the incidents resolved in the year (status resolved or closed, with
    `resolved_at` in the year) to which the team was assigned, each counted once.
* *A party member* (a member on the party roll) is credited with
  - **patrol hours**: the total length of the shifts they led (`PatrolShift.leader`) that start in
    the year, whichever team's;
  - **resolved incidents**: the incidents resolved in the year that had a team assigned while that
    team was on a shift led by the member: the assignment's dispatch time (its arrival time when the
    team found the incident itself) falls in [shift start, shift end). Each incident counts once
    per member; the "party members" total counts each incident once however many members share it.

Every figure is one aggregate query over the whole scope (grouped by team or by member), so the
number of queries doesn't grow with the number of groups, members, shifts or incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from incidents.choices import IncidentStatus
from incidents.models import Assignment
from patrols.models import PatrolShift

from .models import PartyGroup, PartyMember, ResponsibilityZone, Secondment, VanguardPost, VolunteerActivity

RESOLVED = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
SHIFT_LENGTH = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the year and of the next, in the portal's local time zone."""
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def hours(duration: timedelta | None) -> float:
    return round((duration or timedelta()).total_seconds() / 3600, 1)


@dataclass
class Credit:
    patrol_hours: float = 0.0
    shifts: int = 0
    resolved_incidents: int = 0


@dataclass
class PartyFigures:
    year: int
    groups: list = field(default_factory=list)  # PartyGroup with .credit
    members: list = field(default_factory=list)  # PartyMember with .credit, most hours first
    party_members_credit: Credit = field(default_factory=Credit)
    groups_credit: Credit = field(default_factory=Credit)
    zones: list = field(default_factory=list)
    vanguard_posts: list = field(default_factory=list)
    secondments: list = field(default_factory=list)  # in force today
    volunteer_hours: Decimal = Decimal(0)
    volunteer_activities: int = 0
    party_member_count: int = 0


def credited_assignments(stations: QuerySet, start: datetime, end: datetime) -> QuerySet:
    """Assignments of the scope's teams to incidents resolved in [start, end), each with `credited_to`:
    the party member who led the team's shift at the assignment's time (None when no party member did)."""
    leader = (
        PatrolShift.objects.filter(
            team=OuterRef("team"),
            starts_at__lte=OuterRef("credit_time"),
            ends_at__gt=OuterRef("credit_time"),
            leader__party_membership__isnull=False,
        )
        .order_by("starts_at", "pk")
        .values("leader__party_membership")[:1]
    )
    return (
        Assignment.objects.filter(
            team__station__in=stations,
            incident__status__in=RESOLVED,
            incident__resolved_at__gte=start,
            incident__resolved_at__lt=end,
        )
        .annotate(credit_time=Coalesce("dispatched_at", "arrived_at"))
        .annotate(credited_to=Subquery(leader))
    )


def party_figures(*, stations: QuerySet, year: int | None = None) -> PartyFigures:
    """Everything the party-building page shows for the given stations (already scoped to the user)."""
    year = year or timezone.localdate().year
    start, end = year_bounds(year)
    figures = PartyFigures(year=year)

    # party groups and their teams
    groups = list(
        PartyGroup.objects.filter(branch__station__in=stations)
        .select_related("branch", "team", "leader__member")
        .order_by("branch__station", "name")
    )
    team_ids = [group.team_id for group in groups]
    team_hours = {
        row["team"]: row
        for row in PatrolShift.objects.filter(team__in=team_ids, starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .values("team")
        .annotate(total=Sum(SHIFT_LENGTH), n=Count("pk"))
    }
    team_incidents = dict(
        Assignment.objects.filter(
            team__in=team_ids,
            incident__status__in=RESOLVED,
            incident__resolved_at__gte=start,
            incident__resolved_at__lt=end,
        )
        .order_by()
        .values("team")
        .annotate(n=Count("incident", distinct=True))
        .values_list("team", "n")
    )
    for group in groups:
        row = team_hours.get(group.team_id, {})
        group.credit = Credit(hours(row.get("total")), row.get("n", 0), team_incidents.get(group.team_id, 0))
        figures.groups_credit.patrol_hours += group.credit.patrol_hours
        figures.groups_credit.shifts += group.credit.shifts
    figures.groups_credit.patrol_hours = round(figures.groups_credit.patrol_hours, 1)
    figures.groups_credit.resolved_incidents = (
        Assignment.objects.filter(
            team__in=team_ids,
            incident__status__in=RESOLVED,
            incident__resolved_at__gte=start,
            incident__resolved_at__lt=end,
        )
        .values("incident")
        .distinct()
        .count()
    )

    # party members
    members = list(
        PartyMember.objects.filter(branch__station__in=stations).select_related("member", "branch", "group")
    )
    figures.party_member_count = len(members)
    led = {
        row["leader__party_membership"]: row
        for row in PatrolShift.objects.filter(
            leader__party_membership__branch__station__in=stations, starts_at__gte=start, starts_at__lt=end
        )
        .order_by()
        .values("leader__party_membership")
        .annotate(total=Sum(SHIFT_LENGTH), n=Count("pk"))
    }
    credited = credited_assignments(stations, start, end).filter(credited_to__isnull=False)
    member_incidents = dict(
        credited.order_by()
        .values("credited_to")
        .annotate(n=Count("incident", distinct=True))
        .values_list("credited_to", "n")
    )
    for member in members:
        row = led.get(member.pk, {})
        member.credit = Credit(hours(row.get("total")), row.get("n", 0), member_incidents.get(member.pk, 0))
    members.sort(key=lambda m: (-m.credit.patrol_hours, -m.credit.resolved_incidents, m.member.name))
    figures.members = members
    figures.groups = groups
    total = PatrolShift.objects.filter(
        leader__party_membership__branch__station__in=stations, starts_at__gte=start, starts_at__lt=end
    ).aggregate(total=Sum(SHIFT_LENGTH), n=Count("pk"))
    figures.party_members_credit = Credit(
        hours(total["total"]), total["n"], credited.order_by().values("incident").distinct().count()
    )

    # the organisation's places and people
    figures.zones = list(
        ResponsibilityZone.objects.filter(circle__station__in=stations)
        .select_related("circle")
        .annotate(member_count=Count("members", distinct=True), informant_count=Count("informants", distinct=True))
    )
    figures.vanguard_posts = list(
        VanguardPost.objects.filter(post__station__in=stations)
        .select_related("post")
        .annotate(member_count=Count("members", distinct=True), duty_count=Count("duties_rota", distinct=True))
    )
    figures.secondments = list(
        Secondment.objects.filter(member__branch__station__in=stations)
        .in_force()
        .select_related("member__member", "community_branch")
        .order_by("community_branch__community")
    )
    activity = VolunteerActivity.objects.filter(station__in=stations, held_on__year=year).aggregate(
        hours=Sum("hours"), n=Count("pk")
    )
    figures.volunteer_hours = activity["hours"] or Decimal(0)
    figures.volunteer_activities = activity["n"]
    return figures


def station_summaries(stations: QuerySet, year: int) -> dict[int, dict]:
    """Per station: volunteer hours of the year, secondments in force, groups, zones and vanguard posts."""
    summary: dict[int, dict] = {}

    def put(rows, key):
        for station_id, value in rows:
            summary.setdefault(station_id, {})[key] = value

    put(
        VolunteerActivity.objects.filter(station__in=stations, held_on__year=year)
        .order_by()
        .values("station")
        .annotate(v=Sum("hours"))
        .values_list("station", "v"),
        "volunteer_hours",
    )
    put(
        Secondment.objects.filter(member__branch__station__in=stations)
        .in_force()
        .order_by()
        .values("member__branch__station")
        .annotate(v=Count("pk"))
        .values_list("member__branch__station", "v"),
        "secondments",
    )
    put(
        PartyGroup.objects.filter(branch__station__in=stations)
        .order_by()
        .values("branch__station")
        .annotate(v=Count("pk"))
        .values_list("branch__station", "v"),
        "groups",
    )
    put(
        ResponsibilityZone.objects.filter(circle__station__in=stations)
        .order_by()
        .values("circle__station")
        .annotate(v=Count("pk"))
        .values_list("circle__station", "v"),
        "zones",
    )
    put(
        VanguardPost.objects.filter(post__station__in=stations)
        .order_by()
        .values("post__station")
        .annotate(v=Count("pk"))
        .values_list("post__station", "v"),
        "vanguard_posts",
    )
    put(
        PartyMember.objects.filter(branch__station__in=stations)
        .order_by()
        .values("branch__station")
        .annotate(v=Count("pk"))
        .values_list("branch__station", "v"),
        "party_members",
    )
    return summary
