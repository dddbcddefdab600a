"""Serializer fields and bases shared by every app's API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.privacy import MASKERS


class MaskedField(serializers.ReadOnlyField):
    """A personal-data field that the API always shows masked (revealing is a logged action)."""

    def __init__(self, kind: str, **kwargs):
        self.mask = MASKERS[kind]
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return self.mask(value or "")


@extend_schema_field({"type": "string", "format": "uri-reference", "readOnly": True})
class PageLinkField(serializers.ReadOnlyField):
    """The link of the row's page in the portal (`get_absolute_url`): a path on this site, not an absolute URI."""


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of a related row, accepted only when the requesting user may see that row.

    Another station's row is answered like a row that doesn't exist, so ids can't be probed.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(getattr(request, "user", None))


class InputSerializer(serializers.Serializer):
    """The body of a write: unknown fields are refused (rather than silently ignored), with their names."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if errors and isinstance(error.detail, dict):
                error.detail.update(serializers.ValidationError(errors).detail)
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


def optional_text(max_length: int | None = None, **kwargs) -> serializers.CharField:
    """A text field that may be left out or empty; the service decides whether it is needed."""
    if max_length is not None:
        kwargs["max_length"] = max_length
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)
