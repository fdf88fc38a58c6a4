"""The project: secret key, hosts, apps, middleware, templates, language, logs."""

import importlib.util
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from careerhub.settings.env import env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

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
    # django.contrib.admin, whose site hardens every ModelAdmin (httpguard).
    "httpguard.apps.GuardedAdminConfig",
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
    # django_tasks_db, named "Background tasks" in the admin.
    "taskqueue.task_results_app.TaskResultsConfig",
    "reversion",
    "articles",
    "desk",
    "reader",
    "newsletter",
    "subscriber_imports",
    # Cookieless readership counts and the editors' figures.
    "audience",
    # The editor's dashboard: the admin's front page.
    "dashboard",
    # The page cache's generation when the cache is per process.
    "freshness",
    # The shared HTTP cache in front (Varnish or a CDN) and its purges.
    "frontcache",
    *(["anymail"] if importlib.util.find_spec("anymail") else []),
    "httpguard",
]

MIDDLEWARE = [
    # A reader's beacon (the readers' figures) is counted and answered at
    # once: it needs nothing below (audience/middleware.py).
    "audience.middleware.BeaconMiddleware",
    # Anonymous page cache and 304s, first: a stored page is answered before
    # any other middleware runs, with the headers they added when it was
    # rendered (see reader/page_middleware.py).
    "reader.page_middleware.PageCacheMiddleware",
    # What shared caches in front may keep, and the keys they purge it by:
    # below the page cache, so a stored page keeps its headers.
    "frontcache.middleware.SharedCacheHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "httpguard.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "httpguard.middleware.RejectNulMiddleware",
    # Compression of public pages (stored once per encoding).
    "reader.page_middleware.PublicGZipMiddleware",
    # ETags from the content, before compression (the same plain or gzipped).
    "reader.page_middleware.ContentETagMiddleware",
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
# Language, time, logs
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Whatever a request supplied is logged escaped, one line per record.
    "filters": {"escape": {"()": "httpguard.logsafe.EscapeControlCharacters"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["escape"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The task worker logs each task's start and end once (Django's "django"
    # logger would print them a second time in development).
    "loggers": {
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False}
    },
}
