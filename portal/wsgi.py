"""WSGI entry point (gunicorn portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

# Refuse to serve without a secret key (Django raises ImproperlyConfigured for an empty one).
settings.SECRET_KEY  # noqa: B018
