"""One shape for every error answer of the API (4xx):

    {"errors": {"field": ["message", ...], ...}, "detail": "one sentence saying what went wrong"}

`errors` is empty when no field is to blame (401, 403, 404, 429, ...); errors not tied to a field
are under "non_field_errors". A service's refusal (a Django `ValidationError`) is a 400 like a
serializer's; an edit over a stale version (`StaleIncidentError`) is a 412.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as {field: [messages]}, non-field messages under "non_field_errors"."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == NON_FIELD_ERRORS else field): DjangoValidationError(errors).messages
            for field, errors in error.error_dict.items()
        }
    return {NON_FIELD: error.messages}


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            found = _first_message(value)
            if found:
                return found
    elif isinstance(errors, list):
        for value in errors:
            found = _first_message(value)
            if found:
                return found
    elif errors:
        return str(errors)
    return ""


def exception_handler(exc, context):
    from incidents.services import StaleIncidentError

    if isinstance(exc, StaleIncidentError):
        exc = PreconditionFailed(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling (and logging) takes it
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {NON_FIELD: data}
        first = _first_message(errors)
        detail = _("Invalid input: %(first)s") % {"first": first} if first else _("Invalid input.")
        response.data = {"errors": errors, "detail": detail}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else _first_message(data)
        response.data = {"errors": {}, "detail": str(detail)}
    return response


def error_response(status_code: int, detail: str, errors: dict | None = None) -> Response:
    return Response({"errors": errors or {}, "detail": detail}, status=status_code)
