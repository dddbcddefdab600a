"""Filters shared by every app's FilterSets."""

from datetime import UTC

import django_filters
from django_filters.fields import IsoDateTimeField


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, compared in UTC.

    Python accepts offsets up to ±24 h but PostgreSQL only up to ±15:59, so a time such as
    `...+16:45` would reach the database as an error (a 500); in UTC it is an ordinary instant.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.astimezone(UTC) if value is not None else None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField
