"""Validators of the incidents app."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11
# (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_character(first17: str) -> str:
    """The check character (0–9 or X) of the first 17 digits of a resident ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> None:
    """Validate a PRC resident ID number (居民身份证号码): 18 characters, 17 digits and a check character.

    Checks the length, the characters, a plausible birth date (YYYYMMDD at positions 7–14, from 1900
    to today) and the ISO 7064 MOD 11-2 checksum; each failure has its own clear message.
    """
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(count)d."),
            code="id_length",
            params={"count": len(value)},
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("A resident ID number is 17 digits followed by a digit or X."), code="id_characters")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not a date."),
            code="id_birth_date",
            params={"date": value[6:14]},
        ) from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not plausible."),
            code="id_birth_date",
            params={"date": birth.isoformat()},
        )
    if resident_id_check_character(value[:17]) != value[17]:
        raise ValidationError(_("This ID number's check character is wrong: it may be mistyped."), code="id_checksum")
