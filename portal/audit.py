"""Attributing audit-log entries (django-auditlog) to the user a service acts for.

Requests get their actor from auditlog's middleware; a service may also run from a command, a
Celery task or the demo loader, so every service that writes audited rows runs under `audited`,
which takes the actor from its `by` keyword argument.
"""

from __future__ import annotations

import contextlib
import functools

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def acting_as(by):
    """Attribute the audit-log entries written inside to `by`.

    auditlog's `set_actor` leaves its context variable pointing at its own (finished) context on
    exit, which would silence the request middleware's actor for the rest of the request; so the
    previous context is put back afterwards.
    """
    if by is None:
        yield
        return
    try:
        previous = auditlog_value.get()
    except LookupError:
        previous = None
    try:
        with set_actor(by):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def audited(func):
    """Run a service with its `by` keyword argument as the audit-log actor."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with acting_as(kwargs.get("by")):
            return func(*args, **kwargs)

    return wrapper
