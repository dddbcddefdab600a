"""Tombstones for synchronising clients: `/api/v1/deleted/?since=...` lists the rows deleted since then.

Like an incident walk with `updated_since`, a walk here is bounded by the time of its first page
(less API_SYNC_SETTLE_SECONDS) and ends with `next_updated_since`: the `since` of the next poll.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from portal.filters import UTCIsoDateTimeFilter
from portal.models import DeletedRecord, TokenScope
from portal.sync import SYNCED_MODELS

from .permissions import TokenScopePermission
from .views import ScopedReadOnlyViewSet


class DeletedRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeletedRecord
        fields = ["id", "model", "object_id", "deleted_at"]


class DeletedRecordFilterSet(django_filters.FilterSet):
    since = UTCIsoDateTimeFilter(
        field_name="deleted_at", lookup_expr="gte", help_text="Deleted at or after this time."
    )
    model = django_filters.ChoiceFilter(
        choices=[(label, label) for label in SYNCED_MODELS], help_text="Only rows of this model."
    )

    class Meta:
        model = DeletedRecord
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Deleted rows (tombstones)",
        description="Rows deleted in your scope, oldest first, for clients that synchronise: poll with `since` "
        "set to the `next_updated_since` of your last walk.",
    ),
    retrieve=extend_schema(summary="One tombstone"),
)
class DeletedRecordViewSet(ScopedReadOnlyViewSet):
    queryset = DeletedRecord.objects.all()
    serializer_class = DeletedRecordSerializer
    filterset_class = DeletedRecordFilterSet
    # tombstones carry no data but a model name and an id: any signed-in user may read their scope's
    permission_classes = [TokenScopePermission, IsAuthenticated]
    read_scope = TokenScope.INCIDENTS_READ.value
    cursor_ordering = ("deleted_at",)
    sync_field = "deleted_at"

    def is_sync(self, request) -> bool:
        return True
