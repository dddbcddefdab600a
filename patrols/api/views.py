"""The patrol network's API (read-only reference data): stations, circles, teams, posts, cameras,
members, informants and patrol shifts. Personal data (phones) is masked; lists filter through the
same FilterSets as the pages; the map layers (circles, posts, cameras, teams) come whole as GeoJSON.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view

from portal.api.views import ScopedReadOnlyViewSet
from portal.models import TokenScope

from .. import filtersets
from ..models import Camera, Informant, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station
from . import serializers


class ReferenceViewSet(ScopedReadOnlyViewSet):
    read_scope = TokenScope.REFERENCE_READ.value


def _named(plural: str, singular: str):
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}"), retrieve=extend_schema(summary=f"One {singular}")
    )


@_named("police stations", "police station")
class StationViewSet(ReferenceViewSet):
    queryset = Station.objects.all()
    serializer_class = serializers.StationSerializer
    filterset_class = filtersets.StationFilterSet
    geojson_whole = True


@_named("patrol circles", "patrol circle")
class CircleViewSet(ReferenceViewSet):
    queryset = PatrolCircle.objects.active().select_related("station")
    serializer_class = serializers.CircleSerializer
    filterset_class = filtersets.CircleFilterSet
    geojson_whole = True


@_named("patrol posts", "patrol post")
class PostViewSet(ReferenceViewSet):
    queryset = PatrolPost.objects.all()
    serializer_class = serializers.PostSerializer
    filterset_class = filtersets.PostFilterSet
    geojson_whole = True


@_named("cameras", "camera")
class CameraViewSet(ReferenceViewSet):
    queryset = Camera.objects.all()
    serializer_class = serializers.CameraSerializer
    filterset_class = filtersets.CameraFilterSet
    geojson_whole = True


@_named("patrol teams", "patrol team")
class TeamViewSet(ReferenceViewSet):
    queryset = PatrolTeam.objects.select_related("base_post")
    serializer_class = serializers.TeamSerializer
    filterset_class = filtersets.TeamFilterSet
    geojson_whole = True


@_named("members", "member")
class MemberViewSet(ReferenceViewSet):
    queryset = Member.objects.all()
    serializer_class = serializers.MemberSerializer
    filterset_class = filtersets.MemberFilterSet


@_named("informants (phones masked)", "informant")
class InformantViewSet(ReferenceViewSet):
    queryset = Informant.objects.all()
    serializer_class = serializers.InformantSerializer
    filterset_class = filtersets.InformantFilterSet


@_named("patrol shifts", "patrol shift")
class ShiftViewSet(ReferenceViewSet):
    queryset = PatrolShift.objects.all()
    serializer_class = serializers.ShiftSerializer
    filterset_class = filtersets.ShiftFilterSet
    cursor_ordering = ("-starts_at",)
