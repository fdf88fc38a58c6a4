"""Mail: MAILERS from EMAIL_URL, senders, mail service webhooks."""

import importlib.util
import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from careerhub.settings.core import DEBUG

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

# In development, print mails with readable bodies (links whole) instead of
# raw MIME; `check --deploy` refuses it like Django's console backend.
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    MAILERS["default"] = {"BACKEND": "careerhub.console_mail.ReadableConsoleBackend"}
