"""Test settings: the environment's database (SQLite or DATABASE_URL), fast hashers, plain HTTP."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")

from .settings import *  # noqa: E402,F403
from .settings import DATABASES, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
DEMO_MODE = True
# Unit tests run Celery tasks in-process; tests that need a real worker start one themselves.
CELERY_TASK_ALWAYS_EAGER = True
if REDIS_URL:
    # a separate Redis database so that tests never touch a developer's cache
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/15",
            "KEY_PREFIX": "test",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Tests compare messages with their English source text; the zh-Hans default itself is tested in
# tests/portal/test_i18n.py (with LANGUAGE_CODE overridden back) and by the browser tests (zh-CN browser).
LANGUAGE_CODE = "en"
