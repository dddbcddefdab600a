"""Base viewsets: every API read goes through the model's `visible_to(user)`."""

from rest_framework import viewsets

from .permissions import PortalModelPermissions
from .renderers import GeoJSONRenderer


class ScopedViewSetMixin:
    """Restricts the queryset to the user's scope; GeoJSON lists come whole (map layers are small)."""

    permission_classes = [PortalModelPermissions]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def paginate_queryset(self, queryset):
        if isinstance(getattr(self.request, "accepted_renderer", None), GeoJSONRenderer):
            return None
        return super().paginate_queryset(queryset)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
