"""Admin of the incidents app: a scoped, read-mostly view of the records.

Every write to an incident, its timeline, its teams and its people goes through `incidents.services`
(numbering, placement, the state machine, the audit actor); the admin can't call them with the
right inputs, so these rows are read-only here and are changed on the portal's own pages. The
timeline is append-only in any case. Only the service catalogue (no workflow) is edited here.
Querysets and choices go through `visible_to(user)` (`portal.admin.ScopedAdmin`).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import ScopedAdmin

from .models import (
    Assignment,
    Hazard,
    Incident,
    IncidentEvent,
    IncidentImport,
    InvolvedPerson,
    MediationCase,
    ServiceRequest,
    ServiceType,
    Tip,
)


class ReadOnlyAdminMixin:
    """Viewable (with the model's view permission) but never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IncidentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The timeline, in order: written only by the services (append-only)."""

    model = IncidentEvent
    extra = 0
    fields = ["at", "kind", "from_status", "to_status", "team", "actor", "text", "version"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    can_delete = False


class AssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["team", "dispatched_at", "arrived_at", "cleared_at", "by", "override_note"]
    readonly_fields = fields
    can_delete = False


class InvolvedPersonInline(ReadOnlyAdminMixin, admin.TabularInline):
    """People involved, with phone and ID number masked (a reveal is done, and logged, on the portal)."""

    model = InvolvedPerson
    extra = 0
    fields = ["role", "name", "phone_masked", "id_number_masked", "notes"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("phone"))
    def phone_masked(self, obj):
        return obj.phone_masked

    @admin.display(description=_("resident ID number"))
    def id_number_masked(self, obj):
        return obj.id_number_masked


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["number", "occurred_at", "category", "priority", "status", "circle", "station", "address"]
    list_filter = ["status", "priority", "category", "source", "station", "circle"]
    search_fields = ["number", "summary", "address"]
    date_hierarchy = "occurred_at"
    list_select_related = ["circle", "station"]
    inlines = [AssignmentInline, InvolvedPersonInline, IncidentEventInline]


@admin.register(IncidentEvent)
class IncidentEventAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["incident", "at", "kind", "from_status", "to_status", "team", "actor"]
    list_filter = ["kind", "to_status"]
    search_fields = ["incident__number", "text"]
    list_select_related = ["incident", "team", "actor"]


@admin.register(IncidentImport)
class IncidentImportAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """The record of each CSV import (written only by `incidents.imports`); its incidents link back to it."""

    list_display = ["imported_at", "imported_by", "file_name", "row_count", "station"]
    list_filter = ["station"]
    search_fields = ["file_name", "imported_by__username"]
    date_hierarchy = "imported_at"
    list_select_related = ["imported_by", "station"]


@admin.register(InvolvedPerson)
class InvolvedPersonAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    # phone and ID number are personal data: never shown unmasked in the admin
    list_display = ["name", "role", "incident"]
    list_filter = ["role"]
    search_fields = ["name", "incident__number"]
    list_select_related = ["incident"]
    exclude = ["phone", "id_number"]


@admin.register(Tip)
class TipAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["received_at", "channel", "station", "status", "incident"]
    list_filter = ["status", "channel", "station"]
    search_fields = ["content", "address"]
    list_select_related = ["station", "incident"]


@admin.register(MediationCase)
class MediationCaseAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["__str__", "station", "outcome"]
    list_filter = ["outcome", "station"]
    list_select_related = ["station"]


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["title", "kind", "severity", "status", "station", "due_date"]
    list_filter = ["status", "kind", "severity", "station"]
    search_fields = ["title", "description"]
    list_select_related = ["station"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["__str__", "service_type", "station", "status", "due_at"]
    list_filter = ["status", "station", "service_type"]
    list_select_related = ["service_type", "station"]
    exclude = ["phone"]


@admin.register(ServiceType)
class ServiceTypeAdmin(ScopedAdmin):
    """The catalogue of consultation and errand services (shared by the whole sub-bureau)."""

    list_display = ["name", "kind", "time_limit_hours", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
