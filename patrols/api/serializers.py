from rest_framework import serializers

from portal.api.fields import MaskedField, PageLinkField

from ..models import Camera, Informant, Member, PatrolCircle, PatrolPost, PatrolShift, PatrolTeam, Station


class StationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ["id", "code", "name"]


class StationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ["id", "code", "name", "address", "lat", "lng"]


class CircleSerializer(serializers.ModelSerializer):
    geometry = serializers.JSONField(source="boundary", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    station = StationBriefSerializer(read_only=True)
    url = PageLinkField(source="get_absolute_url")

    class Meta:
        model = PatrolCircle
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "focus",
            "brand",
            "colour",
            "active_from",
            "active_until",
            "station",
            "url",
            "geometry",
        ]


class PostSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = PageLinkField(source="get_absolute_url")

    class Meta:
        model = PatrolPost
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "address",
            "station",
            "circle",
            "staffed_hours",
            "url",
            "lat",
            "lng",
        ]


class CameraSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = PageLinkField(source="get_absolute_url")

    class Meta:
        model = Camera
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "coverage_radius_m",
            "bearing",
            "field_of_view",
            "is_active",
            "station",
            "circle",
            "url",
            "lat",
            "lng",
        ]


class TeamSerializer(serializers.ModelSerializer):
    duty_state_label = serializers.CharField(source="get_duty_state_display", read_only=True)
    url = PageLinkField(source="get_absolute_url")
    lat = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()

    class Meta:
        model = PatrolTeam
        fields = [
            "id",
            "name",
            "call_sign",
            "station",
            "circle",
            "duty_state",
            "duty_state_label",
            "state_changed_at",
            "last_position_at",
            "url",
            "lat",
            "lng",
        ]

    def get_lat(self, team) -> float | None:
        return team.position[0] if team.position else None

    def get_lng(self, team) -> float | None:
        return team.position[1] if team.position else None


class MemberSerializer(serializers.ModelSerializer):
    phone = MaskedField("phone")

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "kind",
            "badge_number",
            "rank",
            "station",
            "team",
            "phone",
            "is_party_member",
            "is_youth_league",
            "is_active",
        ]


class ShiftSerializer(serializers.ModelSerializer):
    geometry = serializers.JSONField(source="route", read_only=True)

    class Meta:
        model = PatrolShift
        fields = ["id", "team", "starts_at", "ends_at", "hours", "leader", "notes", "geometry"]


class InformantSerializer(serializers.ModelSerializer):
    """An informant; the phone is always masked (informants are protected sources)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    phone = MaskedField("phone")

    class Meta:
        model = Informant
        fields = ["id", "name", "kind", "kind_label", "organisation", "circle", "team", "phone", "is_active"]
