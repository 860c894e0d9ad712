"""One settings module, driven by the environment. See .env.example for every variable.

With nothing set you get the embedded defaults (SQLite, a Redis that `make run` and manage.py start for you, files
under var/). `DJANGO_ENV=production` switches to managed services and makes their settings required.
"""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers

from config import embedded_redis
from config.email import email_settings
from config.env import envbool, envchoice, envfloat, envint, envlist, envstr
from core import logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

ENV = envchoice("DJANGO_ENV", "development", choices=("development", "test", "production"))
PRODUCTION = ENV == "production"

SECRET_KEY = envstr("SECRET_KEY", required=PRODUCTION) or "dev-only-insecure-key-never-use-in-production"
DEBUG = envbool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"], required=PRODUCTION)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Client IPs come from X-Forwarded-For only when we know how many proxies append to it (core.clients.client_ip,
# the one place; uvicorn runs with --no-proxy-headers). FORWARDED_ALLOW_IPS, when set, also requires the peer
# to be one of those networks (the proxy's), so a client that reaches the app directly cannot forge the header.
NUM_PROXIES = envint("NUM_PROXIES", 0)
FORWARDED_ALLOW_IPS = [ipaddress.ip_network(net, strict=False) for net in envlist("FORWARDED_ALLOW_IPS")]

INSTALLED_APPS = [
    "accounts.admin_apps.AdminConfig",  # django.contrib.admin with our site: rate-limited, audited, two-factor login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_dramatiq",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "billing",
    "designs",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the admin asks for it (accounts/admin_site.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite for development, Postgres (psycopg 3) when DATABASE_URL is set.
DATABASE_URL = envstr("DATABASE_URL", required=PRODUCTION) or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DB_POOL_MAX = envint("DB_POOL_MAX", 16)  # Postgres connections per process; 0 turns the pool off
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DB_POOL_MAX:
    # Under ASGI every request runs on a fresh thread, so per-thread persistent connections are never reused:
    # without a pool each request opened a new Postgres session. Django's pool checks a connection before lending it.
    DATABASES["default"].update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": DB_POOL_MAX, "timeout": 10}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Redis: broker, channel layer and cache. Without REDIS_URL, development uses a real one under var/redis, which
# whoever serves the app starts (config/run.py, manage.py: config.embedded_redis.ensure_configured). Importing
# the settings starts nothing: no process, no connection.
EMBEDDED_REDIS_DIR = None if envstr("REDIS_URL", required=PRODUCTION) else VAR_DIR / "redis"
REDIS_URL = envstr("REDIS_URL") or embedded_redis.url(EMBEDDED_REDIS_DIR)

CACHES = {"default": {"BACKEND": "core.cache.SharedRedisCache", "LOCATION": REDIS_URL}}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 gives sockets a 5 s read timeout by default, which drops idle WebSockets.
        # redis-py 8's async pool also stops at 100 connections and then raises: a burst of reconnecting
        # sockets after a deploy needs more.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}]},
    }
}

DRAMATIQ_BROKER = {
    # Dramatiq's Redis broker, consuming the priority queue before the free one (designs/queues.py).
    "BROKER": "designs.queues.PriorityRedisBroker",
    "OPTIONS": {"url": REDIS_URL},
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
        "designs.dramatiq_middleware.ReaperTimer",
        "designs.gpu_warmup.GpuWarmup",
        "config.worker_metrics.WorkerMetrics",  # the worker's /metrics on WORKER_METRICS_PORT
        "designs.heartbeat.Heartbeat",  # each worker process says in Redis that it lives and what it runs
        # A stopping worker hands its designs back at once: Dramatiq raises Shutdown in each thread it lists.
        # Last, so that a thread is listed only around the actor itself (the after-hooks run in reverse): a
        # Shutdown sent while a thread acked, closed its connection or logged could land there, even inside a
        # logging lock that then stays held (a test process hung on one).
        "dramatiq.middleware.ShutdownNotifications",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]

# Storage: local files under var/media, or a private S3-compatible bucket.
STORAGE_BACKEND = envstr("STORAGE_BACKEND", "s3" if PRODUCTION else "local")
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
FILE_URL_MAX_AGE = envint("FILE_URL_MAX_AGE", 3600)


def s3_storage_settings(*, bucket: str, endpoint_url: str | None, region: str | None, access_key: str | None,
                        secret_key: str | None, url_max_age: int, addressing_style: str) -> dict:
    """A private bucket whose files are reached only by signed URLs (the S3 test builds its storage here too)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region,
            "access_key": access_key,
            "secret_key": secret_key,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": url_max_age,
            "file_overwrite": False,
            "addressing_style": addressing_style,
            "signature_version": "s3v4",
        },
    }


if STORAGE_BACKEND == "s3":
    _default_storage = s3_storage_settings(
        bucket=envstr("S3_BUCKET", required=True),
        endpoint_url=envstr("S3_ENDPOINT_URL"),
        region=envstr("S3_REGION"),
        access_key=envstr("S3_ACCESS_KEY_ID"),
        secret_key=envstr("S3_SECRET_ACCESS_KEY"),
        url_max_age=FILE_URL_MAX_AGE,
        addressing_style=envstr("S3_ADDRESSING_STYLE", "path"),
    )
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Restyle API",
    "DESCRIPTION": "Restyle a photo of a room into another interior style, keeping its layout.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Generated clients: a request component (the image as `format: binary`) apart from the response one.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # operation ids and tags from what follows it: designs_create...
    "ENUM_NAME_OVERRIDES": {"DesignStatusEnum": "designs.models.Status",
                            "RoomTypeEnum": "designs.serializers.ROOM_TYPE_CHOICES"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api_schema.declare_errors"],
}

# Sign-in and sign-up limits (accounts/limits.py; django-ratelimit, Redis cache). A client's network is its IPv4
# address or its IPv6 /64. RATELIMIT_LOGIN counts FAILED sign-ins (site, token API, admin, second-factor codes,
# account deletion's password) per network, per account from one network, and per account over all networks;
# the last refuses only the networks that failed on the account, so the right password from elsewhere still works.
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", True)
RATELIMIT_LOGIN = envstr("RATELIMIT_LOGIN", "10/m")
RATELIMIT_LOGIN_ATTEMPTS = envstr("RATELIMIT_LOGIN_ATTEMPTS", "60/m")  # every sign-in attempt, per client network
RATELIMIT_REGISTER = envstr("RATELIMIT_REGISTER", "5/m")  # sign-up attempts per client network
SIGNUPS_PER_NETWORK_PER_HOUR = envint("SIGNUPS_PER_NETWORK_PER_HOUR", 10)  # accounts created; 0 turns it off
# The admin asks staff for a TOTP code (django-otp) when this is on, or when the staff member has enrolled one.
# Staff without one enrol at their first admin sign-in. On by default in production only.
ADMIN_REQUIRE_2FA = envbool("ADMIN_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "Restyle")  # the name authenticator apps show
TOKEN_LAST_USED_RESOLUTION = envint("TOKEN_LAST_USED_RESOLUTION", 60)  # seconds between last-used writes

# Security: production runs behind a TLS-terminating proxy.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and envbool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# /ready/ and /health/ are probed over plain HTTP from inside the platform.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
# /ready/ is public: each process runs its checks at most once per this many seconds and repeats the answer.
READY_CACHE_SECONDS = envfloat("READY_CACHE_SECONDS", 2.0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# One JSON object per line in production (request_id, user_id, design_id on each), plain text in development.
LOG_FORMAT = envstr("LOG_FORMAT", "json" if PRODUCTION else "plain")
ACCESS_LOG = envbool("ACCESS_LOG", PRODUCTION)  # one line per request from Django; it replaces uvicorn's
LOGGING = logs.logging_config(fmt=LOG_FORMAT, level=envstr("LOG_LEVEL", "INFO"), access_log=ACCESS_LOG)

# Designs
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", 15 * 1024 * 1024)
UPLOAD_FORM_OVERHEAD_BYTES = envint("UPLOAD_FORM_OVERHEAD_BYTES", 1024 * 1024)  # the photo form's other fields
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + UPLOAD_FORM_OVERHEAD_BYTES
# Request bodies are bounded before Django reads them (core/bodyguard.py): the photo routes take
# MAX_UPLOAD_BYTES + UPLOAD_FORM_OVERHEAD_BYTES, everything else MAX_REQUEST_BODY_BYTES; a body that has not
# fully arrived within its deadline is answered 408.
MAX_REQUEST_BODY_BYTES = envint("MAX_REQUEST_BODY_BYTES", 64 * 1024)
REQUEST_BODY_TIMEOUT_SECONDS = envfloat("REQUEST_BODY_TIMEOUT_SECONDS", 15.0)
UPLOAD_BODY_TIMEOUT_SECONDS = envfloat("UPLOAD_BODY_TIMEOUT_SECONDS", 120.0)
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
GPU_BACKEND = envstr("GPU_BACKEND", "modal" if PRODUCTION else "local")  # local | modal | http
MODEL_PROFILE = envstr("MODEL_PROFILE")  # sd15 | tiny; unset: sd15 when its weights are cached, else tiny
MODAL_APP_NAME = envstr("MODAL_APP_NAME", "restyle")
MODAL_GPU_TYPE = envstr("MODAL_GPU_TYPE", "L4")  # prices the GPU seconds of designs run on Modal
# GPU_BACKEND=http: our own `python -m gpu.serve` servers (gpu/backends/http.py), least busy first.
_HTTP_ENGINE = "http" in (envlist("GPU_ENGINES") or [GPU_BACKEND])  # alone, or in the failover order
GPU_HTTP_URLS = envlist("GPU_HTTP_URLS", required=_HTTP_ENGINE)
GPU_HTTP_TOKEN = envstr("GPU_HTTP_TOKEN", required=PRODUCTION and _HTTP_ENGINE)  # their RESTYLE_SERVE_TOKEN
GPU_HTTP_TIMEOUT_SECONDS = envfloat("GPU_HTTP_TIMEOUT_SECONDS", 420.0)  # one attempt, waiting for a slot included
GPU_HTTP_CONNECT_TIMEOUT_SECONDS = envfloat("GPU_HTTP_CONNECT_TIMEOUT_SECONDS", 5.0)
GPU_HTTP_READ_TIMEOUT_SECONDS = envfloat("GPU_HTTP_READ_TIMEOUT_SECONDS", 60.0)  # silence that means a dead server
GPU_HTTP_BUSY_WAIT_SECONDS = envfloat("GPU_HTTP_BUSY_WAIT_SECONDS", 120.0)  # every server full: wait, then retry
GPU_HTTP_GPU_TYPE = envstr("GPU_HTTP_GPU_TYPE", "L4")  # prices the GPU seconds of designs run on those servers
DESIGN_DEADLINE_SECONDS = envint("DESIGN_DEADLINE_SECONDS", 600)  # queued + running, then the reaper fails it
DESIGN_LEASE_SECONDS = envint("DESIGN_LEASE_SECONDS", 120)  # a silent worker loses its claim after this
DESIGN_MAX_ATTEMPTS = envint("DESIGN_MAX_ATTEMPTS", 3)
DESIGN_STEPS = envint("DESIGN_STEPS", 20)  # denoising steps per design
DESIGN_REQUEUE_AFTER_SECONDS = envint("DESIGN_REQUEUE_AFTER_SECONDS", 120)  # queued but never claimed: send again
# A project's design waiting for the project's style reference looks again after this (projects/consistency.py).
PROJECT_WAIT_POLL_SECONDS = max(2, envint("PROJECT_WAIT_POLL_SECONDS", 2))
PROJECT_UPLOAD_MAX_PHOTOS = envint("PROJECT_UPLOAD_MAX_PHOTOS", 8)  # photos in one project upload (a request)
UPSCALE_MAX_SIDE = envint("UPSCALE_MAX_SIDE", 4096)  # long side of an upscaled result, at most (aspect kept)
REAPER_INTERVAL_SECONDS = envint("REAPER_INTERVAL_SECONDS", 60)
HEARTBEAT_INTERVAL_SECONDS = envint("HEARTBEAT_INTERVAL_SECONDS", 10)  # a worker unheard for 3 of these is gone
OPS_REFRESH_SECONDS = 5  # how often the admin's operations page reads itself again
WORKER_TIMEOUT_MS = envint("WORKER_TIMEOUT_MS", 100)  # an idle worker looks for new work at least this often
# Dramatiq reads this when its worker module is imported: set it before rundramatiq starts the workers.
os.environ.setdefault("dramatiq_worker_timeout", str(WORKER_TIMEOUT_MS))
# Plans whose queue priority (admin → Plans) is at least this go to the "gpu-priority" queue, which every
# worker drains before "gpu" (designs/queues.py). 5 puts premium and staff ahead of free and guests.
PRIORITY_QUEUE_MIN_PRIORITY = envint("PRIORITY_QUEUE_MIN_PRIORITY", 5)
LOCAL_GPU_TYPE = envstr("LOCAL_GPU_TYPE", "T4")  # prices GPU seconds when the local backend runs on CUDA
# GPU engines in failover order (designs/engines.py); empty: GPU_BACKEND alone. A plan may set its own order.
GPU_ENGINES = envlist("GPU_ENGINES")
# A circuit breaker per engine, shared by every worker through Redis: opens after this many failures in a row,
# lets one trial design through after the cool-down, closes on its success.
ENGINE_BREAKER_FAILURES = envint("ENGINE_BREAKER_FAILURES", 5)
ENGINE_BREAKER_COOLDOWN_SECONDS = envfloat("ENGINE_BREAKER_COOLDOWN_SECONDS", 60.0)
# Replicate (gpu/backends/replicate.py): a model version taking an image, a prompt and ControlNet conditioning.
REPLICATE_API_TOKEN = envstr("REPLICATE_API_TOKEN")
REPLICATE_MODEL_VERSION = envstr("REPLICATE_MODEL_VERSION", "")  # "owner/name:version-id" or the version id
REPLICATE_BASE_URL = envstr("REPLICATE_BASE_URL", "https://api.replicate.com")
REPLICATE_INPUT = envstr("REPLICATE_INPUT", "{}")  # JSON merged into every prediction's input (the model's knobs)
REPLICATE_INPUT_NAMES = envstr("REPLICATE_INPUT_NAMES", "{}")  # JSON: our input names -> the model's
REPLICATE_SEND_REQUEST = envbool("REPLICATE_SEND_REQUEST", False)  # also send the request as JSON (our Cog model)
REPLICATE_GPU_TYPE = envstr("REPLICATE_GPU_TYPE", "replicate-L40S")  # the hardware the model runs on, for cost
REPLICATE_TIMEOUT_SECONDS = envfloat("REPLICATE_TIMEOUT_SECONDS", 420.0)
REPLICATE_POLL_SECONDS = envfloat("REPLICATE_POLL_SECONDS", 1.0)

# WebSockets (designs/ws_guard.py): handshakes per client network per minute, open sockets per network and per
# user, counted in Redis across processes; a slot of a process that died expires after WS_SLOT_TTL_SECONDS.
# 0 turns a limit off.
WS_HANDSHAKES_PER_MINUTE = envint("WS_HANDSHAKES_PER_MINUTE", 120)
WS_MAX_SOCKETS_PER_NETWORK = envint("WS_MAX_SOCKETS_PER_NETWORK", 100)
WS_MAX_SOCKETS_PER_USER = envint("WS_MAX_SOCKETS_PER_USER", 20)
WS_SLOT_TTL_SECONDS = envint("WS_SLOT_TTL_SECONDS", 60)
WS_BAD_TOKEN_CACHE_SECONDS = envint("WS_BAD_TOKEN_CACHE_SECONDS", 300)  # an unknown token is not looked up again

# Webhooks for API clients (designs/webhooks.py): retried with backoff for WEBHOOK_RETRY_FOR_SECONDS.
WEBHOOK_TIMEOUT_SECONDS = envfloat("WEBHOOK_TIMEOUT_SECONDS", 10.0)  # per call: connect, send, first answer
WEBHOOK_RETRY_FOR_SECONDS = envint("WEBHOOK_RETRY_FOR_SECONDS", 24 * 3600)
WEBHOOK_BACKOFF_SECONDS = envfloat("WEBHOOK_BACKOFF_SECONDS", 30.0)  # the first retry's wait, doubled each time
WEBHOOK_BACKOFF_MAX_SECONDS = envfloat("WEBHOOK_BACKOFF_MAX_SECONDS", 3600.0)
WEBHOOK_RESEND_AFTER_SECONDS = envint("WEBHOOK_RESEND_AFTER_SECONDS", 120)  # overdue: the reaper sends it again
# Callbacks to private, loopback and link-local addresses: never in production, whatever the environment says.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False) and not PRODUCTION

# Plans, quotas and cost (billing). Plan limits live in the database: admin → Billing → Plans.
RATELIMIT_SUBMIT = envstr("RATELIMIT_SUBMIT", "30/m")  # design submissions per client network and per user
GLOBAL_DESIGNS_PER_MINUTE = envint("GLOBAL_DESIGNS_PER_MINUTE", 60)  # accepted across everyone; 0 turns it off
GLOBAL_DESIGNS_PER_HOUR = envint("GLOBAL_DESIGNS_PER_HOUR", 500)
GPU_DAILY_BUDGET_USD = envstr("GPU_DAILY_BUDGET_USD", "50")  # dollars of GPU time per UTC day; 0 turns it off
# Dollars per GPU-second by GPU type (Modal's list prices). "L4=0.00025,T4=0.0002" overrides or adds types;
# a malformed price fails `manage.py check` (billing/checks.py).
_gpu_price_overrides = (item.partition("=") for item in envlist("GPU_PRICES_USD_PER_SECOND"))
GPU_PRICES_USD_PER_SECOND = {
    "cpu": "0", "T4": "0.000164", "L4": "0.000222", "A10G": "0.000306", "L40S": "0.000542",
    "A100": "0.000583", "A100-80GB": "0.000694", "H100": "0.001097",
    # Replicate's list prices per second of its hardware (REPLICATE_GPU_TYPE picks one).
    "replicate-T4": "0.000225", "replicate-L40S": "0.000975", "replicate-A100-80GB": "0.0014",
    "replicate-H100": "0.001525",
    **{name.strip(): price for name, _sep, price in _gpu_price_overrides},
}

# Observability and security
# Metrics (config/metrics.py): open in development; production needs a bearer token or a source network,
# otherwise /metrics answers 404. Scrapers inside the platform speak plain HTTP, like the probes.
METRICS_OPEN = envbool("METRICS_OPEN", not PRODUCTION)
METRICS_TOKEN = envstr("METRICS_TOKEN")
METRICS_ALLOWED_IPS = [ipaddress.ip_network(net, strict=False) for net in envlist("METRICS_ALLOWED_IPS")]
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]
# The worker's own metrics (config/worker_metrics.py), same access rules; 0 turns its exporter off. It runs only
# where the worker has a PROMETHEUS_MULTIPROC_DIR (the image and `make run` give it one).
WORKER_METRICS_PORT = envint("WORKER_METRICS_PORT", 9191)
WORKER_METRICS_HOST = envstr("WORKER_METRICS_HOST", "0.0.0.0" if PRODUCTION else "127.0.0.1")
# Errors to Sentry when SENTRY_DSN is set; no personal data is sent (send_default_pii stays off).
SENTRY_ENABLED = logs.sentry_init(
    dsn=envstr("SENTRY_DSN"), environment=envstr("SENTRY_ENVIRONMENT", ENV), release=envstr("SENTRY_RELEASE"),
    traces_sample_rate=envfloat("SENTRY_TRACES_SAMPLE_RATE", 0.0),
)
# E-mail (config/email.py): one URL. Development prints each message, links and all, to the log; production
# sends through SMTP (smtp+tls://user:pass@host:587, smtps://...:465). Without EMAIL_URL production uses the
# local MTA on port 25, as Django does.
EMAIL_URL = envstr("EMAIL_URL", "smtp://localhost:25" if PRODUCTION else "console://")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Restyle <no-reply@restyle.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_VERIFY_MAX_AGE = envint("EMAIL_VERIFY_MAX_AGE", 3 * 24 * 3600)  # seconds a verification link works
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", 3600)  # seconds a reset link works (it works once)
RATELIMIT_VERIFY_RESEND = envstr("RATELIMIT_VERIFY_RESEND", "3/h")  # verification mails re-sent per account
RATELIMIT_PASSWORD_RESET = envstr("RATELIMIT_PASSWORD_RESET", "3/h")  # reset mails asked for per address
RATELIMIT_PASSWORD_RESET_NETWORK = envstr("RATELIMIT_PASSWORD_RESET_NETWORK", "20/h")  # reset requests per network
EMAIL_CHANGE_MAX_AGE = envint("EMAIL_CHANGE_MAX_AGE", 24 * 3600)  # seconds a change-of-address link works (once)
RATELIMIT_EMAIL_CHANGE = envstr("RATELIMIT_EMAIL_CHANGE", "3/h")  # changes of address asked for per account
# "Download my data" (accounts/export.py): a ZIP built by the worker, kept and offered this long.
DATA_EXPORT_MAX_AGE = envint("DATA_EXPORT_MAX_AGE", 7 * 24 * 3600)
RATELIMIT_DATA_EXPORT = envstr("RATELIMIT_DATA_EXPORT", "3/d")  # exports asked for per account
# Payments (billing/stripe_api.py): none of it is needed to run Restyle. Without STRIPE_SECRET_KEY the pricing page
# says plans are assigned by staff. STRIPE_API_BASE points the SDK at another server (the tests' localstripe).
STRIPE_SECRET_KEY = envstr("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = envstr("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = envstr("STRIPE_API_BASE")
STRIPE_TIMEOUT_SECONDS = envfloat("STRIPE_TIMEOUT_SECONDS", 20.0)
# Operations alerts (designs/alerts.py), evaluated every ALERT_INTERVAL_SECONDS by the workers' reaper and by a
# timer in each web process (one evaluation per interval across all of them): mailed to ALERT_EMAILS (empty: every
# active staff account) and posted to ALERT_WEBHOOK_URL (a chat channel's incoming webhook) when set.
ALERTS_ENABLED = envbool("ALERTS_ENABLED", True)
ALERT_INTERVAL_SECONDS = envint("ALERT_INTERVAL_SECONDS", 60)
ALERT_EMAILS = envlist("ALERT_EMAILS")
ALERT_WEBHOOK_URL = envstr("ALERT_WEBHOOK_URL")
ALERT_WEBHOOK_TIMEOUT_SECONDS = envfloat("ALERT_WEBHOOK_TIMEOUT_SECONDS", 5.0)
ALERT_BUDGET_PERCENTS = [int(p) for p in envlist("ALERT_BUDGET_PERCENTS", ["80", "100"])]  # of GPU_DAILY_BUDGET_USD
ALERT_FAILURE_WINDOW_SECONDS = envint("ALERT_FAILURE_WINDOW_SECONDS", 900)
ALERT_FAILURE_RATE = envfloat("ALERT_FAILURE_RATE", 0.25)  # failed / (completed + failed) in the window
ALERT_FAILURE_MIN_ENDED = envint("ALERT_FAILURE_MIN_ENDED", 4)  # fewer designs ended in the window: no alert
ALERT_QUEUE_AGE_SECONDS = envint("ALERT_QUEUE_AGE_SECONDS", 300)  # the oldest queued design waited longer
ALERT_NO_WORKER = envbool("ALERT_NO_WORKER", True)  # alert when no worker process has a heartbeat
# Guests' designs and their files are deleted this many days after upload (designs/retention.py); 0 keeps them.
GUEST_RETENTION_DAYS = envint("GUEST_RETENTION_DAYS", 7)
RETENTION_INTERVAL_SECONDS = envint("RETENTION_INTERVAL_SECONDS", 3600)
# CORS for the JSON API only, and only for the app origins listed (none by default): the dashboard is same-origin.
CORS_ALLOWED_ORIGINS = envlist("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID"]
INSTALLED_APPS = [*INSTALLED_APPS, "corsheaders"]
MIDDLEWARE = [
    "config.metrics.MetricsMiddleware",  # outermost: times everything below it
    "core.logs.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that can answer on its own (WhiteNoise, Common)
    *MIDDLEWARE,
]
