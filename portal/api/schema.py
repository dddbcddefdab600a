"""The OpenAPI description of the API (drf-spectacular): what every operation may answer, in one place.

`PortalAutoSchema` adds to each operation what the base viewsets do for every endpoint, so that no
viewset has to repeat it: the error answers in the one error shape (400, 401, 403, 404, 429), the
ETag of details with `If-None-Match` (304), and `If-Match` on edits (412, 428). GeoJSON answers are
described as GeoJSON; CSV and XLSX exports are named in the descriptions of the lists that have them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import renderers, serializers

from .renderers import ExportRenderer, GeoJSONRenderer


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error answer."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_('Messages per field; those not tied to a field are under "non_field_errors". Empty if none.'),
    )
    detail = serializers.CharField(help_text=_("What went wrong, in one sentence."))


GEOJSON_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON (RFC 7946) Feature (one row) or FeatureCollection (a list; a page keeps its "
    "`next` and `previous` links). Positions are [longitude, latitude], at most 7 decimals; the row's "
    "other fields are the feature's `properties`.",
    "required": ["type"],
    "properties": {"type": {"type": "string", "enum": ["Feature", "FeatureCollection"]}},
    "additionalProperties": True,
}

ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "The version of this representation."}}
RETRY_AFTER_HEADER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="An ETag from an earlier answer: 304 Not Modified while the record still has it.",
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version being changed (from GET). Without it 428; when it is stale 412.",
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional: the ETag of the version this action is meant for; when it is stale 412.",
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (ppt_...) created in the portal (API → Tokens) or with "
            "`manage.py createapitoken`.",
        }


#: query parameters that an empty value doesn't switch off (every other one is ignored when empty, as
#: in the portal's filter forms: `?status=` means "any status")
EMPTY_VALUE_REFUSED = {"cursor"}


class PortalAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("name") not in EMPTY_VALUE_REFUSED:
                parameter["allowEmptyValue"] = True
        return operation

    def _is_detail(self) -> bool:
        return "{" in self.path and not self._is_list_view()

    def map_renderers(self, attribute: str):
        found = [
            getattr(r, attribute).split(";")[0]
            for r in self.view.get_renderers()
            if not isinstance(r, (renderers.BrowsableAPIRenderer, ExportRenderer)) and hasattr(r, attribute)
        ]
        return list(dict.fromkeys(found))

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        names = {getattr(p, "name", None) for p in parameters}
        if "If-Match" in names or "If-None-Match" in names:
            return parameters
        if self.method == "GET" and self._is_detail():
            parameters.append(IF_NONE_MATCH)
        elif self.method in ("PATCH", "PUT"):
            parameters.append(IF_MATCH_REQUIRED)
        return parameters

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        geo = GeoJSONRenderer.media_type
        if geo in response.get("content", {}):
            response["content"][geo] = {"schema": GEOJSON_SCHEMA}
        return response

    def _error(self, code: str, description: str, headers: dict | None = None) -> dict:
        response = self._get_response_for_code(ErrorSerializer, code, ["application/json"])
        response["description"] = description
        if headers:
            response["headers"] = headers
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if self.method in ("GET", "PATCH", "PUT") and self._is_detail():
            for code in ("200",):
                if code in responses:
                    responses[code].setdefault("headers", {}).update(ETAG_HEADER)
        if self.method == "GET" and self._is_detail():
            responses.setdefault("304", {"description": "Not modified: the record still has the ETag given."})
        errors = {
            "400": "Invalid input (a field, a filter, the cursor or the page size): see `errors`.",
            "401": "No valid credentials: the token is missing, unknown, revoked or expired.",
            "403": "The token lacks the scope, or the user the permission, for this operation.",
            "429": "Too many requests: wait the seconds of Retry-After.",
        }
        if "{" in self.path:  # a detail, or a list under one (an incident's timeline)
            errors["404"] = "No such record in your scope."
        if self.method in ("PATCH", "PUT"):
            errors["412"] = "The record changed since the version named by If-Match (the message says what)."
            errors["428"] = "If-Match is required."
        elif self.method == "POST" and self._is_detail():
            errors["412"] = "The record changed since the version named by If-Match."
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._error(code, description, RETRY_AFTER_HEADER if code == "429" else None)
        return responses
