"""Logins, passwords, HTTPS, content security policy, client addresses, limits."""

import os
from datetime import timedelta

from django.utils.csp import CSP

from careerhub.settings.core import DEBUG
from careerhub.settings.env import env_bool, env_int
from careerhub.settings.storage import MEDIA_ORIGINS

# ---------------------------------------------------------------------------
# Passwords and logins
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
    # Click-to-load videos (articles/video.py): their players only; and the
    # site's own pages, for the desk's preview of the page (desk/preview_frame.py).
    "frame-src": [
        CSP.SELF,
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ],
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
