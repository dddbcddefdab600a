"""Create/update forms of the patrol network.

Every form is a `ScopedModelForm`: its choices of stations, circles, teams, posts and members are
the user's visible rows, and a station user's station is pinned to their own. The rules (points in
bounds, valid areas, a team of the member's station, a shift ending after it starts) live in the
models; these forms only choose fields and widgets.
"""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst

from portal.forms import AreaField, LineField, ScopedModelForm, point_widgets

from .models import Camera, Informant, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60}, format="%Y-%m-%dT%H:%M")


class StationForm(ScopedModelForm):
    # a station is its own scope: sub-bureau staff create stations, station users edit their own
    station_field = ""

    class Meta:
        model = Station
        fields = ["sub_bureau", "name", "code", "address", "phone", "lat", "lng"]
        widgets = point_widgets()


class CircleForm(ScopedModelForm):
    boundary = AreaField(
        label=capfirst(PatrolCircle._meta.get_field("boundary").verbose_name),
        help_text=PatrolCircle._meta.get_field("boundary").help_text,
    )

    class Meta:
        model = PatrolCircle
        fields = [
            "station",
            "name",
            "kind",
            "focus",
            "brand",
            "colour",
            "active_from",
            "active_until",
            "is_active",
            "boundary",
        ]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
            "active_from": time_input(),
            "active_until": time_input(),
        }


class TeamForm(ScopedModelForm):
    """A team's details; its duty state changes only on the team page (a service records each move)."""

    class Meta:
        model = PatrolTeam
        fields = ["station", "circle", "name", "call_sign", "leader", "base_post", "strategy"]
        widgets = {"strategy": forms.Textarea(attrs={"rows": 3})}


class PostForm(ScopedModelForm):
    constraint_fields = {"post_name_unique_per_station": "name"}

    class Meta:
        model = PatrolPost
        fields = ["station", "name", "kind", "address", "staffed_from", "staffed_until", "description", "lat", "lng"]
        widgets = {
            **point_widgets(),
            "staffed_from": time_input(),
            "staffed_until": time_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class MemberForm(ScopedModelForm):
    constraint_fields = {"member_badge_unique": "badge_number"}
    personal_fields = ("phone",)

    class Meta:
        model = Member
        fields = [
            "station",
            "team",
            "name",
            "kind",
            "badge_number",
            "rank",
            "phone",
            "is_party_member",
            "is_youth_league",
            "is_active",
        ]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}


class InformantForm(ScopedModelForm):
    station_field = ""  # an informant belongs to a station through its circle
    personal_fields = ("phone",)

    class Meta:
        model = Informant
        fields = ["circle", "team", "name", "kind", "organisation", "phone", "notes", "is_active"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class CameraForm(ScopedModelForm):
    class Meta:
        model = Camera
        fields = [
            "station",
            "code",
            "name",
            "kind",
            "coverage_radius_m",
            "bearing",
            "field_of_view",
            "is_active",
            "lat",
            "lng",
        ]
        widgets = point_widgets()


class ShiftForm(ScopedModelForm):
    station_field = ""  # a shift belongs to a station through its team
    constraint_fields = {"shift_ends_after_start": "ends_at"}
    route = LineField(
        required=False,
        label=capfirst(PatrolShift._meta.get_field("route").verbose_name),
        help_text=PatrolShift._meta.get_field("route").help_text,
    )

    class Meta:
        model = PatrolShift
        fields = ["team", "leader", "starts_at", "ends_at", "notes", "route"]
        widgets = {
            "starts_at": datetime_input(),
            "ends_at": datetime_input(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
