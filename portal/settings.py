"""Settings of the patrol-circles portal, read from the environment only.

Every variable is listed with its default in `.env.example`. There is no production-only code path:
the same settings serve `make run` (SQLite, in-process jobs) and a deployment (PostgreSQL, Redis,
Celery workers), the difference being only what the environment says.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20
# With DEBUG off and no SECRET_KEY, the key stays empty: Django refuses to use it (ImproperlyConfigured
# on first use), the WSGI entry point refuses to start (portal/wsgi.py), and `check --deploy` reports
# portal.E001. Commands that need no key (makemigrations, collectstatic) still run.

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Demo users with published passwords are created only where this holds (see seed_demo).
DEMO_MODE = env.bool("DEMO_MODE", default=DEBUG)

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # replaces django.contrib.admin: skips leaflet.admin (needs GDAL)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "axes",
    "csp",
    "django_htmx",
    "auditlog",
    "portal",
    "patrols",
    "incidents",
    "partyorg",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite file by default (embedded, zero set-up); DATABASE_URL=postgres://... for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and jobs -------------------------------------------------------------------------
# REDIS_URL makes Redis the Celery broker, result store and cache; without it Celery runs every
# task in-process (eager) and the cache is per-process memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "portal.tasks.record_heartbeat", "schedule": 30.0},
}
# When on, /healthz also requires a recent worker heartbeat (set it where workers run).
HEALTHZ_REQUIRE_WORKER = env.bool("HEALTHZ_REQUIRE_WORKER", default=False)
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=env.int("WORKER_HEARTBEAT_MAX_AGE", default=120))

# --- Alert broadcasts (alerts/) -----------------------------------------------------------------
# Webhook hosts the portal may post to (exact names, or "*.example.com"); anything else is refused.
ALERT_WEBHOOK_ALLOWED_HOSTS = env.list(
    "ALERT_WEBHOOK_ALLOWED_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
)
# Private, loopback and link-local webhook addresses are refused unless this is on (tests, closed networks).
ALERT_ALLOW_PRIVATE_WEBHOOKS = env.bool("ALERT_ALLOW_PRIVATE_WEBHOOKS", default=False)
# Chat robots accept about 20 messages a minute per key: the sender stays at or under this.
ALERT_WEBHOOK_RATE_LIMIT = env.int("ALERT_WEBHOOK_RATE_LIMIT", default=20)
ALERT_WEBHOOK_RATE_WINDOW_SECONDS = 60
# Retries back off exponentially (with jitter) from the base to the cap; after the last attempt a row is dead.
ALERT_MAX_ATTEMPTS = env.int("ALERT_MAX_ATTEMPTS", default=8)
ALERT_RETRY_BASE_SECONDS = env.float("ALERT_RETRY_BASE_SECONDS", default=30.0)
ALERT_RETRY_MAX_SECONDS = env.float("ALERT_RETRY_MAX_SECONDS", default=3600.0)
# A row left `sending` longer than this (its worker died) is reclaimed by the sweeper.
ALERT_SENDING_STUCK_SECONDS = env.int("ALERT_SENDING_STUCK_SECONDS", default=300)
ALERT_SWEEP_SECONDS = env.float("ALERT_SWEEP_SECONDS", default=15.0)
ALERT_SEND_TIMEOUT_SECONDS = env.float("ALERT_SEND_TIMEOUT_SECONDS", default=10.0)
ALERT_BATCH_SIZE = 200  # rows per claim; a chunk held for half ALERT_SENDING_STUCK_SECONDS gives the rest back
# The Celery queue of the sending tasks (a deployment may give broadcasts workers of their own).
ALERT_TASK_QUEUE = env.str("ALERT_TASK_QUEUE", default="celery")
# Dotted path of the SMS provider class (alerts/sms.py documents the interface of a real gateway).
ALERT_SMS_PROVIDER = env.str("ALERT_SMS_PROVIDER", default="alerts.sms.ConsoleSmsProvider")
# A P1 incident not dispatched within this many minutes raises an escalation to its station's commanders.
ALERT_P1_ESCALATION_MINUTES = env.int("ALERT_P1_ESCALATION_MINUTES", default=10)
# CAP <sender> of the portal's alerts, and the start of their identifiers.
ALERT_CAP_SENDER = env.str("ALERT_CAP_SENDER", default="alerts@portal.example")
ALERT_CAP_IDENTIFIER_PREFIX = "DQ"
# Acknowledgement links in messages start with this address (the portal as recipients reach it).
ALERT_ACK_BASE_URL = env.str("ALERT_ACK_BASE_URL", default="http://127.0.0.1:8000")
ALERT_ACK_MAX_AGE_DAYS = 14
CELERY_BEAT_SCHEDULE.update(
    {
        "alerts-sweep": {"task": "alerts.tasks.sweep_deliveries", "schedule": ALERT_SWEEP_SECONDS},
        "alerts-p1-escalation": {"task": "alerts.tasks.escalate_p1_incidents", "schedule": 60.0},
        "alerts-weekly-bulletin": {
            "task": "alerts.tasks.draft_weekly_bulletins",
            "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
        },
        "alerts-hazard-reminders": {
            "task": "alerts.tasks.remind_overdue_hazards",
            "schedule": crontab(minute=30, hour=8),
        },
    }
)

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five failed log-ins for one username within 15 minutes lock that account for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by IP as well would lock out a whole station: its officers share one NATed office address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False

# Sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Security (on whenever DEBUG is off) ----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Map --------------------------------------------------------------------------------------
# The tile layer is a setting: "osm" (default), "tianditu" (needs TIANDITU_KEY) or a URL template.
TILE_PRESETS = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),
    "tianditu": (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk="
        + env.str("TIANDITU_KEY", default=""),
        "© 天地图",
    ),
}
_tiles = env.str("MAP_TILES", default="osm")
MAP_TILE_URL, MAP_TILE_ATTRIBUTION = TILE_PRESETS.get(_tiles, (_tiles, env.str("MAP_TILE_ATTRIBUTION", default="")))
MAP_TILE_SUBDOMAINS = "01234567" if _tiles == "tianditu" else "abc"
# The sub-bureau's bounds (min lng, min lat, max lng, max lat): every point and area must be inside.
GEO_BOUNDS = tuple(env.list("GEO_BOUNDS", cast=float, default=[119.40, 26.55, 119.70, 26.78]))
MAP_CENTER = (env.float("MAP_CENTER_LAT", default=26.662), env.float("MAP_CENTER_LNG", default=119.548))
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": MAP_CENTER,
    "DEFAULT_ZOOM": 14,
    "TILES": [],
    "RESET_VIEW": False,
}


def _origin(url: str) -> str:
    """Scheme and host of a tile URL template, for the CSP (subdomain placeholders become a wildcard)."""
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


# --- Content-Security-Policy ------------------------------------------------------------------
# No inline script anywhere: pages pass data with json_script and load the project's own JS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],  # Leaflet and Bootstrap position elements with style attributes
        "img-src": [SELF, "data:", _origin(MAP_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- REST API ---------------------------------------------------------------------------------
# /api/v1/: bearer tokens for clients (portal.api.authentication), sessions for the portal's own pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.BearerTokenAuthentication",  # first: its WWW-Authenticate makes 401s
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "portal.api.renderers.PortalJSONRenderer",
        "portal.api.renderers.GeoJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.TokenRateThrottle",
        "portal.api.throttling.AnonymousRateThrottle",
    ],
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalCursorPagination",
    "PAGE_SIZE": 100,
    "URL_FORMAT_OVERRIDE": "format",
}
# Requests per token, and per IP address of anonymous callers (failed token attempts count there too).
API_THROTTLE_RATES = {
    "token": env.str("API_THROTTLE_TOKEN", default="600/minute"),
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
}
# A synchronisation walk (?updated_since=...) stops this many seconds before "now", so that a change
# whose transaction was still open when the walk began is not skipped (see portal/api/pagination.py).
API_SYNC_SETTLE_SECONDS = env.float("API_SYNC_SETTLE_SECONDS", default=2.0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Patrol-circles portal API",
    "DESCRIPTION": "The REST API of the patrol-circles portal: incidents and the work around them, and the "
    "patrol network. Authenticate with `Authorization: Bearer <token>`. Every error answers "
    '`{"errors": {field: [messages]}, "detail": "..."}`. See docs/api.md for the synchronisation contract.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # one named enum per choice set (fields named "kind" or "status" mean different sets in different models)
    "ENUM_NAME_OVERRIDES": {
        "CircleKindEnum": "patrols.choices.CircleKind",
        "DutyStateEnum": "patrols.choices.DutyState",
        "PostKindEnum": "patrols.choices.PostKind",
        "MemberKindEnum": "patrols.choices.MemberKind",
        "InformantKindEnum": "patrols.choices.InformantKind",
        "CameraKindEnum": "patrols.choices.CameraKind",
        "IncidentStatusEnum": "incidents.choices.IncidentStatus",
        "IncidentCategoryEnum": "incidents.choices.Category",
        "HazardSeverityEnum": "incidents.choices.HazardSeverity",
        "EventKindEnum": "incidents.choices.EventKind",
        "TipStatusEnum": "incidents.choices.TipStatus",
        "HazardTypeEnum": "incidents.choices.HazardType",
        "RemediationStatusEnum": "incidents.choices.RemediationStatus",
        "ServiceKindEnum": "incidents.choices.ServiceKind",
        "ServiceRequestStatusEnum": "incidents.choices.ServiceRequestStatus",
    },
}

# --- Audit ------------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False

# --- E-mail and logging -----------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # httpx logs every request at INFO: one line per delivery of a broadcast
    "loggers": {"axes": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
