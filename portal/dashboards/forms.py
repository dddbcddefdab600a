"""The dashboards' period and scope selector (a GET form)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, Station
from portal.roles import sees_all_stations

from .figures import Period, Scope, date_period, preset_period

#: the longest custom range (the rollups make it cheap; the limit keeps the previous period meaningful)
MAX_DAYS = 5 * 366


# The form is drawn on every load of a dashboard: its widgets are drawn here, each in one go, instead of
# with a template per widget, per attribute list and per option (Django's), which cost more than a panel.


class _Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            "<option{}>{}</option>",
            (
                (flatatt({"value": str(option["value"]), **option["attrs"]}), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html("<select{}>{}</select>", flatatt({"name": widget["name"], **widget["attrs"]}), options)


class _DateInput(forms.DateInput):
    input_type = "date"

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = {} if widget["value"] is None else {"value": str(widget["value"])}
        return format_html(
            "<input{}>", flatatt({"type": widget["type"], "name": widget["name"], **shown, **widget["attrs"]})
        )


class _ListedChoices(ModelChoiceIterator):
    """The options from the queryset itself (read once, kept), not from a server-side cursor per drawing."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ModelChoiceField(forms.ModelChoiceField):
    iterator = _ListedChoices
    widget = _Select


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        widget=_Select,
        choices=[
            ("today", _("Today")),
            ("7d", _("Last 7 days")),
            ("30d", _("Last 30 days")),
            ("custom", _("Custom range")),
        ],
    )
    start = forms.DateField(label=_("From"), required=False, widget=_DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=_DateInput)
    station = _ModelChoiceField(label=_("Station"), queryset=Station.objects.none(), required=False)
    circle = _ModelChoiceField(label=_("Circle"), queryset=PatrolCircle.objects.none(), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["station"].queryset = Station.objects.visible_to(user).order_by("pk")
        self.fields["circle"].queryset = PatrolCircle.objects.visible_to(user).order_by("station_id", "pk")
        if not sees_all_stations(user):
            del self.fields["station"]  # a commander's dashboard is always their own station's
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of the custom range."), code="range_missing")
            if start > end:
                raise forms.ValidationError(_("The range must start before it ends."), code="range_order")
            if end > timezone.localdate() + timedelta(days=1):
                raise forms.ValidationError(_("The range can't end in the future."), code="range_future")
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("The range can be at most five years long."), code="range_long")
        station, circle = data.get("station"), data.get("circle")
        if station and circle and circle.station_id != station.pk:
            raise forms.ValidationError(_("The circle belongs to another station."), code="circle_station")
        return data

    def period_value(self) -> Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        key = data.get("period") or "7d"
        if key == "custom":
            return date_period(data["start"], data["end"])
        return preset_period(key)

    def scope_value(self) -> Scope:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        circle = data.get("circle")
        station = data.get("station")
        if not sees_all_stations(self.user):
            station_id = self.user.station_id
        else:
            station_id = station.pk if station else (circle.station_id if circle else None)
        return Scope(station_id=station_id, circle_id=circle.pk if circle else None)
