from django.contrib import admin

from .models import Alert, Audience, Delivery, Endpoint


class EndpointInline(admin.TabularInline):
    model = Endpoint
    extra = 0
    fields = ["kind", "name", "is_active"]
    show_change_link = True


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "station", "is_active"]
    list_filter = ["group", "station", "is_active"]
    search_fields = ["name"]
    inlines = [EndpointInline]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Secrets are not listed; the change form is for sub-bureau staff only (superusers)."""

    list_display = ["name", "kind", "audience", "target", "is_active"]
    fields = ["audience", "kind", "name", "target", "is_active"]
    readonly_fields = ["target"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]

    @admin.display(description="target")
    def target(self, obj):
        return obj.target_masked


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["headline", "kind", "state", "msg_type", "station", "sent"]
    list_filter = ["kind", "state", "msg_type", "station"]
    search_fields = ["headline", "identifier"]
    readonly_fields = ["identifier", "sender", "sent", "state", "approved_by", "approved_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries change through the engine and the retry button, never by hand."""

    list_display = ["alert", "endpoint", "state", "attempts", "sent_at", "acknowledged_at"]
    list_filter = ["state"]
    search_fields = ["idempotency_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
