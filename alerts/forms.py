"""Forms of the alerts pages. Rules live in the models and services; these choose fields and widgets."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.forms import AreaField, ScopedModelForm
from portal.widgets import DateTimeLocalInput

from . import services
from .models import Alert, Audience, Endpoint


class AudienceForm(ScopedModelForm):
    area = AreaField(
        label=capfirst(Audience._meta.get_field("area").verbose_name),
        help_text=Audience._meta.get_field("area").help_text,
        required=False,
    )

    class Meta:
        model = Audience
        fields = ["station", "name", "group", "circle", "area", "description", "is_active"]


class EndpointForm(ScopedModelForm):
    """An endpoint's secrets are never shown back: on edit, an empty field keeps the stored value."""

    station_field = ""
    secret_fields = ("url", "secret", "address")
    url = forms.URLField(
        label=capfirst(Endpoint._meta.get_field("url").verbose_name),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("WeCom or DingTalk robot address with its key, or a JSON receiver on the allow-list."),
    )

    class Meta:
        model = Endpoint
        fields = ["audience", "kind", "name", "url", "secret", "address", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk is None:
            return
        masked = {"url": self.instance.url_masked, "secret": self.instance.secret_masked}
        masked["address"] = self.instance.address_masked if self.instance.address else ""
        for name in self.secret_fields:
            if getattr(self.instance, name):
                self.initial[name] = ""
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = masked[name]
                self.fields[name].help_text = _("Leave empty to keep the current value.")

    def _clean_fields(self):
        super()._clean_fields()
        if self.instance.pk is None:
            return
        kind_changed = self.cleaned_data.get("kind") not in (None, self.instance.kind)
        for name in self.secret_fields:
            if name in self.cleaned_data and not self.cleaned_data[name] and not kind_changed:
                self.cleaned_data[name] = getattr(self.instance, name)


class AlertForm(ScopedModelForm):
    """A draft alert; `save()` drafts or edits it through the services."""

    area_polygon = AreaField(
        label=_("area polygon"),
        required=False,
        help_text=_("Optional: a polygon the alert covers, in place of (or beside) a circle."),
    )
    audiences = forms.ModelMultipleChoiceField(
        label=_("audiences"),
        queryset=Audience.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every active channel of these groups gets the alert once it is approved."),
    )

    class Meta:
        model = Alert
        fields = [
            "station",
            "kind",
            "audiences",
            "headline",
            "event",
            "category",
            "urgency",
            "severity",
            "certainty",
            "description",
            "instruction",
            "effective",
            "expires",
            "area_desc",
            "area_polygon",
            "circle_lat",
            "circle_lng",
            "circle_radius_m",
            "status",
            "scope",
            "restriction",
            "language",
            "note",
            "source_incident",
            "source_hazard",
        ]
        widgets = {
            "effective": DateTimeLocalInput(),
            "expires": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "instruction": forms.Textarea(attrs={"rows": 2}),
            "source_incident": forms.HiddenInput(),
            "source_hazard": forms.HiddenInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in ("effective", "expires"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk:
            self.initial.setdefault("audiences", list(self.instance.audiences.values_list("pk", flat=True)))

    def save(self, commit: bool = True) -> Alert:
        data = {name: value for name, value in self.cleaned_data.items() if name not in ("station", "audiences")}
        audiences = self.cleaned_data.get("audiences") or []
        if self.instance.pk:
            for name in ("source_incident", "source_hazard"):
                data.pop(name, None)
            self.instance = services.alert_edit(alert=self.instance, by=self.user, audiences=audiences, **data)
        else:
            station = self.cleaned_data.get("station") or self.user.station
            self.instance = services.alert_draft(by=self.user, station=station, audiences=audiences, **data)
        return self.instance
