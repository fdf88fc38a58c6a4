"""CareerHub settings, read from the environment.

Development works with no environment at all (SQLite, console mail, DEBUG on).
Production differs only by environment variables; see README.md.
"""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEVELOPMENT_SECRET_KEY = "django-insecure-careerhub-development-key-do-not-use"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Old keys keep signed links (confirmations) valid across a key rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "Refusing to start with DEBUG=False without a proper SECRET_KEY (it is "
        "unset, the development key or shorter than 40 characters): set "
        "SECRET_KEY to a long random value (50+ characters)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Absolute URL of the public site, used in feeds, mails and canonical links.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "CareerHub")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "axes",
    # Before django_tasks_db: its task queue admin replaces the package's.
    "taskqueue",
    "django_tasks_db",
    "reversion",
    "articles",
    "desk",
    "reader",
    "newsletter",
    # The page cache's generation when the cache is per process.
    "freshness",
    *(["anymail"] if importlib.util.find_spec("anymail") else []),
    # After django.contrib.admin: mends the registered admin classes.
    "httpguard",
]

MIDDLEWARE = [
    # Anonymous page cache and 304s, first: a stored page is answered before
    # any other middleware runs, with the headers they added when it was
    # rendered (see reader/pagecache.py).
    "reader.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "httpguard.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "httpguard.middleware.RejectNulMiddleware",
    # Compression of public pages (stored once per encoding).
    "reader.pagecache.PublicGZipMiddleware",
    # ETags from the content, before compression (the same plain or gzipped).
    "reader.pagecache.ContentETagMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: refuses logins from locked-out clients.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careerhub.urls"
WSGI_APPLICATION = "careerhub.wsgi.application"

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
                "careerhub.context_processors.site",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database: SQLite unless DATABASE_URL is set (postgres://user:pass@host/db).
# ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share the file (`make run`): as the
    # Django docs advise for concurrent use, readers never block the writer
    # (WAL), a transaction takes the write lock when it begins, so it waits
    # its turn instead of failing "database is locked" when it upgrades
    # (IMMEDIATE), and waits up to 20 s for it (timeout).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache: local memory unless CACHE_URL names Redis or Memcached.
# ---------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "locmem://")


def cache_from_url(url: str) -> dict:
    scheme = urlsplit(url).scheme
    backends = {
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "dummy": "django.core.cache.backends.dummy.DummyCache",
        # Django's backend, keeping its client between calls (see the module).
        "redis": "careerhub.redis_cache.RedisCache",
        "rediss": "careerhub.redis_cache.RedisCache",
        "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
    }
    if scheme not in backends:
        raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not supported.")
    if scheme in {"locmem", "dummy"}:
        return {"BACKEND": backends[scheme]}
    location = url if scheme.startswith("redis") else urlsplit(url).netloc
    return {"BACKEND": backends[scheme], "LOCATION": location}


CACHES = {"default": cache_from_url(CACHE_URL)}
# Whole public pages kept for anonymous readers, in seconds (0 turns it off).
# On by default in production; every change to content invalidates at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 600)
PAGE_CACHE_ALIAS = "default"
# With a per-process cache (locmem://, dummy://) the marker saying which
# cached pages and fragments are current is a database row, which each
# process reads at most this often (seconds): a change shows on every
# gunicorn worker within it. Redis and Memcached hold it for every server.
PAGE_CACHE_POLL_SECONDS = 0.5
# New pages one client address may add to the cache each minute (0: no
# limit); past it, its pages are rendered for it and not stored.
PAGE_CACHE_CLIENT_PAGES_PER_MINUTE = env_int("PAGE_CACHE_CLIENT_PAGES_PER_MINUTE", 60)
# Browsers revalidate public pages every time (a 304 while unchanged); shared
# caches (a CDN, a proxy) may keep them this long without asking: a
# correction then takes up to this long to reach readers behind them.
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 0)

# ---------------------------------------------------------------------------
# Mail (Django 6.1 MAILERS). EMAIL_URL examples:
#   console://                       print mails in the terminal (development)
#   file:///var/mail/careerhub       one file per mail in that folder
#   smtp://user:password@host:587?tls=1&timeout=10
#   smtps://user:password@host:465
#   postmark://SERVER_TOKEN@        a mail service's HTTP API, through
#   mailgun://API_KEY@api.eu.mailgun.net   django-anymail (pip install
#   brevo://API_KEY@  sendgrid://API_KEY@  '.[esp]'); the user part is the
#   ses://?region=eu-west-1         service's key (SES: the usual AWS
#                                   credentials, and django-anymail[amazon-ses])
#   ...?timeout=10                  seconds to wait for the service's answer
# ---------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console://" if DEBUG else "")


def mailer_from_url(url: str) -> dict:
    if not url:
        raise ImproperlyConfigured(
            "Set EMAIL_URL (for example smtp://user:password@host:587?tls=1)."
        )
    try:
        return _mailer_from_url(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL is not valid: {error}") from error


def _mailer_from_url(url: str) -> dict:
    parts = urlsplit(url)
    query = {
        key: values[-1].strip().lower() for key, values in parse_qs(parts.query).items()
    }
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme in {"smtp", "smtps"}:
        options = {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 587),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            # A slow mail server must not hold a reader's request for long.
            "timeout": float(query.get("timeout", 10)),
        }
        if parts.scheme == "smtps":
            options["use_ssl"] = True
        elif query.get("tls", "1") in {"1", "true", "yes", "on"}:
            options["use_tls"] = True
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            **{"OPTIONS": options},
        }
    if parts.scheme in ANYMAIL_SCHEMES:
        return _anymail_mailer(parts, query)
    raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not supported.")


# EMAIL_URL scheme: (anymail backend module, the option the URL's user part sets).
ANYMAIL_SCHEMES = {
    "ses": ("amazon_ses", None),
    "postmark": ("postmark", "server_token"),
    "mailgun": ("mailgun", "api_key"),
    "brevo": ("brevo", "api_key"),
    "sendgrid": ("sendgrid", "api_key"),
}
ANYMAIL_INSTALLED = importlib.util.find_spec("anymail") is not None


def _anymail_mailer(parts, query) -> dict:
    if not ANYMAIL_INSTALLED:
        raise ImproperlyConfigured(
            f"EMAIL_URL {parts.scheme}:// needs django-anymail: pip install '.[esp]'."
        )
    module, secret_option = ANYMAIL_SCHEMES[parts.scheme]
    options = {}
    if secret_option is not None:
        if not parts.username:
            raise ValueError(f"put the API key first: {parts.scheme}://KEY@")
        options[secret_option] = unquote(parts.username)
        if parts.hostname:  # another region's API, e.g. api.eu.mailgun.net
            options["api_url"] = f"https://{parts.hostname}{parts.path or '/'}"
        # Seconds to wait for the service's answer; the newsletter's lease
        # check (newsletter.E002) reads it as "timeout".
        options["timeout"] = float(query.get("timeout", 10))
    else:  # Amazon SES: the usual AWS credentials; boto3's client settings
        if "region" in query:
            options["session_params"] = {"region_name": query["region"]}
        timeout = float(query.get("timeout", 10))
        options["client_params"] = {
            "config": {
                "connect_timeout": timeout,
                "read_timeout": timeout,
                # boto3 would resend a mail whose answer came late, which SES
                # may have taken; the delivery engine decides what to retry.
                "retries": {"total_max_attempts": 1},
            }
        }
    return {"BACKEND": f"anymail.backends.{module}.EmailBackend", "OPTIONS": options}


MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "CareerHub <newsletter@careerhub.example>"
)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Bounce and complaint webhooks (/newsletter/esp/<service>/tracking/, see the
# README): the basic-auth "user:password" the mail service is given, and
# Mailgun's webhook signing key where Mailgun is used.
ANYMAIL = {
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", ""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get(
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", ""
    ),
}
# Printed in every newsletter mail, as anti-spam laws require.
NEWSLETTER_POSTAL_ADDRESS = os.environ.get(
    "NEWSLETTER_POSTAL_ADDRESS", "CareerHub, 1 Example Street, Springfield 00000"
)

# ---------------------------------------------------------------------------
# Passwords, logins, language, time
# ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out clients before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT failed logins from one
# address (whatever the usernames), or for one username from one address, that
# client waits LOGIN_COOLOFF_MINUTES. Never per username alone, so nobody
# elsewhere can lock an editor out. A superuser unlocks early by deleting the
# attempt under "Axes" in the admin, or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
# A success clears that username's failures from that address only, never the
# address's failures against other usernames (httpguard/logins.py).
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "httpguard.logins.OwnFailuresHandler"
AXES_CLIENT_IP_CALLABLE = "httpguard.clients.client_address"
AXES_LOCKOUT_CALLABLE = "httpguard.views.login_locked_out"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation." + name}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Static files and uploads
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media on S3-compatible object storage (the `s3` extra, django-storages) when
# AWS_STORAGE_BUCKET_NAME is set; credentials come from boto3's own chain
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or an instance role).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")


def media_storage_from_env(bucket: str) -> tuple[dict, list[str]]:
    """The S3 storage for ``bucket`` and the origins its URLs are served from."""
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    region = os.environ.get("AWS_S3_REGION_NAME", "")
    domain = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "custom_domain": domain or None,
        # Signed, expiring URLs for a private bucket; plain ones for a public
        # bucket or a CDN (AWS_S3_CUSTOM_DOMAIN).
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
        "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
        "signature_version": "s3v4",
        "location": os.environ.get("AWS_LOCATION", ""),
        # Every upload keeps a name of its own, so URLs can be cached.
        "file_overwrite": False,
        "default_acl": None,
        # Path-style URLs (endpoint/bucket/name) for S3-compatible services.
        "addressing_style": "path" if endpoint else None,
    }
    if domain:
        origins = [f"https://{domain}"]
    elif endpoint:
        origins = ["{0.scheme}://{0.netloc}".format(urlsplit(endpoint))]
    else:
        host = f"{bucket}.s3.{region}" if region else f"{bucket}.s3"
        origins = [f"https://{host}.amazonaws.com"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origins


MEDIA_ORIGINS = []
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"], MEDIA_ORIGINS = media_storage_from_env(AWS_STORAGE_BUCKET_NAME)

# Uploaded images: accepted size in bytes and in pixels (width x height).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
# Widths of the resized copies served in srcset.
IMAGE_RENDITION_WIDTHS = (480, 800, 1200, 1600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# No inline scripts or styles anywhere on the public site, so no nonce is
# needed and cached pages stay identical for every reader.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Media on object storage come from the bucket's origin.
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Browser features the site never uses, refused to it and to anything embedded.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
}
# Behind a proxy, the request header holding the client's address, as Django
# names it (e.g. HTTP_X_REAL_IP). Empty: REMOTE_ADDR. Set it only when the
# proxy overwrites that header, or clients can pick their own address.
CLIENT_IP_HEADER = os.environ.get(
    "CLIENT_IP_HEADER", os.environ.get("NEWSLETTER_CLIENT_IP_HEADER", "")
)
# While the database is unreachable, pages answer 503 asking to retry after:
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 60)

# Server time the live previews of one editor may take, in seconds per
# period (each preview counts at least 50 ms); beyond it the preview answers
# 429 until the period ends. Typing an ordinary article stays far below it.
ARTICLES_PREVIEW_BUDGET = os.environ.get("ARTICLES_PREVIEW_BUDGET", "10/minute")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Whatever a request supplied is logged escaped, one line per record.
    "filters": {"escape": {"()": "httpguard.logsafe.EscapeControlCharacters"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["escape"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# ---------------------------------------------------------------------------
# Newsletter (see README.md, "Newsletter")
# ---------------------------------------------------------------------------
# Confirmation links expire after this many seconds (default 7 days).
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 7 * 24 * 3600)
# Sign-up POSTs allowed per client address: "<count>/<second|minute|hour|day>".
NEWSLETTER_RATE_LIMIT = os.environ.get("NEWSLETTER_RATE_LIMIT", "10/hour")
# Failed logins to the mail service webhooks allowed per client address;
# then 429 until the period ends (the services themselves never fail).
NEWSLETTER_WEBHOOK_FAILURE_LIMIT = os.environ.get(
    "NEWSLETTER_WEBHOOK_FAILURE_LIMIT", "10/hour"
)
# The client's address for the sign-up limit: see CLIENT_IP_HEADER.
# The weekly edition: weekday (0 = Monday ... 6 = Sunday) and local time.
NEWSLETTER_SEND_WEEKDAY = env_int("NEWSLETTER_SEND_WEEKDAY", 1)
NEWSLETTER_SEND_TIME = os.environ.get("NEWSLETTER_SEND_TIME", "08:00")
# Minutes between creating the week's edition and sending it, for editors.
NEWSLETTER_REVIEW_MINUTES = env_int("NEWSLETTER_REVIEW_MINUTES", 60)
NEWSLETTER_SKIP_EMPTY_WEEKS = env_bool("NEWSLETTER_SKIP_EMPTY_WEEKS", True)
# Sending: mails per batch (one connection each), tries per mail, seconds
# between tries, and the senders' lease in seconds: a sender renews its
# batch's claim while it works, and another takes the batch over once the
# claim is this old (so a dead sender delays its batch about a minute). Keep
# it well above the mail server timeout.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 200)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 3)
# Soft bounces in a row (no delivered mail between) that suppress an address.
NEWSLETTER_SOFT_BOUNCE_LIMIT = env_int("NEWSLETTER_SOFT_BOUNCE_LIMIT", 3)
# A mailbox that unsubscribes whoever writes to it (e.g.
# unsubscribe@careerhub.example), offered after the https link in
# List-Unsubscribe as mailto:unsubscribe+TOKEN@...: the mail service must hand
# its mail (sub-addresses included) to the inbound webhook,
# /newsletter/esp/<service>/inbound/. Empty: the https link only.
NEWSLETTER_UNSUBSCRIBE_MAILBOX = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILBOX", "")
NEWSLETTER_RETRY_DELAY = env_int("NEWSLETTER_RETRY_DELAY", 600)
NEWSLETTER_CLAIM_TIMEOUT = env_int("NEWSLETTER_CLAIM_TIMEOUT", 60)
# Senders per sending process (threads, each with its own database and mail
# connection; PostgreSQL only). They mostly wait on the network, so they add up.
NEWSLETTER_SENDER_THREADS = env_int("NEWSLETTER_SENDER_THREADS", 4)
# In development, print mails with readable bodies (links whole) instead of
# raw MIME; `check --deploy` refuses it like Django's console backend.
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    MAILERS["default"] = {"BACKEND": "careerhub.console_mail.ReadableConsoleBackend"}

# ---------------------------------------------------------------------------
# Background tasks (Django's tasks framework; see README.md, "Background work")
# ---------------------------------------------------------------------------
# Tasks are rows in the database; `manage.py db_worker` runs them.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}
# Runs of a failing task (the first included) before it stays failed, and the
# wait before the first retry (doubled before each next one).
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3)
TASKS_RETRY_DELAY = env_int("TASKS_RETRY_DELAY", 60)
# A task still "running" after this many seconds lost its worker (killed or
# crashed): it is marked failed and retried. Every task here is shorter.
TASKS_STALE_AFTER = env_int("TASKS_STALE_AFTER", 300)
# Seconds between runs of the newsletter clock (creates the weekly edition,
# sends what is due, recovers stalled tasks), and the longest one sending
# task runs before it hands over to a fresh one (other tasks get a turn).
NEWSLETTER_CLOCK_SECONDS = env_int("NEWSLETTER_CLOCK_SECONDS", 60)
NEWSLETTER_SEND_SLICE_SECONDS = env_int("NEWSLETTER_SEND_SLICE_SECONDS", 30)
# The worker logs each task's start and end once (Django's "django" logger
# would print them a second time in development).
LOGGING["loggers"] = {
    "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False}
}
