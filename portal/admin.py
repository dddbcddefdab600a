"""Admin of the portal: users with their station and roles, and the read-only personal-data access log.

`ScopedAdmin` is the base of every app's admin of station-owned rows: its changelist, its object
pages and its foreign-key choices all go through `visible_to(request.user)`, like the pages and the API.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, User
from .roles import sees_all_stations


def _visible(queryset, user):
    return queryset.visible_to(user) if hasattr(queryset, "visible_to") else queryset


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin restricted to the user's scope: rows and related choices of other stations are absent."""

    def get_queryset(self, request):
        return _visible(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and getattr(field, "queryset", None) is not None:
            field.queryset = _visible(field.queryset, request.user)
        return field


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "station", "role_names", "is_active", "is_staff", "last_login"]
    list_filter = ["station", "groups", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    list_select_related = ["station"]
    fieldsets = [
        *BaseUserAdmin.fieldsets[:1],
        (_("Portal"), {"fields": ["display_name", "station"]}),
        *BaseUserAdmin.fieldsets[1:],
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Portal"), {"fields": ["display_name", "station", "groups"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups")
        if sees_all_stations(request.user):
            return queryset
        # a station's administrator manages the users of their own station only
        return queryset.filter(station=request.user.station_id) if request.user.station_id else queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and getattr(field, "queryset", None) is not None:
            field.queryset = _visible(field.queryset, request.user)
        return field

    @admin.display(description=_("roles"))
    def role_names(self, user):
        return ", ".join(group.name for group in user.groups.all())


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The personal-data access log: append-only, so it can be read and searched but never changed."""

    list_display = ["at", "user", "action", "object_type", "object_id", "fields", "reason"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["user__username", "object_type", "object_id", "reason"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_all_stations(request.user):
            return queryset
        return queryset.filter(user__station=request.user.station_id) if request.user.station_id else queryset.none()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
