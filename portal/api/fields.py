from rest_framework import serializers

from portal.privacy import MASKERS


class MaskedField(serializers.ReadOnlyField):
    """A personal-data field that the API always shows masked (revealing is a logged action)."""

    def __init__(self, kind: str, **kwargs):
        self.mask = MASKERS[kind]
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.mask(value or "")
