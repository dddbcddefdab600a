"""System checks of the portal's own settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    """A deployment (DEBUG off) must have SECRET_KEY in its environment."""
    try:
        key = settings.SECRET_KEY  # Django raises for an empty key
    except ImproperlyConfigured:
        key = ""
    if not settings.DEBUG and not key:
        hint = "Set it in the environment (.env)."
        return [Error("SECRET_KEY must be set when DEBUG is off.", hint=hint, id="portal.E001")]
    return []
