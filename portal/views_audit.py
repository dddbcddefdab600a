"""Audit browsing: the change log (django-auditlog `LogEntry`) and the personal-data access log.

Who may look: the change log needs `auditlog.view_logentry`, the access log `portal.view_accesslog`
(auditors and sub-bureau staff have both; see `portal.roles`). Both are read-only pages.

Scope, and why by the actor: an audit entry names the changed object only by content type and
primary key, and the object may be gone (a delete) or belong to no station at all (a user, a
service type). Finding each entry's station through its object would take one lookup per model
and still leave gaps. Every entry does name its actor, and every user but sub-bureau staff
belongs to one station; so a station auditor sees the entries *made by their station's users*
(`actor__station`), sub-bureau staff see every entry, and entries without an actor (commands,
migrations, the system) are shown to sub-bureau staff only. The access log is scoped the same way
(by `user__station`), like its admin page.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from .models import AccessLog
from .roles import sees_all_stations


def _users_in_scope(user):
    users = get_user_model().objects.order_by("username")
    if sees_all_stations(user):
        return users
    return users.filter(station=user.station_id) if user.station_id else users.none()


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class _AuditFilterForm(forms.Form):
    """Filters shared by both pages: who, and from/to which day (both days included)."""

    actor = forms.ModelChoiceField(label=_("User"), queryset=get_user_model().objects.none(), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = _users_in_scope(user)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The first day is after the last one."))
        return data


class LogEntryFilterForm(_AuditFilterForm):
    model = forms.ModelChoiceField(label=_("Record type"), queryset=ContentType.objects.none(), required=False)
    action = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("", "---------"), *LogEntry.Action.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    object_pk = forms.CharField(label=_("Record id"), required=False, max_length=64)

    field_order = ["model", "action", "object_pk", "actor", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # only the types that have entries, named by their verbose name
        used = LogEntry.objects.order_by().values_list("content_type", flat=True).distinct()
        self.fields["model"].queryset = ContentType.objects.filter(pk__in=used).order_by("app_label", "model")
        self.fields["model"].label_from_instance = lambda ct: (
            str(ct.model_class()._meta.verbose_name).capitalize() if ct.model_class() else ct.model
        )
        self.fields["model"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["action"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["object_pk"].widget.attrs["class"] = "form-control form-control-sm"


class AccessLogFilterForm(_AuditFilterForm):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", "---------"), *AccessLog.Action.choices], required=False
    )
    field_order = ["action", "actor", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["class"] = "form-select form-select-sm"


class _AuditListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    paginate_by = 50
    filter_form_class: type[_AuditFilterForm]
    #: the lookup from a row to the station of the user who acted
    actor_lookup: str

    def get_scoped_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        user = self.request.user
        queryset = self.get_scoped_queryset()
        if not sees_all_stations(user):
            # entries made by the users of the auditor's own station (see the module docstring)
            queryset = (
                queryset.filter(**{f"{self.actor_lookup}__station": user.station_id})
                if user.station_id
                else queryset.none()
            )
        self.filter_form = self.filter_form_class(self.request.GET or None, user=user)
        if self.filter_form.is_bound:
            if not self.filter_form.is_valid():
                return queryset.none()
            queryset = self.filter(queryset, self.filter_form.cleaned_data)
        return queryset

    def filter(self, queryset, data: dict):
        if data.get("actor"):
            queryset = queryset.filter(**{self.actor_lookup: data["actor"]})
        if data.get("date_from"):
            queryset = queryset.filter(**{f"{self.time_field}__gte": _day_start(data["date_from"])})
        if data.get("date_to"):
            queryset = queryset.filter(**{f"{self.time_field}__lt": _day_start(data["date_to"] + timedelta(days=1))})
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=self.filter_form, querystring=query.urlencode(), filtered=self.filter_form.is_bound)
        return context


class AuditLogView(_AuditListView):
    """Every audited create, update and delete: when, who, what record, which fields changed."""

    permission_required = "auditlog.view_logentry"
    template_name = "portal/audit_log.html"
    filter_form_class = LogEntryFilterForm
    actor_lookup = "actor"
    time_field = "timestamp"

    def get_scoped_queryset(self):
        return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")

    def filter(self, queryset, data: dict):
        queryset = super().filter(queryset, data)
        if data.get("model"):
            queryset = queryset.filter(content_type=data["model"])
        if data.get("action") is not None:
            queryset = queryset.filter(action=data["action"])
        if data.get("object_pk"):
            queryset = queryset.filter(object_pk=data["object_pk"].strip())
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = [
            {
                "entry": entry,
                "model": _model_name(entry.content_type),
                "changes": _changes(entry),
            }
            for entry in context["object_list"]
        ]
        return context


def _model_name(content_type) -> str:
    model = content_type.model_class() if content_type else None
    return str(model._meta.verbose_name).capitalize() if model else getattr(content_type, "model", "")


def _changes(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field label, old, new) of an entry; the values as auditlog stored them (masked fields stay masked)."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    model = entry.content_type.model_class() if entry.content_type else None
    rows = []
    for name, values in changes.items():
        label = name
        if model is not None:
            try:
                label = str(model._meta.get_field(name).verbose_name)
            except Exception:  # a field since removed: keep its name
                label = name
        if isinstance(values, (list, tuple)) and len(values) == 2:
            old, new = values
        else:  # many-to-many changes are stored as a dict
            old, new = "", str(values)
        rows.append((label, "" if old in (None, "None") else str(old), "" if new in (None, "None") else str(new)))
    return rows


class AccessLogView(_AuditListView):
    """Every reveal and export of personal data: who, what, when and why."""

    permission_required = "portal.view_accesslog"
    template_name = "portal/audit_access_log.html"
    filter_form_class = AccessLogFilterForm
    actor_lookup = "user"
    time_field = "at"

    def get_scoped_queryset(self):
        return AccessLog.objects.select_related("user").order_by("-at", "-pk")

    def filter(self, queryset, data: dict):
        queryset = super().filter(queryset, data)
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        return queryset
