"""Generic scoped object views (NetBox style): list, detail, create, update, and reveal of personal data.

Every view reads through `Model.objects.visible_to(request.user)`, so a row of another station
answers 404, and requires the model permission of its action (`view_`, `add_`, `change_`): a
logged-in user without it gets 403, an anonymous one the log-in page. An app declares, per model,
only what differs: the columns of its list, the rows of its detail table, its form and filters.

    class CameraListView(ObjectListView):
        model = Camera
        filterset_class = CameraFilterSet
        columns = [Column("code", link=True), Column("name"), Column("kind"), Column("station")]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q
from django.forms import ModelChoiceField
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from . import privacy
from .roles import may_reveal_personal_data, sees_all_stations
from .widgets import draw_locale

# --- filters ------------------------------------------------------------------------------------


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choices of related rows are limited to the user's scope, with a `?q=` search.

    `search_fields` are the lookups `q` searches (icontains), e.g. ("name", "address").
    """

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            queryset = getattr(filter_, "queryset", None)
            if queryset is not None and not callable(queryset) and hasattr(queryset, "visible_to"):
                filter_.queryset = queryset.visible_to(user)
        if not self.search_fields:
            self.filters.pop("q", None)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{f"{lookup}__icontains": value})
        return queryset.filter(condition)


# --- columns and detail rows ----------------------------------------------------------------------


def _resolve(obj, accessor: str | Callable):
    """Follow a dotted accessor ("team.circle"), using `get_x_display()` for choice fields."""
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if display is not None else getattr(value, part)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value


def _label(model, accessor) -> str:
    if not isinstance(accessor, str):
        return ""
    current = model
    field = None
    for part in accessor.split("."):
        try:
            field = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return part.replace("_", " ")
        current = getattr(field, "related_model", None)
    return field.verbose_name if field is not None else accessor


def _display(value) -> Any:
    """How a value appears in a cell: local times, yes/no, blanks as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        # short, in the user's time zone and language: tables stay readable on a phone
        return date_format(localtime(value) if is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    return value


@dataclass
class Column:
    """One column of a list: an accessor (dotted path or callable), a label, and whether it links.

    `link=True` links to the row's page; `link="team"` links to the page of the related row.
    `template` renders the cell with a template instead (context: `row`, `value`, `column`).
    """

    accessor: str | Callable
    label: str = ""
    link: bool | str = False
    template: str = ""
    css: str = ""

    def cell(self, obj) -> dict:
        value = _resolve(obj, self.accessor)
        url = ""
        if self.link is True:
            url = obj.get_absolute_url()
        elif self.link:
            target = _resolve(obj, self.link)
            url = target.get_absolute_url() if target is not None and hasattr(target, "get_absolute_url") else ""
        elif isinstance(value, models.Model) and hasattr(value, "get_absolute_url"):
            url = value.get_absolute_url()
        return {"value": value, "display": _display(value), "url": url, "template": self.template, "css": self.css}


@dataclass
class Personal:
    """A masked personal-data field (phone, ID number) in a list or on a detail page, with a reveal control."""

    field: str
    label: str = ""
    reveal_url_name: str = ""
    template: str = "generic/inc/personal_value.html"
    css: str = ""
    link: bool = False

    @property
    def accessor(self) -> str:
        return self.field

    def cell(self, obj) -> dict:
        return {
            "value": privacy.masked(obj, self.field),
            "display": privacy.masked(obj, self.field) or "—",
            "url": "",
            "template": self.template,
            "css": self.css,
            "field": self.field,
            "has_value": bool(getattr(obj, self.field)),
            "reveal_url_name": self.reveal_url_name,
        }


# --- views ------------------------------------------------------------------------------------------


class ScopedObjectMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Login, the model permission of `action`, and the user's scope, for any object view."""

    model: type[models.Model]
    action = "view"
    #: only sub-bureau staff may use this view (e.g. creating a station)
    require_all_stations = False
    #: hide the "Add" button from station users (their create view has `require_all_stations`)
    create_requires_all_stations = False
    #: the model has a remove page (`<stem>_remove`, an `ObjectRemoveView`): detail pages offer it
    removable = False
    #: extra `select_related` / `prefetch_related` of the view's queryset
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.{self.action}_{opts.model_name}"]

    def has_permission(self) -> bool:
        if self.require_all_stations and not sees_all_stations(self.request.user):
            return False
        return super().has_permission()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        user = self.request.user
        context.update(
            opts=opts,
            verbose_name=opts.verbose_name,
            verbose_name_plural=opts.verbose_name_plural,
            list_url_name=self.url_name("list"),
            can_add=user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
            and (sees_all_stations(user) or not self.create_requires_all_stations),
            can_change=user.has_perm(f"{opts.app_label}.change_{opts.model_name}"),
            create_url_name=self.url_name("create"),
            update_url_name=self.url_name("update"),
            can_remove=bool(self.removable) and user.has_perm(f"{opts.app_label}.delete_{opts.model_name}"),
            remove_url_name=self.url_name("remove") if self.removable else "",
        )
        return context

    #: the URL name stem of the model's pages, e.g. "patrols:camera" (set by `object_urls`)
    url_stem: str = ""

    def url_name(self, kind: str) -> str:
        return f"{self.url_stem}_{kind}" if self.url_stem else ""


class ObjectListView(ScopedObjectMixin, ListView):
    """A filtered, searchable, paginated table of the rows the user may see."""

    template_name = "generic/object_list.html"
    paginate_by = 50
    columns: list[Column | Personal] = []
    filterset_class: type[ScopedFilterSet] | None = None
    #: a short note shown above the table (e.g. totals), computed per request
    summary: Callable | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            queryset = self.filterset.qs if self.filterset.is_bound else queryset
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = [(obj, [column.cell(obj) for column in self.columns]) for obj in context["object_list"]]
        headers = [column.label or _label(self.model, column.accessor) for column in self.columns]
        query = self.request.GET.copy()
        query.pop("page", None)
        if self.filterset is not None:
            for field in self.filterset.form.fields.values():
                widget = field.widget
                widget.attrs.setdefault(
                    "class",
                    "form-select form-select-sm"
                    if isinstance(field, ModelChoiceField) or hasattr(field, "choices")
                    else "form-control form-control-sm",
                )
        context.update(
            rows=rows,
            headers=headers,
            filter_form=self.filterset.form if self.filterset else None,
            querystring=query.urlencode(),
            filtered=bool(self.filterset and self.filterset.is_bound),
            summary=self.summary(context["paginator"].object_list if context["paginator"] else context["object_list"])
            if self.summary
            else "",
        )
        return context


class ObjectDetailView(ScopedObjectMixin, DetailView):
    """One row the user may see, as a table of fields; per-model templates extend it (maps, related rows)."""

    template_name = "generic/object_detail.html"
    #: the rows of the field table: accessors, or Column/Personal for links and masked fields
    fields: list[str | Column | Personal] = []

    def get_template_names(self):
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_detail.html", self.template_name]

    def get_field_rows(self, obj) -> list[dict]:
        rows = []
        for spec in self.fields:
            column = spec if isinstance(spec, (Column, Personal)) else Column(spec)
            cell = column.cell(obj)
            cell["label"] = column.label or _label(self.model, column.accessor)
            rows.append(cell)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["field_rows"] = self.get_field_rows(self.object)
        context["may_reveal"] = may_reveal_personal_data(self.request.user)
        return context


class ObjectEditMixin(ScopedObjectMixin):
    """Create/update through a `ScopedModelForm` (given the user); a message and the row's page on success."""

    template_name = "generic/object_form.html"
    success_message = _("%(verbose_name)s “%(object)s” was saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            self.success_message
            % {
                "verbose_name": self.model._meta.verbose_name.capitalize(),
                "object": self.object,
            },
        )
        return response

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["draw_locale"] = draw_locale()
        return context


class ObjectCreateView(ObjectEditMixin, CreateView):
    action = "add"
    success_message = _("%(verbose_name)s “%(object)s” was created.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Add %(verbose_name)s") % {"verbose_name": self.model._meta.verbose_name}
        return context


class ObjectUpdateView(ObjectEditMixin, UpdateView):
    action = "change"
    success_message = _("%(verbose_name)s “%(object)s” was updated.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Edit %(verbose_name)s") % {"verbose_name": self.model._meta.verbose_name}
        return context


class RevealView(ScopedObjectMixin, View):
    """POST a reason, get the clear value of a masked field; the reveal is logged (`portal.privacy.reveal`).

    Needs the model's view permission and `portal.reveal_personal_data` (403 without); a row out of
    scope is 404. htmx requests get the small fragment that replaces the masked value.
    """

    http_method_names = ["post"]
    fields: tuple[str, ...] = ("phone",)
    template_name = "generic/inc/revealed.html"

    def has_permission(self) -> bool:
        return super().has_permission() and may_reveal_personal_data(self.request.user)

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        field = request.POST.get("field") or self.fields[0]
        if field not in self.fields:
            return HttpResponseBadRequest(_("This field can't be revealed."))
        reason = request.POST.get("reason", "").strip()
        context = {
            "object": obj,
            "field": field,
            "reason": reason,
            "masked": privacy.masked(obj, field),
            "reveal_url": request.path,
        }
        if not reason:
            context["error"] = _("Give a reason to reveal personal data.")
            return TemplateResponse(request, self.get_template(), context, status=400)
        values = privacy.reveal(user=request.user, instance=obj, fields=[field], reason=reason)
        context["value"] = values[field]
        return TemplateResponse(request, self.get_template(), context)

    def get_template(self) -> str:
        # htmx swaps the fragment in place; a plain form post (no JavaScript) gets a whole page
        return self.template_name if getattr(self.request, "htmx", False) else "generic/revealed_page.html"


class ObjectRemoveView(ScopedObjectMixin, DetailView):
    """Confirm, then take a row away through its service (the subclass's `remove`): never a bare delete.

    Needs the model's delete permission and the row in scope (404 otherwise). The service's
    ValidationError is shown on the confirmation page and nothing is changed.
    """

    action = "delete"
    template_name = "generic/object_confirm_remove.html"
    title = _("Remove %(object)s")
    question = _("Remove %(verbose_name)s “%(object)s”?")
    success_message = _("%(verbose_name)s “%(object)s” was removed.")

    def get_template_names(self):
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_confirm_remove.html", self.template_name]

    def _words(self, text) -> str:
        return text % {"verbose_name": self.model._meta.verbose_name, "object": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self._words(self.title), question=self._words(self.question))
        return context

    def remove(self, obj, *, by) -> None:
        """Call the model's service that removes `obj` (and whatever must go with it)."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            self.remove(self.object, by=request.user)
        except ValidationError as error:
            context = self.get_context_data(object=self.object, errors=error.messages)
            return self.render_to_response(context, status=400)
        messages.success(request, self._words(self.success_message).capitalize())
        return redirect(self.url_name("list"))


# --- URLs ----------------------------------------------------------------------------------------------


def object_urls(
    stem: str,
    route: str,
    namespace: str,
    *,
    list_view,
    detail_view,
    create_view,
    update_view,
    extra: dict[str, tuple[str, type[View]]] | None = None,
) -> list:
    """The four pages of one model: `<stem>_list`, `_detail`, `_create`, `_update` under `route/`.

    `extra` adds more, as {"reveal": ("<int:pk>/reveal/", RevealViewSubclass)} -> `<stem>_reveal`.
    """
    views = {
        "list": ("", list_view),
        "create": ("add/", create_view),
        "detail": ("<int:pk>/", detail_view),
        "update": ("<int:pk>/edit/", update_view),
        **(extra or {}),
    }
    patterns = []
    for kind, (suffix, view) in views.items():
        if view is None:
            continue
        if not issubclass(view, ScopedObjectMixin):
            raise ImproperlyConfigured(f"{view.__name__} must be a scoped object view.")
        patterns.append(path(f"{route}/{suffix}", view.as_view(url_stem=f"{namespace}:{stem}"), name=f"{stem}_{kind}"))
    return patterns
