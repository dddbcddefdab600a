from rest_framework import serializers

from ..models import Alert


class AlertSerializer(serializers.ModelSerializer):
    cap_url = serializers.HyperlinkedIdentityField(view_name="alert-cap")

    class Meta:
        model = Alert
        fields = [
            "id",
            "identifier",
            "sender",
            "sent",
            "state",
            "kind",
            "status",
            "msg_type",
            "scope",
            "references",
            "language",
            "category",
            "event",
            "urgency",
            "severity",
            "certainty",
            "headline",
            "description",
            "instruction",
            "effective",
            "expires",
            "area_desc",
            "area_polygon",
            "circle_lat",
            "circle_lng",
            "circle_radius_m",
            "station",
            "cap_url",
        ]
