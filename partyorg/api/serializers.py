"""Read-only serializers of the party organisation's map layers."""

from rest_framework import serializers

from ..models import ResponsibilityZone, VanguardPost


class ZoneSerializer(serializers.ModelSerializer):
    geometry = serializers.JSONField(source="area", read_only=True)
    circle_name = serializers.CharField(source="circle.name", read_only=True)
    station = serializers.IntegerField(source="circle.station_id", read_only=True)
    members = serializers.SerializerMethodField()
    url = serializers.URLField(source="get_absolute_url", read_only=True)

    class Meta:
        model = ResponsibilityZone
        fields = ["id", "name", "circle", "circle_name", "station", "tasks", "colour", "members", "url", "geometry"]

    def get_members(self, zone) -> list[str]:
        return [str(member) for member in zone.members.all()]


class VanguardPostSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="post.name", read_only=True)
    address = serializers.CharField(source="post.address", read_only=True)
    station = serializers.IntegerField(source="post.station_id", read_only=True)
    staffed_hours = serializers.CharField(source="post.staffed_hours", read_only=True)
    members = serializers.SerializerMethodField()
    url = serializers.URLField(source="get_absolute_url", read_only=True)
    lat = serializers.FloatField(source="post.lat", read_only=True)
    lng = serializers.FloatField(source="post.lng", read_only=True)

    class Meta:
        model = VanguardPost
        fields = [
            "id",
            "name",
            "post",
            "address",
            "station",
            "staffed_hours",
            "pledge",
            "members",
            "url",
            "lat",
            "lng",
        ]

    def get_members(self, vanguard_post) -> list[str]:
        return [str(member) for member in vanguard_post.members.all()]
