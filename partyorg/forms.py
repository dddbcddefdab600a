"""Create/update forms of the party organisation.

Each is a `ScopedModelForm` (choices limited to the user's scope, a station user's station pinned).
The rules live in the models; the forms that write several rows (the roll and its flag, a
secondment under lock, a row with the people attached to it) save through `partyorg.services`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from patrols.forms import time_input
from portal.forms import AreaField, DateInput, ScopedModelForm, point_widgets

from . import services
from .models import (
    CommunityBranch,
    Partner,
    PartyBranch,
    PartyGroup,
    PartyMember,
    ResponsibilityZone,
    Secondment,
    VanguardDuty,
    VanguardPost,
    VolunteerActivity,
)


class PeopleFormMixin:
    """A form with many-to-many people fields checked by the model's `validate_people`, saved by a service."""

    people_fields: tuple[str, ...] = ()
    #: the fields `validate_people` needs on the instance before it can check (e.g. the circle)
    people_needs: tuple[str, ...] = ()

    def _post_clean(self):
        super()._post_clean()
        if any(name in self._errors for name in (*self.people_fields, *self.people_needs)):
            return
        if any(getattr(self.instance, f"{name}_id", None) is None for name in self.people_needs):
            return
        try:
            self.instance.validate_people(**self._people())
        except ValidationError as error:
            self._update_errors(error)

    def _people(self) -> dict:
        return {name: list(self.cleaned_data.get(name) or []) for name in self.people_fields}

    def save(self, commit=True):
        return services.save_with_people(instance=self.instance, by=self.user, **self._people())


class BranchForm(ScopedModelForm):
    class Meta:
        model = PartyBranch
        fields = ["station", "name", "secretary", "founded_on", "notes"]
        widgets = {"founded_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the secretary is chosen from the party roll of this branch
        secretary = self.fields["secretary"]
        if self.instance.pk is None:
            secretary.queryset = secretary.queryset.none()
            secretary.help_text = _("Put members on the roll first; then choose the secretary among them.")
        else:
            secretary.queryset = secretary.queryset.filter(party_membership__branch=self.instance.pk)


class GroupForm(ScopedModelForm):
    station_field = ""

    class Meta:
        model = PartyGroup
        fields = ["branch", "name", "team", "leader"]


class PartyMemberForm(ScopedModelForm):
    station_field = ""
    constraint_fields = {"party_one_secretary_per_branch": "role"}

    class Meta:
        model = PartyMember
        fields = ["member", "branch", "group", "role", "joined_on"]
        widgets = {"joined_on": DateInput()}

    def save(self, commit=True):
        return services.party_member_save(party_member=self.instance, by=self.user)


class ZoneForm(PeopleFormMixin, ScopedModelForm):
    station_field = ""
    people_fields = ("members", "informants")
    people_needs = ("circle",)
    area = AreaField(
        label=capfirst(ResponsibilityZone._meta.get_field("area").verbose_name),
        help_text=ResponsibilityZone._meta.get_field("area").help_text,
    )

    class Meta:
        model = ResponsibilityZone
        fields = ["circle", "name", "tasks", "members", "informants", "colour", "area"]
        widgets = {
            "tasks": forms.Textarea(attrs={"rows": 3}),
            "colour": forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
        }


class VanguardPostForm(PeopleFormMixin, ScopedModelForm):
    station_field = ""
    people_fields = ("members", "informants")
    people_needs = ("post",)

    class Meta:
        model = VanguardPost
        fields = ["post", "pledge", "duties", "members", "informants"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}


class DutyForm(ScopedModelForm):
    station_field = ""
    constraint_fields = {"vanguard_duty_weekday_or_date": "on_date", "vanguard_duty_not_empty": "ends"}

    class Meta:
        model = VanguardDuty
        fields = ["vanguard_post", "member", "weekday", "on_date", "starts", "ends"]
        widgets = {"on_date": DateInput(), "starts": time_input(), "ends": time_input()}


class CommunityBranchForm(ScopedModelForm):
    class Meta:
        model = CommunityBranch
        fields = ["station", "community", "name", "address", "lat", "lng"]
        widgets = point_widgets()


class SecondmentForm(ScopedModelForm):
    station_field = ""
    constraint_fields = {"secondment_ends_after_start": "ends_on"}

    class Meta:
        model = Secondment
        fields = ["member", "community_branch", "position", "starts_on", "ends_on", "notes"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def save(self, commit=True):
        return services.secondment_save(secondment=self.instance, by=self.user)


class PartnerForm(ScopedModelForm):
    constraint_fields = {"partner_agreement_order": "agreement_ends_on"}
    personal_fields = ("phone",)

    class Meta:
        model = Partner
        fields = [
            "station",
            "circle",
            "name",
            "kind",
            "agreement_signed_on",
            "agreement_ends_on",
            "contact_name",
            "phone",
            "cooperation",
        ]
        widgets = {
            "agreement_signed_on": DateInput(),
            "agreement_ends_on": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "cooperation": forms.Textarea(attrs={"rows": 3}),
        }


class ActivityForm(PeopleFormMixin, ScopedModelForm):
    people_fields = ("participants",)
    people_needs = ("station",)
    constraint_fields = {"activity_hours_positive": "hours"}

    class Meta:
        model = VolunteerActivity
        fields = [
            "station",
            "kind",
            "title",
            "held_on",
            "place",
            "partner",
            "participants",
            "beneficiaries",
            "hours",
            "description",
        ]
        widgets = {"held_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
