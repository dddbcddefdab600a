"""Read-only API of the party organisation: the map's responsibility-zone and vanguard-post layers."""

from portal.api.views import ScopedReadOnlyViewSet
from portal.models import TokenScope

from ..models import ResponsibilityZone, VanguardPost
from . import serializers


class ZoneViewSet(ScopedReadOnlyViewSet):
    read_scope = TokenScope.PARTY_READ.value
    queryset = ResponsibilityZone.objects.select_related("circle").prefetch_related("members__member")
    serializer_class = serializers.ZoneSerializer
    filterset_fields = ["circle"]


class VanguardPostViewSet(ScopedReadOnlyViewSet):
    read_scope = TokenScope.PARTY_READ.value
    queryset = VanguardPost.objects.select_related("post").prefetch_related("members__member")
    serializer_class = serializers.VanguardPostSerializer
