"""The dashboards' period and scope selector (a GET form)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, Station
from portal.roles import sees_all_stations

from .figures import Period, Scope, date_period, preset_period

#: the longest custom range (the rollups make it cheap; the limit keeps the previous period meaningful)
MAX_DAYS = 5 * 366


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("today", _("Today")),
            ("7d", _("Last 7 days")),
            ("30d", _("Last 30 days")),
            ("custom", _("Custom range")),
        ],
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    station = forms.ModelChoiceField(label=_("Station"), queryset=Station.objects.none(), required=False)
    circle = forms.ModelChoiceField(label=_("Circle"), queryset=PatrolCircle.objects.none(), required=False)

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
