"""What a representation of many rows needs once, not per row or per request: used by the API's rows, the map
layer and the dashboards' panels.

- `choice_labels(Category)`: {value: label} of a choices class in the active language, translated once per
  language and process (a lazy label costs a catalogue lookup every time it is turned into text).
- `labels(("Mon", "Tue", …))`: texts marked with `gettext_noop`, in the active language, translated once per
  language and process.
- `url_template("incidents:incident_detail")`: the URL of a row's page with "{}" where its primary key goes,
  reversed once for a page of rows.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils import translation
from rest_framework.reverse import reverse

#: a primary key no row has, reversed and then replaced by "{}"
_PLACEHOLDER = 987654321


@lru_cache(maxsize=128)
def _labels(choices, language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def choice_labels(choices) -> dict[str, str]:
    """{value: label} of a `TextChoices` class in the active language, in the class's order. Read-only."""
    return _labels(choices, translation.get_language())


@lru_cache(maxsize=128)
def _translated(texts: tuple[str, ...], language: str | None) -> tuple[str, ...]:
    with translation.override(language):
        return tuple(translation.gettext(text) for text in texts)


def labels(texts: tuple[str, ...]) -> tuple[str, ...]:
    """`texts` (marked with `gettext_noop`) in the active language, in their order."""
    return _translated(texts, translation.get_language())


def url_template(view_name: str, *, request=None, format=None) -> str:
    """The URL of view `view_name` for a row, with "{}" for its `pk` (absolute when `request` is given)."""
    url = reverse(view_name, kwargs={"pk": _PLACEHOLDER}, request=request, format=format)
    return url.replace(str(_PLACEHOLDER), "{}")
