"""Filters of the alerts lists (given the already-scoped queryset)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from patrols.models import Station
from portal.generic import ScopedFilterSet

from .choices import AlertKind, AlertState, AudienceGroup, DeliveryState, EndpointKind, MsgType
from .models import Alert, Audience, Delivery, Endpoint


class AudienceFilterSet(ScopedFilterSet):
    search_fields = ("name", "description")
    group = django_filters.ChoiceFilter(choices=AudienceGroup.choices, label=_("group"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = Audience
        fields = ["q", "group", "station", "is_active"]


class EndpointFilterSet(ScopedFilterSet):
    search_fields = ("name", "audience__name")
    kind = django_filters.ChoiceFilter(choices=EndpointKind.choices, label=_("kind"))
    audience = django_filters.ModelChoiceFilter(queryset=Audience.objects.all(), label=_("audience"))

    class Meta:
        model = Endpoint
        fields = ["q", "kind", "audience", "is_active"]


class AlertFilterSet(ScopedFilterSet):
    search_fields = ("headline", "event", "identifier")
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("kind"))
    state = django_filters.ChoiceFilter(choices=AlertState.choices, label=_("state"))
    msg_type = django_filters.ChoiceFilter(choices=MsgType.choices, label=_("message type"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = Alert
        fields = ["q", "kind", "state", "msg_type", "station"]


class DeliveryFilterSet(ScopedFilterSet):
    search_fields = ("alert__headline", "endpoint__name", "idempotency_key")
    state = django_filters.ChoiceFilter(choices=DeliveryState.choices, label=_("state"))

    class Meta:
        model = Delivery
        fields = ["q", "state"]
