"""Pages of the patrol network: list, detail, create and update of every model, the team's duty board
and the reveal of members' and informants' phones. All of them are the generic scoped views of
`portal.generic`; this module only declares columns, detail rows, forms and the maps of detail pages.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal import geo
from portal.generic import (
    Column,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    Personal,
    RevealView,
    ScopedObjectMixin,
)

from . import filtersets, forms, services
from .choices import DUTY_TRANSITIONS, DutyState
from .models import Camera, Informant, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station

# --- map features of detail pages ---------------------------------------------------------------------


def area_feature(area: dict | None, *, name: str = "", colour: str = "", url: str = "", label: str = "") -> list:
    if not area:
        return []
    return [
        {
            "type": "Feature",
            "geometry": area,
            "properties": {"name": name, "colour": colour, "url": url, "label": str(label), "kind": "area"},
        }
    ]


def point_feature(
    lat,
    lng,
    *,
    name: str = "",
    url: str = "",
    label: str = "",
    main: bool = False,
    colour: str = "",
    radius: int | None = None,
) -> list:
    if lat is None or lng is None:
        return []
    geometry = {"type": "Point", "coordinates": [round(lng, geo.DECIMALS), round(lat, geo.DECIMALS)]}
    return [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "name": name,
                "url": url,
                "label": str(label),
                "main": main,
                "colour": colour,
                "radius": radius,
                "kind": "point",
            },
        }
    ]


def collection(*parts: list) -> dict:
    return {"type": "FeatureCollection", "features": [feature for part in parts for feature in part]}


class MapDetailView(ObjectDetailView):
    """A detail page with a small map of the row (and what surrounds it)."""

    def get_map_features(self, obj) -> dict | None:
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        features = self.get_map_features(self.object)
        context["map_features"] = features if features and features["features"] else None
        return context


# --- stations -------------------------------------------------------------------------------------------


class StationListView(ObjectListView):
    model = Station
    filterset_class = filtersets.StationFilterSet
    create_requires_all_stations = True
    columns = [Column("code", link=True), Column("name", link=True), Column("address"), Column("phone")]


class StationDetailView(MapDetailView):
    model = Station
    create_requires_all_stations = True
    select_related = ("sub_bureau",)
    fields = ["name", "code", "sub_bureau", "address", "phone", "lat", "lng"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        station = self.object
        context.update(
            circles=PatrolCircle.objects.visible_to(user).filter(station=station),
            teams=PatrolTeam.objects.visible_to(user).filter(station=station).select_related("circle"),
            posts=PatrolPost.objects.visible_to(user).filter(station=station),
        )
        return context

    def get_map_features(self, obj):
        circles = PatrolCircle.objects.visible_to(self.request.user).filter(station=obj)
        return collection(
            *[
                area_feature(
                    c.boundary, name=c.name, colour=c.colour, url=c.get_absolute_url(), label=c.get_kind_display()
                )
                for c in circles
            ],
            point_feature(obj.lat, obj.lng, name=obj.name, main=True, colour="#dc3545"),
        )


class StationCreateView(ObjectCreateView):
    model = Station
    form_class = forms.StationForm
    require_all_stations = True  # a new station is outside a station user's scope


class StationUpdateView(ObjectUpdateView):
    model = Station
    form_class = forms.StationForm


# --- circles --------------------------------------------------------------------------------------------


class CircleListView(ObjectListView):
    model = PatrolCircle
    filterset_class = filtersets.CircleFilterSet
    select_related = ("station",)
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("station"),
        Column("focus"),
        Column("brand"),
        Column("is_active"),
    ]


class CircleDetailView(MapDetailView):
    model = PatrolCircle
    select_related = ("station",)
    fields = ["name", "kind", "station", "focus", "brand", "colour", "active_from", "active_until", "is_active"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            teams=PatrolTeam.objects.visible_to(user).filter(circle=self.object),
            posts=PatrolPost.objects.visible_to(user).filter(circle=self.object),
            camera_count=Camera.objects.visible_to(user).filter(circle=self.object).count(),
        )
        return context

    def get_map_features(self, obj):
        posts = PatrolPost.objects.visible_to(self.request.user).filter(circle=obj)
        return collection(
            area_feature(obj.boundary, name=obj.name, colour=obj.colour, label=obj.get_kind_display()),
            *[
                point_feature(p.lat, p.lng, name=p.name, url=p.get_absolute_url(), label=p.get_kind_display())
                for p in posts
            ],
        )


class CircleCreateView(ObjectCreateView):
    model = PatrolCircle
    form_class = forms.CircleForm


class CircleUpdateView(ObjectUpdateView):
    model = PatrolCircle
    form_class = forms.CircleForm


# --- teams ----------------------------------------------------------------------------------------------


class TeamListView(ObjectListView):
    model = PatrolTeam
    filterset_class = filtersets.TeamFilterSet
    select_related = ("station", "circle", "leader", "base_post")
    columns = [
        Column("name", link=True),
        Column("call_sign"),
        Column("station"),
        Column("circle"),
        Column("duty_state", template="patrols/inc/duty_cell.html"),
        Column("leader"),
        Column("base_post"),
    ]


class TeamDetailView(MapDetailView):
    model = PatrolTeam
    select_related = ("station", "circle", "leader", "base_post")
    fields = ["name", "call_sign", "station", "circle", "leader", "base_post", "strategy", "last_position_at"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        context.update(duty_context(self.request, team))
        context["members"] = Member.objects.visible_to(self.request.user).filter(team=team)
        return context

    def get_map_features(self, obj):
        position = obj.position
        return collection(
            area_feature(
                obj.circle.boundary, name=obj.circle.name, colour=obj.circle.colour, url=obj.circle.get_absolute_url()
            ),
            point_feature(*position, name=obj.name, main=True, label=obj.get_duty_state_display(), colour="#dc3545")
            if position
            else [],
        )


def duty_context(request, team: PatrolTeam, error: str = "") -> dict:
    """What the duty panel shows: the state, the allowed next states, the recent history."""
    can_change = request.user.has_perm("patrols.change_patrolteam")
    allowed = DUTY_TRANSITIONS.get(team.duty_state, set())
    return {
        "team": team,
        "duty_can_change": can_change,
        # in the order of DutyState, so the buttons don't jump around between pages
        "next_states": [state for state in DutyState if state in allowed] if can_change else [],
        "state_changes": team.state_changes.select_related("by")[:20],
        "duty_error": error,
    }


class TeamDutyView(ScopedObjectMixin, View):
    """POST `state`: move the team's duty state through the service; htmx gets the panel back."""

    model = PatrolTeam
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        team = get_object_or_404(self.get_queryset(), pk=pk)
        error = ""
        try:
            team = services.team_set_duty_state(
                team=team,
                state=request.POST.get("state", ""),
                by=request.user,
                note=request.POST.get("note", "")[:200],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if request.htmx:
            return TemplateResponse(
                request, "patrols/inc/team_duty.html", duty_context(request, team, error), status=400 if error else 200
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("The team is now %(state)s.") % {"state": team.get_duty_state_display()})
        return redirect(team)


class TeamCreateView(ObjectCreateView):
    model = PatrolTeam
    form_class = forms.TeamForm


class TeamUpdateView(ObjectUpdateView):
    model = PatrolTeam
    form_class = forms.TeamForm


# --- posts ----------------------------------------------------------------------------------------------


class PostListView(ObjectListView):
    model = PatrolPost
    filterset_class = filtersets.PostFilterSet
    select_related = ("station", "circle")
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("station"),
        Column("circle"),
        Column("staffed_hours", label=_("staffed hours")),
        Column("address"),
    ]


class PostDetailView(MapDetailView):
    model = PatrolPost
    select_related = ("station", "circle")
    fields = [
        "name",
        "kind",
        "station",
        "circle",
        "address",
        Column("staffed_hours", label=_("staffed hours")),
        "description",
        "lat",
        "lng",
    ]

    def get_map_features(self, obj):
        circle = obj.circle if obj.circle and obj.circle.station_id == obj.station_id else None
        return collection(
            area_feature(circle.boundary, name=circle.name, colour=circle.colour, url=circle.get_absolute_url())
            if circle
            else [],
            point_feature(obj.lat, obj.lng, name=obj.name, label=obj.get_kind_display(), main=True, colour="#dc3545"),
        )


class PostCreateView(ObjectCreateView):
    model = PatrolPost
    form_class = forms.PostForm


class PostUpdateView(ObjectUpdateView):
    model = PatrolPost
    form_class = forms.PostForm


# --- members --------------------------------------------------------------------------------------------


class MemberListView(ObjectListView):
    model = Member
    filterset_class = filtersets.MemberFilterSet
    select_related = ("station", "team")
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("badge_number"),
        Column("rank"),
        Column("station"),
        Column("team"),
        Personal("phone", label=_("phone")),
        Column("is_party_member"),
        Column("is_active"),
    ]


class MemberDetailView(ObjectDetailView):
    model = Member
    select_related = ("station", "team")
    fields = [
        "name",
        "kind",
        "badge_number",
        "rank",
        "station",
        "team",
        Personal("phone", label=_("phone"), reveal_url_name="patrols:member_reveal"),
        "is_party_member",
        "is_youth_league",
        "is_active",
    ]


class MemberCreateView(ObjectCreateView):
    model = Member
    form_class = forms.MemberForm


class MemberUpdateView(ObjectUpdateView):
    model = Member
    form_class = forms.MemberForm


class MemberRevealView(RevealView):
    model = Member
    fields = ("phone",)


# --- informants -----------------------------------------------------------------------------------------


class InformantListView(ObjectListView):
    model = Informant
    filterset_class = filtersets.InformantFilterSet
    select_related = ("circle", "team")
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("organisation"),
        Column("circle"),
        Column("team"),
        Personal("phone", label=_("phone")),
        Column("is_active"),
    ]


class InformantDetailView(ObjectDetailView):
    model = Informant
    select_related = ("circle", "team")
    fields = [
        "name",
        "kind",
        "organisation",
        "circle",
        "team",
        Personal("phone", label=_("phone"), reveal_url_name="patrols:informant_reveal"),
        "notes",
        "is_active",
    ]


class InformantCreateView(ObjectCreateView):
    model = Informant
    form_class = forms.InformantForm


class InformantUpdateView(ObjectUpdateView):
    model = Informant
    form_class = forms.InformantForm


class InformantRevealView(RevealView):
    model = Informant
    fields = ("phone",)


# --- cameras --------------------------------------------------------------------------------------------


class CameraListView(ObjectListView):
    model = Camera
    filterset_class = filtersets.CameraFilterSet
    select_related = ("station", "circle")
    columns = [
        Column("code", link=True),
        Column("name", link=True),
        Column("kind"),
        Column("station"),
        Column("circle"),
        Column("coverage_radius_m"),
        Column("is_active"),
    ]


class CameraDetailView(MapDetailView):
    model = Camera
    select_related = ("station", "circle")
    fields = [
        "code",
        "name",
        "kind",
        "station",
        "circle",
        "coverage_radius_m",
        "bearing",
        "field_of_view",
        "is_active",
        "lat",
        "lng",
    ]

    def get_map_features(self, obj):
        return collection(
            point_feature(
                obj.lat,
                obj.lng,
                name=str(obj),
                label=obj.get_kind_display(),
                main=True,
                colour="#6f42c1",
                radius=obj.coverage_radius_m,
            )
        )


class CameraCreateView(ObjectCreateView):
    model = Camera
    form_class = forms.CameraForm


class CameraUpdateView(ObjectUpdateView):
    model = Camera
    form_class = forms.CameraForm


# --- shifts ---------------------------------------------------------------------------------------------


def shift_total_hours(queryset) -> str:
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    total = queryset.order_by().aggregate(total=Sum(duration))["total"] or timedelta()
    return _("%(hours)s hours in all") % {"hours": round(total.total_seconds() / 3600, 1)}


class ShiftListView(ObjectListView):
    model = PatrolShift
    filterset_class = filtersets.ShiftFilterSet
    select_related = ("team", "leader")
    summary = staticmethod(shift_total_hours)
    columns = [
        Column("team", link=True),
        Column("starts_at", link=True, css="text-nowrap"),
        Column("ends_at", css="text-nowrap"),
        Column("hours", label=_("hours"), css="text-end"),
        Column("leader"),
        Column(lambda s: s.route_length_m, label=_("route (m)"), css="text-end"),
    ]


class ShiftDetailView(MapDetailView):
    model = PatrolShift
    select_related = ("team", "team__circle", "leader")
    fields = [
        "team",
        "starts_at",
        "ends_at",
        Column("hours", label=_("hours")),
        "leader",
        Column(lambda s: s.route_length_m, label=_("route (m)")),
        "notes",
    ]

    def get_map_features(self, obj):
        circle = obj.team.circle
        route = []
        if obj.route:
            route = [
                {
                    "type": "Feature",
                    "geometry": obj.route,
                    "properties": {"name": str(obj), "kind": "route", "colour": "#dc3545"},
                }
            ]
        return collection(
            area_feature(circle.boundary, name=circle.name, colour=circle.colour, url=circle.get_absolute_url()), route
        )


class ShiftCreateView(ObjectCreateView):
    model = PatrolShift
    form_class = forms.ShiftForm


class ShiftUpdateView(ObjectUpdateView):
    model = PatrolShift
    form_class = forms.ShiftForm
