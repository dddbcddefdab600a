"""`{% load incident_imports %}{% if user|may_import_incidents %}`: whether to offer the import page."""

from django import template

from ..imports import may_import

register = template.Library()


@register.filter
def may_import_incidents(user) -> bool:
    return may_import(user)
