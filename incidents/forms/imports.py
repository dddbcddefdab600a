"""The form of the import page: a CSV file and, for sub-bureau staff, the station of rows that name none."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from patrols.models import Station
from portal.roles import sees_all_stations

from ..imports import MAX_UPLOAD_BYTES


class IncidentImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, one incident per row, the first row naming the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.none(),
        required=False,
        help_text=_("For the rows with an empty station column. Leave empty to place them by their location."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not sees_all_stations(user):
            # a station commander imports into their own station only: the rows are placed by their location
            # and any row outside the station is refused by the service
            del self.fields["station"]
        else:
            self.fields["station"].queryset = Station.objects.visible_to(user).order_by("code")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(limit)s can be uploaded: split it, or ask IT to use the command."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            )
        return upload
