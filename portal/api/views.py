"""Base viewsets of the API (NetBox style): every app's endpoints are declared on these.

What they give every endpoint, in one place:
- reads through the model's `visible_to(user)` (another station's row answers 404);
- the token's scope (`read_scope`, `write_scope`) and the user's model permissions
  (`action_permissions` for extra actions);
- throttling per token and per anonymous IP (also counting failed token attempts);
- an `ETag` on every detail, `If-None-Match` answered with 304; `expected_version()` for writes
  that need `If-Match` (428 without it, 412 when it doesn't match);
- keyset pagination (`portal.api.pagination`), GeoJSON for located rows, and the error shape of
  `portal.api.exceptions` whatever the format asked for.

    class CameraViewSet(ScopedReadOnlyViewSet):
        queryset = Camera.objects.all()
        serializer_class = CameraSerializer
        read_scope = "reference:read"
"""

from __future__ import annotations

import hashlib
import json
import math

import django_filters
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import Http404, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from .exceptions import PreconditionFailed, PreconditionRequired
from .permissions import PortalModelPermissions, TokenScopePermission
from .renderers import ExportRenderer, GeoJSONRenderer, PortalJSONRenderer
from .throttling import AnonymousRateThrottle, give_back_early_count


def parse_etags(header: str) -> list[str]:
    """The entity tags of an If-Match / If-None-Match header, without quotes or the weak prefix."""
    tags = []
    for part in (header or "").split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        part = part.strip('"')
        if part:
            tags.append(part)
    return tags


MULTI_VALUED_FILTERS = (django_filters.MultipleChoiceFilter, django_filters.ModelMultipleChoiceFilter)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with two holes of its form fields closed (an empty value still means "any"):

    - a yes/no filter given anything but true or false is a 400 (the form field reads what it doesn't
      know, `?is_active=maybe`, as "any", which would silently answer an unfiltered list);
    - an id beyond the range of the database's integers is a 400 (a multiple-choice filter puts it in
      an `IN (...)` that SQLite can't bind: a 500);
    - a single-valued filter given more than once is a 400 (the form would silently read the last).

    A request that names none of the filters (a plain list, `?cursor=...&page_size=...`) skips the
    filterset, which costs as much as the rest of such a request (its filters and form are deep-copied
    and built per request): every filter does nothing with an empty value, so the list is the same.
    Not when a filter is required (that is a 400) or the filterset overrides `filter_queryset` (it
    may do something when a filter is absent, as the tips' inbox does).
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(request, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, filter_ in filterset.filters.items():
            values = [value for value in request.query_params.getlist(name) if value != ""]
            if len(request.query_params.getlist(name)) > 1 and not isinstance(filter_, MULTI_VALUED_FILTERS):
                errors[name] = [_("Give this parameter once.")]
            elif values and isinstance(filter_, django_filters.BooleanFilter):
                widget = filter_.field.widget
                if any(
                    value.lower() not in ("true", "false")
                    or widget.value_from_datadict({name: value}, {}, name) is None
                    for value in values
                ):
                    errors[name] = [_("Give true or false.")]
            elif values and isinstance(
                filter_, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)
            ):
                low, high = _id_range(filter_)
                for value in values:
                    try:
                        number = int(value)
                    except ValueError:
                        continue  # not a number: the form field says so
                    if not low <= number <= high:
                        errors[name] = [
                            _("Select a valid choice. %(value)s is not one of the available choices.")
                            % {"value": value}
                        ]
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset


def _names_a_filter(request, filterset_class) -> bool:
    """Whether the filterset could do anything to this request's list (see `StrictFilterBackend`)."""
    if filterset_class.filter_queryset is not django_filters.FilterSet.filter_queryset:
        return True
    filters = filterset_class.base_filters
    if any(f.extra.get("required") for f in filters.values()):
        return True
    # a filter's parameter is its name, or its name and a suffix (`_min`, `_after`) for range widgets
    return any(param == name or param.startswith(f"{name}_") for param in request.query_params for name in filters)


def _id_range(filter_) -> tuple[float, float]:
    """The values the column a model-choice filter compares with can hold (unbounded if not an integer)."""
    form_field = filter_.field  # its queryset is resolved (a filter's may be a function of the request)
    model = form_field.queryset.model
    field = model._meta.get_field(form_field.to_field_name or model._meta.pk.name)
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return -math.inf, math.inf


class FormatMixin:
    """Every API view: an unknown `?format=` is a 400 naming the formats (DRF answers a bare 404), and an
    error is JSON in the one error shape whatever format was asked for."""

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(r.format for r in self.get_renderers() if getattr(r, "format", None) != "api")
            raise exceptions.ValidationError(
                {"format": [_("Unknown format: choose one of %(formats)s.") % {"formats": formats}]}
            ) from None

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(getattr(self.request, "accepted_renderer", None), (ExportRenderer, GeoJSONRenderer)):
            self.request.accepted_renderer = PortalJSONRenderer()
            self.request.accepted_media_type = "application/json"
        return response


class ScopedViewSetMixin(FormatMixin):
    """Scope, permissions, throttles, ETags and error shape of every API endpoint (see the module docstring)."""

    permission_classes = [TokenScopePermission, PortalModelPermissions]
    filter_backends = [StrictFilterBackend]
    #: the token scope needed for GET/HEAD/OPTIONS, and for everything else
    read_scope: str | None = None
    write_scope: str | None = None
    #: {action name: "change" (of the model) or "app.codename"} for extra actions
    action_permissions: dict[str, str] = {}
    #: small map layers come whole as GeoJSON (the map draws them at once); big ones keep their pages
    geojson_whole = False
    #: the default order of the list's pages (the primary key is added as the tie-breaker)
    cursor_ordering: tuple[str, ...] = ("pk",)
    #: a field of the row that grows with every change, for `sync_field` pagination (see pagination.py)
    sync_field: str | None = None
    #: a token's request is counted in its authentication's round trip to Redis (see throttling.py)
    counts_token_early = True

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_cursor_ordering(self, request) -> tuple[str, ...]:
        return self.cursor_ordering

    def is_sync(self, request) -> bool:
        return False

    def paginate_queryset(self, queryset):
        if self.geojson_whole and isinstance(getattr(self.request, "accepted_renderer", None), GeoJSONRenderer):
            # the whole layer: a page size or cursor has nothing to do, but a malformed one is still a 400
            self.paginator.get_page_size(self.request)
            self.paginator.decode_cursor(self.request)
            return None
        return super().paginate_queryset(queryset)

    # --- authentication failures count against the caller's IP --------------------------------------

    def initial(self, request, *args, **kwargs):
        # Anonymous callers and failed token attempts are counted per IP before the permission check
        # refuses them, so that tokens can't be guessed at full speed.
        try:
            self.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            give_back_early_count(request)
            self._throttle_anonymous(request)
            raise
        if not request.user.is_authenticated:
            self._throttle_anonymous(request)
        try:
            super().initial(request, *args, **kwargs)
        except Exception:
            # refused before its throttle ran (permissions, format): a request the throttle doesn't count
            give_back_early_count(request)
            raise

    def _throttle_anonymous(self, request) -> None:
        throttle = AnonymousRateThrottle()
        allowed = throttle.allow_request(request, self)
        request._anonymous_throttled = True  # counted once: the default throttles skip it
        if not allowed:
            self.throttled(request, throttle.wait())

    # --- formats ---------------------------------------------------------------------------------

    def perform_content_negotiation(self, request, force=False):
        renderer, media_type = super().perform_content_negotiation(request, force)
        if not force and isinstance(renderer, ExportRenderer) and self.action != "list":
            raise exceptions.NotAcceptable(_("Only lists can be exported as CSV or XLSX."))
        return renderer, media_type

    # --- ETags -----------------------------------------------------------------------------------

    def etag_version(self, obj) -> int | None:
        """The row's version when it has one (an edit must name it in If-Match), else None."""
        return None

    def compute_etag(self, obj, data) -> str:
        renderer = getattr(self.request, "accepted_renderer", None)
        body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
        digest = hashlib.sha256(f"{getattr(renderer, 'format', '')}|{get_language()}|{body}".encode()).hexdigest()
        version = self.etag_version(obj)
        return f'"{version}-{digest[:16]}"' if version is not None else f'"{digest[:24]}"'

    def detail_response(self, obj, data=None, *, status_code: int = status.HTTP_200_OK, headers=None) -> Response:
        """A detail answer with its ETag; 304 (empty) when If-None-Match names it."""
        if data is None:
            data = self.get_serializer(obj).data
        etag = self.compute_etag(obj, data)
        headers = {**(headers or {}), "ETag": etag}
        if status_code == status.HTTP_200_OK and self.request.method in ("GET", "HEAD"):
            wanted = self.request.headers.get("If-None-Match", "")
            if wanted.strip() == "*" or etag.strip('"') in parse_etags(wanted):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(data, status=status_code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def expected_version(self, obj, *, required: bool = True) -> int | None:
        """The version named by If-Match: 428 when missing (and required), 412 when it isn't the row's ETag.

        Only the version part of the tag counts: a change that doesn't make a new version (a note
        added to the timeline) doesn't make an edit stale — the same rule as the pages.
        """
        header = self.request.headers.get("If-Match", "")
        tags = parse_etags(header)
        if not tags or tags == ["*"]:
            if required:
                raise PreconditionRequired(
                    _("Send If-Match with the ETag of the version you are changing (from GET of this record).")
                )
            return None
        versions = set()
        for tag in tags:
            head = tag.split("-", 1)[0]
            if head.isdigit():
                versions.add(int(head))
        current = self.etag_version(obj)
        if current is None or current not in versions:
            if len(versions) == 1:
                # let the service say what changed since, and who changed it
                return versions.pop()
            raise PreconditionFailed(_("If-Match doesn't name the current version of this record."))
        return current


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of a scoped model."""


class ScopedCreateReadViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """List, detail and create (the create serializer calls the app's service)."""


@csrf_exempt  # whatever the method: a POST with a session cookie gets the 404 too, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/ (e.g. an id with a dot, which no route takes): 404 in the error shape."""
    return JsonResponse({"errors": {}, "detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
