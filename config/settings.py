"""Settings for Drink Tables, all read from the environment.

With no variables set this is the embedded default: a SQLite file, Celery tasks run eagerly
in-process and e-mail goes to the console. Set ``DATABASE_URL`` for PostgreSQL and
``CELERY_BROKER_URL`` (or ``REDIS_URL``) for a Redis broker and real workers.
``config.production`` hardens these settings for a deployment.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)
# The development key only ever serves the embedded default; config.production refuses it.
SECRET_KEY = env("DJANGO_SECRET_KEY") or "drinktables-development-key-not-for-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The domain, each app depending only on those above it (docs/architecture.md).
    "conferences",
    "attendees",
    "matching",
    # The doors, one per audience: organizers, attendees, integrations.
    "organize",
    "dashboard",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language); a signed-in attendee's profile language wins,
    # activated where the profile is loaded (config.i18n.activate_person_language).
    "django.middleware.locale.LocaleMiddleware",
    "config.i18n.OrganizerPagesInEnglishMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.site",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (psycopg2) when DATABASE_URL is set.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    SQLITE_PATH = env("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password sign-in goes through the limits of attendees.backends, whatever the door.
AUTHENTICATION_BACKENDS = ["attendees.backends.RateLimitedModelBackend"]
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "dashboard:login"

LANGUAGE_CODE = "en"
# Attendee pages, e-mails and calendar texts; organizer pages stay English. Each language
# is named in itself, as the profile's language picker shows it.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("de", "Deutsch"),
    ("fr", "Français"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Serve static files through whitenoise from the app folders until collectstatic has run.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads (registration CSVs) are read in memory up to this size; larger bodies are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# No request body over this is read at all (the largest accepted import file, 15 MB, and room
# for the rest of its form); config.middleware answers 413 from the Content-Length alone.
REQUEST_MAX_BODY_BYTES = 16 * 1024 * 1024

# Cache: Redis when configured (shared by every process), otherwise in-process memory.
REDIS_URL = env("REDIS_URL")
CACHE_URL = env("CACHE_URL") or REDIS_URL
if CACHE_URL:
    # Rate limits, sessions and cached attendee pages: while Redis is down they miss rather
    # than fail the request (config.redis_cache), and a call never waits long for it.
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.ForgivingRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "drinktables",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What only a cache shared by every process may hold: an entry dropped in one process (a
# signed-out session, a table whose tablemate hid their organization) must be gone in all.
# Sessions are read from the cache and written through to the database; attendee pages keep
# their tables and networks there (config.caches).
# Both write a new session once (config.sessions).
SESSION_ENGINE = "config.sessions.cached_db" if CACHE_URL else "config.sessions.db"
ATTENDEE_PAGE_CACHE = bool(CACHE_URL)

# Where people reach the app: e-mails and calendar files link to pages under it (they have no
# request to take the address from).
SITE_URL = (env("SITE_URL") or "http://127.0.0.1:8000/").rstrip("/") + "/"

# E-mail: console unless an SMTP host is configured.
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL") or "Drink Tables <tables@drinktables.example>"
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT") or 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Celery: eager in-process unless a broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL or None
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_IGNORE_RESULT = True
# A task that runs longer than the visibility timeout would be handed to a second worker; keep
# every time limit well below it (MATCHING_HARD_TIME_LIMIT_S < this).
CELERY_BROKER_VISIBILITY_TIMEOUT_S = int(env("CELERY_BROKER_VISIBILITY_TIMEOUT_S") or 3600)
# When Redis is down, sending a task fails within a few seconds instead of holding the request:
# one quick retry, bounded connect and socket timeouts (a half-open connection otherwise waits
# forever). The work is saved in the database first and sweeps send it again (config.queue).
# The socket timeout stays above the worker's 1 s BRPOP poll.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT_S,
    "socket_connect_timeout": 2.0,
    "socket_timeout": 5.0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue tasks are sent to and workers listen on (the matching benchmark uses its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE") or "celery"
# With `celery -A config beat` (or a worker started with -B): recover matching runs whose worker
# died or whose task was never sent (Redis was down), and send notices still owed. Runs also
# recover without beat: see matching.services.runs_sweep_stale.
CELERY_BEAT_SCHEDULE = {
    "matching-sweep-stale-runs": {"task": "matching.sweep_stale_runs", "schedule": 30.0},
    "matching-sweep-pending-notices": {
        "task": "matching.sweep_pending_notices",
        "schedule": 300.0,
    },
    "matching-sweep-pending-met-prompts": {
        "task": "matching.sweep_pending_met_prompts",
        "schedule": 900.0,
    },
}

# Matching runs.
MATCHING_DEFAULT_TIME_LIMIT_S = float(env("MATCHING_DEFAULT_TIME_LIMIT_S") or 10)
MATCHING_MAX_TIME_LIMIT_S = float(env("MATCHING_MAX_TIME_LIMIT_S") or 600)
MATCHING_MAX_ATTEMPTS = int(env("MATCHING_MAX_ATTEMPTS") or 3)
# A running run whose heartbeat is older than this is considered abandoned by its worker.
MATCHING_HEARTBEAT_STALE_S = int(env("MATCHING_HEARTBEAT_STALE_S") or 60)
if MATCHING_MAX_TIME_LIMIT_S + 120 >= CELERY_BROKER_VISIBILITY_TIMEOUT_S:
    raise ImproperlyConfigured(
        "MATCHING_MAX_TIME_LIMIT_S must stay well below CELERY_BROKER_VISIBILITY_TIMEOUT_S, "
        "or a long run would be delivered to a second worker."
    )

# Two people count as friends for the matcher (the welcome circle, the anchor goal, circle
# strength) when their tie weight (attendees.ties) is at least this: docs/design.md §3.
try:
    MATCHING_FRIEND_THRESHOLD = float(env("MATCHING_FRIEND_THRESHOLD") or 0.6)
except ValueError:
    raise ImproperlyConfigured(
        "MATCHING_FRIEND_THRESHOLD must be a number such as 0.6 (0: every past encounter counts)."
    ) from None
if not 0 <= MATCHING_FRIEND_THRESHOLD < float("inf"):
    raise ImproperlyConfigured(
        "MATCHING_FRIEND_THRESHOLD must be 0 or more (0: every past encounter counts)."
    )

# Sign-in links.
LOGIN_LINK_TTL_S = 15 * 60
# Sign-in link limits, per hour (reasoning: docs/security.md, "Sign-in at a venue"). One address
# asking again and again; one IP address asking for registered addresses (a venue's Wi-Fi puts
# hundreds of attendees behind one address); one IP address asking for unknown addresses (typos,
# or a client spraying guesses), a budget that grows by UNKNOWN_PER_KNOWN for each registered
# address served from the same IP address. An IP address past either budget is refused.
LOGIN_LINK_RATE_PER_EMAIL = int(env("LOGIN_LINK_RATE_PER_EMAIL") or 5)
LOGIN_LINK_RATE_PER_IP_KNOWN = int(env("LOGIN_LINK_RATE_PER_IP_KNOWN") or 3000)
LOGIN_LINK_RATE_PER_IP_UNKNOWN = int(env("LOGIN_LINK_RATE_PER_IP_UNKNOWN") or 30)
LOGIN_LINK_UNKNOWN_PER_KNOWN = float(env("LOGIN_LINK_UNKNOWN_PER_KNOWN") or 0.1)
# Calendar subscriptions: reads of one feed per hour (calendar apps read every 15 minutes to
# a day), and requests with an unknown or revoked feed secret per client address per hour
# (a stale subscription reads about 4 times an hour; a venue shares one address).
CALENDAR_FEED_RATE_PER_FEED = int(env("CALENDAR_FEED_RATE_PER_FEED") or 60)
CALENDAR_FEED_BAD_TOKEN_RATE_PER_IP = int(env("CALENDAR_FEED_BAD_TOKEN_RATE_PER_IP") or 300)
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For;
# the per-IP limits and the API throttles use it (config.http.client_ip). 0: use REMOTE_ADDR.
NUM_PROXIES = int(env("DJANGO_NUM_PROXIES") or 0)
# Failed staff password sign-ins, per hour.
STAFF_LOGIN_RATE_PER_USERNAME = int(env("STAFF_LOGIN_RATE_PER_USERNAME") or 10)
STAFF_LOGIN_RATE_PER_IP = int(env("STAFF_LOGIN_RATE_PER_IP") or 30)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or bad credential a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.WriteRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.common.DefaultPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.common.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "writes": env("API_WRITE_RATE") or "120/min",
        "login": env("API_LOGIN_RATE") or "10/min",
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": NUM_PROXIES or None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Drink Tables API",
    "DESCRIPTION": "Seat conference attendees at drink tables: attendee and organizer endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.close_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoundStatusEnum": "conferences.enums.RoundStatus",
        "EditableRoundStatusEnum": "api.serializers.conferences.EDITABLE_STATUS_CHOICES",
        "RSVPStatusEnum": "attendees.enums.RSVPStatus",
        "EncounterKindEnum": "attendees.enums.EncounterKind",
        "AttendanceRoleEnum": "attendees.enums.AttendanceRole",
        "RunStatusEnum": "matching.enums.RunStatus",
        "RoundActionEnum": "matching.enums.RoundAction",
    },
}

# Security headers that hold in every environment; config.production adds the TLS ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
