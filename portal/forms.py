"""Form building blocks shared by every app: GeoJSON fields and the scoped model form.

`ScopedModelForm` is the base of every create/update form: it limits each foreign-key choice to
the rows the user may see (`visible_to`), and pins the station of a user who isn't sub-bureau staff
to their own. Validation stays in the models (`clean()`, constraints); the form only makes sure
their errors land on the right field.
"""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import geo, privacy
from .roles import sees_all_stations
from .widgets import AreaMapWidget, LineMapWidget, PointMapWidget


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget of a form (the shared form templates expect them)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()


class GeoJSONField(forms.JSONField):
    """GeoJSON text, parsed and then validated by `validator` (a `portal.geo` function that normalises)."""

    validator = staticmethod(geo.validate_area)
    default_error_messages = {"invalid": _("Enter valid GeoJSON (it must be JSON text).")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return self.validator(value)

    def prepare_value(self, value):
        # pretty-print stored geometry so that it stays editable by hand; keep Chinese readable
        if value is None:
            return ""
        if isinstance(value, forms.fields.InvalidJSONInput):
            return super().prepare_value(value)
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


class AreaField(GeoJSONField):
    """A GeoJSON Polygon or MultiPolygon (closed rings, valid, inside the sub-bureau's bounds)."""

    widget = AreaMapWidget
    validator = staticmethod(geo.validate_area)


class LineField(GeoJSONField):
    """A GeoJSON LineString inside the sub-bureau's bounds (a patrol route)."""

    widget = LineMapWidget
    validator = staticmethod(geo.validate_line)


def point_widgets(lat: str = "lat", lng: str = "lng") -> dict:
    """`Meta.widgets` entries for a located model: two number inputs, the second with the map."""
    return {
        lat: forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        lng: PointMapWidget(lat_field=lat, lng_field=lng),
    }


class ScopedModelForm(forms.ModelForm):
    """A model form for one user: choices limited to their scope, station pinned for station users.

    Pass `user=` when creating it. `station_field` names the form's station field ("" when the
    model reaches its station through another row, e.g. an informant through its circle).
    `constraint_fields` maps a `Meta.constraints` name to the field its violation is shown on.
    """

    station_field = "station"
    constraint_fields: dict[str, str] = {}
    #: personal-data fields ("phone", "id_number") that an edit form never shows back in clear
    personal_fields: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self._mask_personal_fields()
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
        station = self.fields.get(self.station_field) if self.station_field else None
        if station is not None and not sees_all_stations(user):
            # A station user works in their own station only: shown, but not editable.
            station.disabled = True
            if self.instance.pk is None:
                self.initial[self.station_field] = user.station_id
        self._style_fields()

    def _mask_personal_fields(self) -> None:
        """On an existing row, show a personal-data field empty with its masked value as a hint.

        Editing a record must not reveal what `portal.privacy` masks elsewhere; an empty field on
        submit keeps the stored value, a filled one replaces it.
        """
        if self.instance.pk is None:
            return
        for name in self.personal_fields:
            field = self.fields.get(name)
            if field is None or not getattr(self.instance, name):
                continue
            self.initial[name] = ""
            field.required = False
            field.widget.attrs["placeholder"] = privacy.masked(self.instance, name)
            field.help_text = _("Leave empty to keep the current value.")

    def _clean_fields(self):
        super()._clean_fields()
        if self.instance.pk is None:
            return
        for name in self.personal_fields:
            if name in self.cleaned_data and not self.cleaned_data[name]:
                self.cleaned_data[name] = getattr(self.instance, name)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    @property
    def has_map(self) -> bool:
        return any(getattr(f.widget, "is_map_widget", False) for f in self.fields.values())

    def _style_fields(self) -> None:
        style_widgets(self)

    def _update_errors(self, errors):
        """Show each model error once, on its field: skip fields that already failed, map constraints."""
        error_dict = errors.error_dict if hasattr(errors, "error_dict") else {NON_FIELD_ERRORS: errors.error_list}
        remapped: dict[str, list] = {}
        messages_by_constraint = {
            str(c.get_violation_error_message()): self.constraint_fields[c.name]
            for c in self.instance._meta.constraints
            if c.name in self.constraint_fields
        }
        for field, messages in error_dict.items():
            for message in messages:
                target = field
                if field == NON_FIELD_ERRORS:
                    text = " ".join(ValidationError(message).messages)
                    target = messages_by_constraint.get(text, field)
                    if target not in self.fields:
                        target = field
                if target != NON_FIELD_ERRORS and target in self._errors:
                    continue  # the form field already says what is wrong with it
                remapped.setdefault(target, []).append(message)
        if remapped:
            super()._update_errors(ValidationError(remapped))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def now_local_minute():
    """The current local time to the minute: the default of a time-of-event field."""
    return timezone.localtime().replace(second=0, microsecond=0)


class ServiceForm(forms.Form):
    """A form for one user whose `save()` is one call to a service; the service's refusals become form errors.

    A service's `ValidationError` is put back on the form (`add_service_error`): on the field it
    names when the form has that field, else above the form. Nothing is written when it refuses.
    """

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self._style()

    def _style(self) -> None:
        style_widgets(self)

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", "").split():
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    #: a service's field name -> the form field its errors are shown on, where they differ
    service_fields: dict[str, str] = {}

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal: on the named field when the form has it, else above the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                field = self.service_fields.get(field, field)
                target = field if field in self.fields and field != NON_FIELD_ERRORS else None
                self.add_error(target, ValidationError(errors).messages)
        else:
            self.add_error(None, error.messages)
        self._mark_invalid()

    def try_save(self):
        """`save()` if the form is valid; the saved row, or None with the service's refusal on the form."""
        if not self.is_valid():
            return None
        try:
            return self.save()
        except ValidationError as error:
            self.add_service_error(error)
            return None

    def save(self):  # pragma: no cover - every form defines it
        raise NotImplementedError

    @property
    def has_map(self) -> bool:
        return any(getattr(f.widget, "is_map_widget", False) for f in self.fields.values())
