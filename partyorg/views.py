"""Pages of the party organisation: the generic scoped list/detail/create/update of every model, the
reveal of partners' phones, and the party-building pages of the sub-bureau and of each station."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from patrols.models import Station
from patrols.views import MapDetailView, area_feature, collection, point_feature
from portal.generic import (
    Column,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectRemoveView,
    ObjectUpdateView,
    Personal,
    RevealView,
)
from portal.roles import sees_all_stations

from . import credit, filtersets, forms, services
from .models import (
    CommunityBranch,
    Partner,
    PartyBranch,
    PartyGroup,
    PartyMember,
    ResponsibilityZone,
    Secondment,
    VanguardDuty,
    VanguardPost,
    VolunteerActivity,
)


def names(attr: str):
    """A cell listing the people of a many-to-many field (prefetched by the view)."""

    def cell(obj) -> str:
        return ", ".join(str(person) for person in getattr(obj, attr).all())

    return cell


class ServiceSaveMixin:
    """A service's refusal at save time (e.g. a race the form's check couldn't see) goes back on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


def edit_views(model_, form_class_):
    class Create(ServiceSaveMixin, ObjectCreateView):
        model = model_
        form_class = form_class_

    class Update(ServiceSaveMixin, ObjectUpdateView):
        model = model_
        form_class = form_class_

    return Create, Update


# --- branches, groups and the party roll ----------------------------------------------------------


class BranchListView(ObjectListView):
    model = PartyBranch
    filterset_class = filtersets.BranchFilterSet
    select_related = ("station", "secretary")
    columns = [Column("name", link=True), Column("station"), Column("secretary"), Column("founded_on")]


class BranchDetailView(ObjectDetailView):
    model = PartyBranch
    select_related = ("station", "secretary")
    fields = ["name", "station", "secretary", "founded_on", "notes"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["groups"] = PartyGroup.objects.visible_to(user).filter(branch=self.object).select_related("team")
        context["party_members"] = (
            PartyMember.objects.visible_to(user).filter(branch=self.object).select_related("member", "group")
        )
        return context


BranchCreateView, BranchUpdateView = edit_views(PartyBranch, forms.BranchForm)


class GroupListView(ObjectListView):
    model = PartyGroup
    filterset_class = filtersets.GroupFilterSet
    select_related = ("branch", "team", "leader__member")
    columns = [Column("name", link=True), Column("branch"), Column("team"), Column("leader")]


class GroupDetailView(ObjectDetailView):
    model = PartyGroup
    select_related = ("branch", "team", "leader__member")
    fields = ["name", "branch", "team", "leader"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["party_members"] = (
            PartyMember.objects.visible_to(self.request.user).filter(group=self.object).select_related("member")
        )
        return context


GroupCreateView, GroupUpdateView = edit_views(PartyGroup, forms.GroupForm)


class PartyMemberListView(ObjectListView):
    model = PartyMember
    filterset_class = filtersets.PartyMemberFilterSet
    select_related = ("member", "branch", "group")
    columns = [
        Column("member", link=True),
        Column("role"),
        Column("branch"),
        Column("group"),
        Column("joined_on"),
        Column("member.kind", label=_("kind")),
    ]


class PartyMemberDetailView(ObjectDetailView):
    model = PartyMember
    removable = True
    select_related = ("member", "branch", "group")
    fields = [Column("member", link="member"), "role", "branch", "group", "joined_on"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            secondments=Secondment.objects.visible_to(user)
            .filter(member=self.object)
            .select_related("community_branch"),
            zones=ResponsibilityZone.objects.visible_to(user).filter(members=self.object),
            vanguard_posts=VanguardPost.objects.visible_to(user).filter(members=self.object).select_related("post"),
            duties=VanguardDuty.objects.visible_to(user)
            .filter(member=self.object)
            .select_related("vanguard_post__post", "member__member"),
        )
        return context


PartyMemberCreateView, PartyMemberUpdateView = edit_views(PartyMember, forms.PartyMemberForm)


class PartyMemberRemoveView(ObjectRemoveView):
    """Take a member off the party roll (`services.party_member_remove`); refused while secondments exist."""

    model = PartyMember
    select_related = ("member", "branch")
    title = _("Take %(object)s off the party roll")
    question = _("Take %(object)s off the party roll? The patrol member stays; they are no longer a party member.")
    success_message = _("%(object)s was taken off the party roll.")

    def remove(self, obj, *, by) -> None:
        services.party_member_remove(party_member=obj, by=by)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            zones=ResponsibilityZone.objects.visible_to(user).filter(members=self.object),
            vanguard_posts=VanguardPost.objects.visible_to(user).filter(members=self.object).select_related("post"),
            duties=VanguardDuty.objects.visible_to(user).filter(member=self.object).count(),
        )
        return context


# --- responsibility zones and vanguard posts ----------------------------------------------------------


class ZoneListView(ObjectListView):
    model = ResponsibilityZone
    filterset_class = filtersets.ZoneFilterSet
    select_related = ("circle",)
    prefetch_related = ("members__member",)
    columns = [
        Column("name", link=True),
        Column("circle"),
        Column(names("members"), label=_("members answerable")),
        Column("tasks"),
    ]


class ZoneDetailView(MapDetailView):
    model = ResponsibilityZone
    select_related = ("circle",)
    prefetch_related = ("members__member", "informants")
    fields = [
        "name",
        "circle",
        Column(names("members"), label=_("members answerable")),
        Column(names("informants"), label=_("informants")),
        "tasks",
    ]

    def get_map_features(self, obj):
        circle = obj.circle
        return collection(
            area_feature(circle.boundary, name=circle.name, colour=circle.colour, url=circle.get_absolute_url()),
            area_feature(obj.area, name=obj.name, colour=obj.colour, label=_("Responsibility zone")),
        )


ZoneCreateView, ZoneUpdateView = edit_views(ResponsibilityZone, forms.ZoneForm)


class VanguardPostListView(ObjectListView):
    model = VanguardPost
    filterset_class = filtersets.VanguardPostFilterSet
    select_related = ("post", "post__station", "post__circle")
    prefetch_related = ("members__member",)
    columns = [
        Column("post", link=True),
        Column("post.station", label=_("station")),
        Column("post.circle", label=_("circle")),
        Column(lambda v: v.post.staffed_hours, label=_("staffed hours")),
        Column(names("members"), label=_("members on duty")),
    ]


class VanguardPostDetailView(MapDetailView):
    model = VanguardPost
    select_related = ("post", "post__station", "post__circle")
    prefetch_related = ("members__member", "informants")
    fields = [
        Column("post", link="post"),
        Column("post.station", label=_("station")),
        Column("post.circle", label=_("circle")),
        Column(lambda v: v.post.staffed_hours, label=_("staffed hours")),
        "pledge",
        "duties",
        Column(names("members"), label=_("members on duty")),
        Column(names("informants"), label=_("informants")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rota"] = (
            VanguardDuty.objects.visible_to(self.request.user)
            .filter(vanguard_post=self.object)
            .select_related("member__member")
        )
        context["can_add_duty"] = self.request.user.has_perm("partyorg.add_vanguardduty")
        return context

    def get_map_features(self, obj):
        post = obj.post
        return collection(point_feature(post.lat, post.lng, name=str(post), main=True, colour="#c62828"))


VanguardPostCreateView, VanguardPostUpdateView = edit_views(VanguardPost, forms.VanguardPostForm)


class DutyListView(ObjectListView):
    model = VanguardDuty
    filterset_class = filtersets.DutyFilterSet
    select_related = ("vanguard_post__post", "member__member")
    columns = [
        Column("vanguard_post"),
        Column("member", link=True),
        Column("weekday"),
        Column("on_date"),
        Column("starts"),
        Column("ends"),
    ]


class DutyDetailView(ObjectDetailView):
    model = VanguardDuty
    select_related = ("vanguard_post__post", "member__member")
    fields = [Column("vanguard_post", link="vanguard_post"), "member", "weekday", "on_date", "starts", "ends"]


DutyCreateView, DutyUpdateView = edit_views(VanguardDuty, forms.DutyForm)


# --- community branches and secondments ------------------------------------------------------------


class CommunityBranchListView(ObjectListView):
    model = CommunityBranch
    filterset_class = filtersets.CommunityBranchFilterSet
    select_related = ("station",)
    columns = [Column("name", link=True), Column("community"), Column("station"), Column("address")]


class CommunityBranchDetailView(MapDetailView):
    model = CommunityBranch
    select_related = ("station",)
    fields = ["name", "community", "station", "address", "lat", "lng"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["secondments"] = (
            Secondment.objects.visible_to(self.request.user)
            .filter(community_branch=self.object)
            .select_related("member__member")
        )
        return context

    def get_map_features(self, obj):
        return collection(point_feature(obj.lat, obj.lng, name=obj.name, main=True, colour="#c62828"))


CommunityBranchCreateView, CommunityBranchUpdateView = edit_views(CommunityBranch, forms.CommunityBranchForm)


class SecondmentListView(ObjectListView):
    model = Secondment
    filterset_class = filtersets.SecondmentFilterSet
    select_related = ("member__member", "community_branch")
    columns = [
        Column("member", link=True),
        Column("community_branch"),
        Column("position"),
        Column("starts_on"),
        Column("ends_on"),
    ]


class SecondmentDetailView(ObjectDetailView):
    model = Secondment
    select_related = ("member__member", "community_branch")
    fields = [Column("member", link="member"), "community_branch", "position", "starts_on", "ends_on", "notes"]


SecondmentCreateView, SecondmentUpdateView = edit_views(Secondment, forms.SecondmentForm)


# --- partners and volunteer activity ----------------------------------------------------------------


class PartnerListView(ObjectListView):
    model = Partner
    filterset_class = filtersets.PartnerFilterSet
    select_related = ("station", "circle")
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("station"),
        Column("circle"),
        Column("agreement_signed_on"),
        Column("agreement_ends_on"),
        Column("contact_name"),
        Personal("phone", label=_("phone")),
    ]


class PartnerDetailView(ObjectDetailView):
    model = Partner
    select_related = ("station", "circle")
    fields = [
        "name",
        "kind",
        "station",
        "circle",
        "agreement_signed_on",
        "agreement_ends_on",
        "contact_name",
        Personal("phone", label=_("phone"), reveal_url_name="partyorg:partner_reveal"),
        "cooperation",
    ]


PartnerCreateView, PartnerUpdateView = edit_views(Partner, forms.PartnerForm)


class PartnerRevealView(RevealView):
    model = Partner
    fields = ("phone",)


def activity_summary(queryset) -> str:
    totals = queryset.order_by().aggregate(hours=Sum("hours"), n=Count("pk"), served=Sum("beneficiaries"))
    return _("%(n)s activities, %(hours)s volunteer hours, %(served)s people served") % {
        "n": totals["n"],
        "hours": totals["hours"] or 0,
        "served": totals["served"] or 0,
    }


class ActivityListView(ObjectListView):
    model = VolunteerActivity
    filterset_class = filtersets.ActivityFilterSet
    select_related = ("station", "partner")
    summary = staticmethod(activity_summary)
    columns = [
        Column("held_on", css="text-nowrap"),
        Column("title", link=True),
        Column("kind"),
        Column("station"),
        Column("place"),
        Column("beneficiaries", css="text-end"),
        Column("hours", css="text-end"),
    ]


class ActivityDetailView(ObjectDetailView):
    model = VolunteerActivity
    select_related = ("station", "partner")
    prefetch_related = ("participants",)
    fields = [
        "title",
        "kind",
        "held_on",
        "station",
        "place",
        "partner",
        Column(names("participants"), label=_("participants")),
        Column(lambda a: sum(1 for m in a.participants.all() if m.is_youth_league), label=_("youth-league members")),
        "beneficiaries",
        "hours",
        "description",
    ]


ActivityCreateView, ActivityUpdateView = edit_views(VolunteerActivity, forms.ActivityForm)


# --- the party-building pages ------------------------------------------------------------------------


class OverviewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "partyorg.view_partybranch"

    def get_year(self) -> int:
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = 0
        today = timezone.localdate()
        return year if 2000 <= year <= today.year + 1 else today.year


class OverviewView(OverviewMixin, TemplateView):
    """The sub-bureau's party-building page: every station the user may see, and their figures together."""

    template_name = "partyorg/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        stations = Station.objects.visible_to(user)
        summaries = credit.station_summaries(stations, year)
        branches = {b.station_id: b for b in PartyBranch.objects.visible_to(user).select_related("secretary")}
        rows = [
            {"station": station, "branch": branches.get(station.pk), **summaries.get(station.pk, {})}
            for station in stations
        ]
        context.update(
            figures=credit.party_figures(stations=stations, year=year),
            station_rows=rows,
            year=year,
            sees_all=sees_all_stations(user),
            title=_("Party building of the sub-bureau"),
        )
        return context


class StationOverviewView(OverviewMixin, TemplateView):
    """A station's party-building page (404 for a station outside the user's scope)."""

    template_name = "partyorg/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        station = get_object_or_404(Station.objects.visible_to(user), pk=self.kwargs["pk"])
        year = self.get_year()
        context.update(
            station=station,
            branch=PartyBranch.objects.visible_to(user).filter(station=station).select_related("secretary").first(),
            figures=credit.party_figures(stations=Station.objects.filter(pk=station.pk), year=year),
            year=year,
            title=_("Party building of %(station)s") % {"station": station},
        )
        return context
