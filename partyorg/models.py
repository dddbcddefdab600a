"""The party organisation of the patrol circles (党建引领): branches, groups, members, responsibility
zones, vanguard posts with their rota, secondments to community branches, volunteer activity and
co-building partners.

Every row belongs to one station (directly or through the row it hangs on) and is read through
`visible_to(user)` like the rest of the portal.

**Party roll and `Member.is_party_member`.** The party roll is `PartyMember`: one row per patrol
`Member` who is in the party, with the branch, role and date joined. `Member.is_party_member` is a
flag kept in step with the roll by `partyorg.services.party_member_save` (sets it) and
`party_member_remove` (clears it), so the patrol pages can filter on it without a join. A
`PartyMember` row can only be written for a member of the branch's station.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patrols.choices import PostKind
from patrols.models import Informant, Member, PatrolCircle, PatrolPost, PatrolTeam, Station, phone_validator
from portal import geo
from portal.models import LocatedModel

from . import querysets
from .choices import ActivityKind, PartnerKind, PartyRole, Weekday


class PartyBranch(models.Model):
    """The party branch (党支部) of a police station: one per station, led by its secretary."""

    station = models.OneToOneField(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="party_branch"
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    secretary = models.ForeignKey(
        Member,
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A party member of this branch."),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = querysets.BranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["station"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partyorg:branch_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.secretary_id:
            membership = PartyMember.objects.filter(member_id=self.secretary_id).first()
            if self.pk is None or membership is None or membership.branch_id != self.pk:
                raise ValidationError({"secretary": _("The secretary must be on this branch's party roll.")})


class PartyGroup(models.Model):
    """A party group (党小组) within a branch, attached to one patrol team of the branch's station."""

    branch = models.ForeignKey(PartyBranch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.OneToOneField(
        PatrolTeam, verbose_name=_("patrol team"), on_delete=models.PROTECT, related_name="party_group"
    )
    leader = models.ForeignKey(
        "PartyMember",
        verbose_name=_("group leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = querysets.GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["branch", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partyorg:group_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.team_id and self.branch_id and self.team.station_id != self.branch.station_id:
            raise ValidationError({"team": _("The team belongs to another station than the branch.")})
        if self.leader_id and self.branch_id and self.leader.branch_id != self.branch_id:
            raise ValidationError({"leader": _("The group leader must be on this branch's party roll.")})


class PartyMember(models.Model):
    """A patrol `Member` on a branch's party roll: role, date joined, and the group they are in."""

    member = models.OneToOneField(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="party_membership"
    )
    branch = models.ForeignKey(
        PartyBranch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="party_members"
    )
    group = models.ForeignKey(
        PartyGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices, default=PartyRole.MEMBER)
    joined_on = models.DateField(_("date joined"))

    # a party member is shown by their patrol member's name everywhere (choices, lists): always joined
    objects = querysets.PartyMemberManager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["branch", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(role=PartyRole.SECRETARY),
                name="party_one_secretary_per_branch",
                violation_error_message=_("This branch already has a secretary on its roll."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.member)

    def get_absolute_url(self) -> str:
        return reverse("partyorg:partymember_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.member_id and self.branch_id and self.member.station_id != self.branch.station_id:
            raise ValidationError({"member": _("The member belongs to another station than the branch.")})
        if self.group_id and self.branch_id and self.group.branch_id != self.branch_id:
            raise ValidationError({"group": _("The group belongs to another branch.")})


def _same_station(people, station_id: int, field: str, message) -> None:
    """Refuse people (party members or informants) of a station other than `station_id`."""
    for person in people:
        person_station = (
            person.branch.station_id if isinstance(person, PartyMember) else person.circle.station_id  # Informant
        )
        if person_station != station_id:
            raise ValidationError({field: message % {"name": person}})


class ResponsibilityZone(models.Model):
    """A party-member responsibility zone (党员责任区): an area inside a circle, members answerable for it,
    its tasks, and the informants placed in it."""

    circle = models.ForeignKey(
        PatrolCircle, verbose_name=_("circle"), on_delete=models.PROTECT, related_name="responsibility_zones"
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    area = models.JSONField(_("area"), help_text=_("A GeoJSON Polygon or MultiPolygon inside the circle."))
    tasks = models.TextField(_("tasks"), blank=True)
    members = models.ManyToManyField(
        PartyMember, verbose_name=_("members answerable"), blank=True, related_name="zones"
    )
    informants = models.ManyToManyField(Informant, verbose_name=_("informants"), blank=True, related_name="zones")
    colour = models.CharField(_("colour"), max_length=7, default="#c62828")

    objects = querysets.ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility zone")
        verbose_name_plural = _("responsibility zones")
        ordering = ["circle", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partyorg:zone_detail", args=[self.pk])

    def clean(self):
        super().clean()
        try:
            self.area = geo.validate_area(self.area)
        except ValidationError as error:
            raise ValidationError({"area": error.messages}) from None
        if self.circle_id and not geo.area_within(self.area, self.circle.boundary):
            raise ValidationError(
                {"area": _("The zone must lie inside its circle “%(circle)s”.") % {"circle": self.circle}}
            )

    def validate_people(self, *, members, informants) -> None:
        """Members answerable and informants must be of the circle's station (informants: of the circle)."""
        _same_station(members, self.circle.station_id, "members", _("%(name)s is on another station's roll."))
        for informant in informants:
            if informant.circle_id != self.circle_id:
                raise ValidationError({"informants": _("%(name)s works in another circle.") % {"name": informant}})


class VanguardPost(models.Model):
    """A party-member vanguard post (党员先锋岗): a patrol post of kind vanguard post, with members on duty
    (their rota is `VanguardDuty`) and the informants placed at it."""

    post = models.OneToOneField(
        PatrolPost,
        verbose_name=_("patrol post"),
        on_delete=models.PROTECT,
        related_name="vanguard",
        limit_choices_to={"kind": PostKind.VANGUARD_POST},
    )
    pledge = models.CharField(_("pledge"), max_length=200, blank=True, help_text=_("The post's public commitment."))
    duties = models.TextField(_("duties"), blank=True)
    members = models.ManyToManyField(
        PartyMember, verbose_name=_("members on duty"), blank=True, related_name="vanguard_posts"
    )
    informants = models.ManyToManyField(
        Informant, verbose_name=_("informants"), blank=True, related_name="vanguard_posts"
    )

    objects = querysets.VanguardPostManager()

    class Meta:
        verbose_name = _("vanguard post")
        verbose_name_plural = _("vanguard posts")
        ordering = ["post__name"]

    def __str__(self) -> str:
        return str(self.post)

    def get_absolute_url(self) -> str:
        return reverse("partyorg:vanguardpost_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.post_id and self.post.kind != PostKind.VANGUARD_POST:
            raise ValidationError({"post": _("Only a post of the kind “party-member vanguard post” can be one.")})

    def validate_people(self, *, members, informants) -> None:
        station_id = self.post.station_id
        _same_station(members, station_id, "members", _("%(name)s is on another station's roll."))
        _same_station(informants, station_id, "informants", _("%(name)s works for another station."))


class VanguardDuty(models.Model):
    """One line of a vanguard post's rota: a party member on duty every given weekday, or on one date,
    from a start to an end time (an end before the start runs past midnight)."""

    vanguard_post = models.ForeignKey(
        VanguardPost, verbose_name=_("vanguard post"), on_delete=models.CASCADE, related_name="duties_rota"
    )
    member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="vanguard_duties"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    on_date = models.DateField(_("date"), null=True, blank=True)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    objects = querysets.DutyQuerySet.as_manager()

    class Meta:
        verbose_name = _("vanguard duty")
        verbose_name_plural = _("vanguard rota")
        ordering = ["vanguard_post", "weekday", "on_date", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__isnull=False, on_date__isnull=True)
                | Q(weekday__isnull=True, on_date__isnull=False),
                name="vanguard_duty_weekday_or_date",
                violation_error_message=_("Give either a weekday or a date, not both."),
            ),
            models.CheckConstraint(
                condition=~Q(starts=F("ends")),
                name="vanguard_duty_not_empty",
                violation_error_message=_("A duty must end at another time than it starts."),
            ),
        ]

    def __str__(self) -> str:
        day = self.get_weekday_display() if self.weekday else self.on_date
        return f"{self.member} {day} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("partyorg:duty_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (
            self.member_id
            and self.vanguard_post_id
            and self.member.branch.station_id != self.vanguard_post.post.station_id
        ):
            raise ValidationError({"member": _("The member is on another station's roll.")})


class CommunityBranch(LocatedModel):
    """A community's party branch (社区党支部) that the station's officers are seconded to."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="community_branches"
    )
    community = models.CharField(_("community"), max_length=100)
    name = models.CharField(_("branch name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = querysets.CommunityBranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("community branch")
        verbose_name_plural = _("community branches")
        ordering = ["station", "community"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partyorg:communitybranch_detail", args=[self.pk])


class Secondment(models.Model):
    """A party member seconded (挂职) as deputy secretary of a community branch, from a day to a day.

    A member holds at most one secondment on any day: `clean()` refuses an overlap, the service
    `secondment_save` locks the member while it checks and writes, and on PostgreSQL an exclusion
    constraint (migration 0002) refuses it in the database too. `ends_on` empty: open-ended.
    """

    member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="secondments"
    )
    community_branch = models.ForeignKey(
        CommunityBranch, verbose_name=_("community branch"), on_delete=models.PROTECT, related_name="secondments"
    )
    position = models.CharField(_("position"), max_length=50, default=_("Deputy secretary"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("Leave empty while open-ended."))
    notes = models.TextField(_("notes"), blank=True)

    objects = querysets.SecondmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("secondment")
        verbose_name_plural = _("secondments")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="secondment_ends_after_start",
                violation_error_message=_("A secondment can't end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community_branch}"

    def get_absolute_url(self) -> str:
        return reverse("partyorg:secondment_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (
            self.member_id
            and self.community_branch_id
            and self.member.branch.station_id != self.community_branch.station_id
        ):
            raise ValidationError({"community_branch": _("The community branch is in another station's area.")})
        if self.member_id and self.starts_on and (self.ends_on is None or self.ends_on >= self.starts_on):
            clash = (
                Secondment.objects.overlapping(self.member_id, self.starts_on, self.ends_on)
                .exclude(pk=self.pk)
                .select_related("community_branch")
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    {
                        "starts_on": _(
                            "%(member)s is already seconded to %(branch)s from %(start)s to %(end)s; "
                            "a member can't hold two overlapping secondments."
                        )
                        % {
                            "member": self.member,
                            "branch": clash.community_branch,
                            "start": clash.starts_on,
                            "end": clash.ends_on or _("open end"),
                        }
                    }
                )

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Partner(models.Model):
    """A co-building unit (共建单位): hospital, school, enterprise, department or rescue organisation, with
    its agreement and contact. The ecological circle's departments are partners too."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="partners")
    circle = models.ForeignKey(
        PatrolCircle,
        verbose_name=_("circle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
        help_text=_("The circle the partner works with, if one."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=PartnerKind.choices)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_ends_on = models.DateField(_("agreement ends on"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    cooperation = models.TextField(
        _("cooperation"), blank=True, help_text=_("What the partner and the police do together.")
    )

    objects = querysets.PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("co-building partner")
        verbose_name_plural = _("co-building partners")
        ordering = ["station", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement_ends_on__isnull=True)
                | Q(agreement_signed_on__isnull=True)
                | Q(agreement_ends_on__gte=F("agreement_signed_on")),
                name="partner_agreement_order",
                violation_error_message=_("The agreement can't end before it was signed."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partyorg:partner_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.circle_id and self.station_id and self.circle.station_id != self.station_id:
            raise ValidationError({"circle": _("The circle belongs to another station.")})


class VolunteerActivity(models.Model):
    """A volunteer activity: its type, date, place, participants, beneficiaries and volunteer hours.

    Participants are patrol members: party members and the youth-league members among them
    (`Member.is_youth_league`, "party building drives league building"). `hours` are the volunteer
    hours given in all (person-hours), the figure the party-building pages add up.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="volunteer_activities"
    )
    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=150)
    held_on = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=150)
    participants = models.ManyToManyField(Member, verbose_name=_("participants"), related_name="volunteer_activities")
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0, help_text=_("People served."))
    hours = models.DecimalField(
        _("volunteer hours"), max_digits=7, decimal_places=1, help_text=_("Person-hours given in all.")
    )
    description = models.TextField(_("description"), blank=True)

    objects = querysets.ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="activity_hours_positive",
                violation_error_message=_("The volunteer hours must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("partyorg:activity_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.partner_id and self.station_id and self.partner.station_id != self.station_id:
            raise ValidationError({"partner": _("The partner works with another station.")})

    def validate_people(self, *, participants) -> None:
        for member in participants:
            if member.station_id != self.station_id:
                raise ValidationError(
                    {"participants": _("%(name)s is a member of another station.") % {"name": member}}
                )


# Every change is audited; the people attached to zones, posts and activities too (m2m changes).
for _model in (PartyBranch, PartyGroup, PartyMember, VanguardDuty, CommunityBranch, Secondment):
    auditlog.register(_model)
auditlog.register(ResponsibilityZone, m2m_fields={"members", "informants"})
auditlog.register(VanguardPost, m2m_fields={"members", "informants"})
auditlog.register(VolunteerActivity, m2m_fields={"participants"})
auditlog.register(Partner, mask_fields=["phone"])
