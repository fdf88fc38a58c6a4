"""Settings read from the environment: safe refusals, mail and database URLs."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from careerhub.settings import mailer_from_url

pytestmark = pytest.mark.django_db

GOOD_KEY = "k" * 20 + "9f3b-QZ7x_2LmR8vT1yN6pW4sD0hJ5cA"  # 52 characters
ENV_NAMES = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
)


def import_settings(code: str = "", **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment."""
    environ = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import careerhub.settings as s\n{code}"],
        cwd=django_settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


# ---------------------------------------------------------------------------
# Secret key
# ---------------------------------------------------------------------------


def test_refuses_to_start_without_debug_and_with_the_development_key():
    result = import_settings(DEBUG="False", EMAIL_URL="console://")
    assert result.returncode != 0
    assert "Refusing to start with DEBUG=False without a proper SECRET_KEY" in (
        result.stderr
    )


def test_refuses_a_short_secret_key_without_debug():
    result = import_settings(DEBUG="False", SECRET_KEY="short", EMAIL_URL="console://")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_starts_without_debug_with_a_proper_key():
    result = import_settings(
        "print(s.DEBUG, s.SECRET_KEY == s.DEVELOPMENT_SECRET_KEY)",
        DEBUG="False",
        SECRET_KEY=GOOD_KEY,
        EMAIL_URL="smtp://mail.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


def test_development_starts_with_no_environment_at_all():
    result = import_settings("print(s.DEBUG, list(s.MAILERS['default'].values()))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")
    assert "console" in result.stdout


def test_production_without_a_mail_url_says_what_to_set():
    result = import_settings(DEBUG="False", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "Set EMAIL_URL" in result.stderr


# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------


def test_no_database_url_gives_sqlite():
    result = import_settings("print(s.DATABASES['default']['ENGINE'])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_url_gives_postgresql():
    result = import_settings(
        "d = s.DATABASES['default']\nprint(d['ENGINE'], d['NAME'], d['HOST'])",
        DATABASE_URL="postgres://user:pw@db.example.com:5432/careerhub",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "careerhub",
        "db.example.com",
    ]


# ---------------------------------------------------------------------------
# Mail (MAILERS from EMAIL_URL)
# ---------------------------------------------------------------------------


def test_console_url():
    assert mailer_from_url("console://") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_file_url_writes_to_that_folder():
    assert mailer_from_url("file:///var/mail/careerhub") == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": "/var/mail/careerhub"},
    }


def test_smtp_url_with_credentials_port_and_options():
    config = mailer_from_url(
        "smtp://mailer%40example.com:p%40ss%2Fw0rd@smtp.example.com:2525?tls=1&timeout=5"
    )
    assert config == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 2525,
            "username": "mailer@example.com",
            "password": "p@ss/w0rd",
            "timeout": 5.0,
            "use_tls": True,
        },
    }


def test_smtp_url_defaults_to_starttls_on_587_with_a_timeout():
    options = mailer_from_url("smtp://smtp.example.com")["OPTIONS"]
    assert options["port"] == 587
    assert options["use_tls"] is True
    assert options["timeout"] == 10.0
    assert "use_ssl" not in options


def test_smtp_url_can_turn_tls_off():
    options = mailer_from_url("smtp://localhost:25?tls=0")["OPTIONS"]
    assert options["port"] == 25
    assert "use_tls" not in options
    assert "use_ssl" not in options


@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on"])
def test_smtp_url_tls_flag_accepts_the_usual_spellings_of_yes(value):
    # Read like the other boolean settings: a capital letter must not silently
    # send the password in clear text.
    assert mailer_from_url(f"smtp://h.example?tls={value}")["OPTIONS"]["use_tls"]


@pytest.mark.parametrize("value", ["0", "false", "no", "off"])
def test_smtp_url_tls_flag_accepts_the_usual_spellings_of_no(value):
    assert "use_tls" not in mailer_from_url(f"smtp://h.example?tls={value}")["OPTIONS"]


def test_smtps_url_uses_ssl_on_465():
    options = mailer_from_url("smtps://user:secret@smtp.example.com")["OPTIONS"]
    assert options["port"] == 465
    assert options["use_ssl"] is True
    assert "use_tls" not in options


@pytest.mark.parametrize(
    ("url", "backend", "attributes"),
    [
        (
            "smtp://u:p@smtp.example.com:2525?timeout=3",
            "smtp",
            {"host": "smtp.example.com", "port": 2525, "use_tls": True, "timeout": 3},
        ),
        ("smtps://u:p@smtp.example.com", "smtp", {"port": 465, "use_ssl": True}),
        ("console://", "console", {}),
    ],
)
def test_django_builds_a_working_mailer_from_each_url(
    settings, url, backend, attributes
):
    # Django refuses unknown OPTIONS, so this checks the option names too.
    settings.MAILERS = {"default": mailer_from_url(url)}
    connection = mail.mailers.default
    assert type(connection).__module__ == f"django.core.mail.backends.{backend}"
    for name, value in attributes.items():
        assert getattr(connection, name) == value


def test_file_mailer_writes_into_the_given_folder(settings, tmp_path):
    settings.MAILERS = {"default": mailer_from_url(f"file://{tmp_path}")}
    sent = mail.EmailMessage(
        "Hello", "Body", "from@example.com", ["to@example.com"]
    ).send()
    assert sent == 1
    assert len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("url", ["", "gopher://mail.example.com", "smtp2://x"])
def test_unusable_mail_url_is_refused_with_a_message(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        mailer_from_url(url)
