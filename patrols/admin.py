"""Admin of the patrol network. Every admin queryset and choice goes through `visible_to(user)` too."""

from django.contrib import admin

from portal.admin import ScopedAdmin

from .models import (
    Camera,
    Informant,
    Member,
    PatrolCircle,
    PatrolPost,
    PatrolShift,
    PatrolTeam,
    Station,
    SubBureau,
    TeamStateChange,
)


@admin.register(SubBureau)
class SubBureauAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "address"]
    search_fields = ["name", "code"]


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    list_display = ["code", "name", "address", "phone", "sub_bureau"]
    list_filter = ["sub_bureau"]
    search_fields = ["name", "code", "address"]


@admin.register(PatrolCircle)
class CircleAdmin(ScopedAdmin):
    list_display = ["name", "kind", "station", "brand", "is_active"]
    list_filter = ["kind", "station", "is_active"]
    search_fields = ["name", "focus", "brand"]


class TeamStateChangeInline(admin.TabularInline):
    """The team's duty history: written only by `team_set_duty_state`, so read-only here."""

    model = TeamStateChange
    extra = 0
    fields = ["at", "from_state", "to_state", "by", "note"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PatrolTeam)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "call_sign", "station", "circle", "duty_state", "state_changed_at"]
    list_filter = ["station", "circle", "duty_state"]
    search_fields = ["name", "call_sign"]
    list_select_related = ["station", "circle"]
    readonly_fields = ["duty_state", "state_changed_at", "last_lat", "last_lng", "last_position_at"]
    inlines = [TeamStateChangeInline]


@admin.register(PatrolPost)
class PostAdmin(ScopedAdmin):
    list_display = ["name", "kind", "station", "circle", "address"]
    list_filter = ["kind", "station", "circle"]
    search_fields = ["name", "address"]
    list_select_related = ["station", "circle"]
    readonly_fields = ["circle"]


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    # the phone is personal data: never in the changelist, where it would be shown unmasked
    list_display = ["name", "kind", "badge_number", "rank", "station", "team", "is_party_member", "is_active"]
    list_filter = ["kind", "station", "is_party_member", "is_youth_league", "is_active"]
    search_fields = ["name", "badge_number", "rank"]
    list_select_related = ["station", "team"]


@admin.register(Informant)
class InformantAdmin(ScopedAdmin):
    list_display = ["name", "kind", "organisation", "circle", "team", "is_active"]
    list_filter = ["kind", "circle", "is_active"]
    search_fields = ["name", "organisation"]
    list_select_related = ["circle", "team"]


@admin.register(Camera)
class CameraAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "station", "circle", "coverage_radius_m", "is_active"]
    list_filter = ["kind", "station", "circle", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["station", "circle"]
    readonly_fields = ["circle"]


@admin.register(PatrolShift)
class ShiftAdmin(ScopedAdmin):
    list_display = ["team", "starts_at", "ends_at", "hours", "leader"]
    list_filter = ["team"]
    search_fields = ["team__name", "notes"]
    date_hierarchy = "starts_at"
    list_select_related = ["team", "leader"]
