"""The alerts API: alerts (read), each as CAP 1.2 XML, and the meteorological department's CAP intake."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import TokenScopePermission
from portal.api.views import FormatMixin, ScopedReadOnlyViewSet
from portal.models import TokenScope

from .. import cap, services
from ..models import Alert
from .serializers import AlertSerializer


class AlertViewSet(ScopedReadOnlyViewSet):
    read_scope = TokenScope.ALERTS_READ.value
    queryset = Alert.objects.select_related("station", "references").order_by("-created_at", "-pk")
    serializer_class = AlertSerializer
    filterset_fields = ["kind", "state", "msg_type", "station"]

    @extend_schema(responses={(200, "application/cap+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="cap", url_name="cap")
    def cap(self, request, pk=None):
        """The alert as CAP 1.2 XML (`application/cap+xml`)."""
        alert = self.get_object()
        return HttpResponse(cap.alert_to_cap(alert), content_type=f"{cap.CONTENT_TYPE}; charset=utf-8")


class CapXMLParser(BaseParser):
    """The raw CAP document; `alerts.cap.parse_cap` reads it (and refuses DTDs and entities)."""

    media_type = "application/cap+xml"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(2_000_001)


class PlainXMLParser(CapXMLParser):
    media_type = "application/xml"


class MayDraftAlerts(BasePermission):
    """The caller's user may draft alerts (`alerts.add_alert`): a session user, or a token's user."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("alerts.add_alert"))


class DocumentTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The document is too large.")
    default_code = "too_large"


class WeatherIntakeView(FormatMixin, APIView):
    """POST a CAP 1.2 warning: it becomes a draft weather alert and, where it names an area, a hazard."""

    # a token needs the scope `weather:intake` (any other token is refused); a session user is not
    # scope-limited. Either way the user must be allowed to draft alerts.
    permission_classes = [TokenScopePermission, MayDraftAlerts]
    parser_classes = [CapXMLParser, PlainXMLParser]
    write_scope = TokenScope.WEATHER_INTAKE.value

    @extend_schema(
        request={"application/cap+xml": OpenApiTypes.STR},
        responses={
            201: inline_serializer(
                "WeatherIntakeResult",
                {
                    "alert": serializers.IntegerField(),
                    "identifier": serializers.CharField(),
                    "hazard": serializers.IntegerField(allow_null=True),
                },
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Errors per CAP element."),
        },
    )
    def post(self, request):
        # errors come back in the API's one error shape (portal.api.exceptions): {"errors": {...}, "detail": ...}
        data = request.data
        if not isinstance(data, bytes) or not data:
            raise exceptions.ValidationError({"xml": [_("Send a CAP 1.2 document as application/cap+xml.")]})
        if len(data) > 2_000_000:
            raise DocumentTooLarge
        # a ValidationError of the parser or the service (per CAP element) is a 400
        alert, hazard = services.weather_intake(by=request.user, cap=cap.parse_cap(data))
        return Response(
            {"alert": alert.pk, "identifier": alert.identifier, "hazard": hazard.pk if hazard else None},
            status=status.HTTP_201_CREATED,
        )
