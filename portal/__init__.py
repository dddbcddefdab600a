"""The project package: settings, URLs, the Celery app, roles and scoping, the map and geo helpers."""

from .celery import app as celery_app

__all__ = ("celery_app",)
