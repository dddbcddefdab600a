from portal.api.views import ScopedReadOnlyViewSet

from ..models import Camera, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station
from . import serializers


class StationViewSet(ScopedReadOnlyViewSet):
    queryset = Station.objects.all()
    serializer_class = serializers.StationSerializer


class CircleViewSet(ScopedReadOnlyViewSet):
    queryset = PatrolCircle.objects.active().select_related("station")
    serializer_class = serializers.CircleSerializer
    filterset_fields = ["kind", "station"]


class PostViewSet(ScopedReadOnlyViewSet):
    queryset = PatrolPost.objects.all()
    serializer_class = serializers.PostSerializer
    filterset_fields = ["kind", "station", "circle"]


class CameraViewSet(ScopedReadOnlyViewSet):
    queryset = Camera.objects.all()
    serializer_class = serializers.CameraSerializer
    filterset_fields = ["kind", "station", "circle", "is_active"]


class TeamViewSet(ScopedReadOnlyViewSet):
    queryset = PatrolTeam.objects.select_related("base_post")
    serializer_class = serializers.TeamSerializer
    filterset_fields = ["station", "circle", "duty_state"]


class MemberViewSet(ScopedReadOnlyViewSet):
    queryset = Member.objects.all()
    serializer_class = serializers.MemberSerializer
    filterset_fields = ["station", "team", "kind", "is_party_member"]


class ShiftViewSet(ScopedReadOnlyViewSet):
    queryset = PatrolShift.objects.all()
    serializer_class = serializers.ShiftSerializer
    filterset_fields = ["team"]
