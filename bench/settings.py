"""Settings of a benchmark run: the portal's own, on a dedicated PostgreSQL database (`portal_bench`).

The runner (`bench.run`) sets DATABASE_URL's database name to BENCH_DATABASE before Django starts.
What differs from production, and why: DEBUG off, every host allowed (the test client's
`testserver`), plain HTTP, throttle rates out of reach (a benchmark fires thousands of requests a
minute from one token), and a URLconf with the benchmark's own naive and floor endpoints added.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("API_THROTTLE_TOKEN", "100000000/minute")
os.environ.setdefault("API_THROTTLE_ANON", "100000000/minute")

from portal.settings import *  # noqa: E402,F403
from portal.settings import DATABASES  # noqa: E402

ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ROOT_URLCONF = "bench.urls"
DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE", "portal_bench")
DATABASES["default"]["CONN_MAX_AGE"] = None  # one connection for the run, as a worker keeps it
if REDIS_URL:  # noqa: F405
    # a Redis database of its own, so that a run never touches the portal's cache or the tests'
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/14",  # noqa: F405
            "KEY_PREFIX": "bench",
        }
    }
# no `collectstatic` before a run: static files from the apps' folders, names unhashed (as in the tests)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
