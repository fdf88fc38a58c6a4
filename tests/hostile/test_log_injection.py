"""Review 2, item 15: what a request supplies cannot forge or split a log line."""

import io
import logging

import pytest
from django.test import Client

from httpguard.logsafe import printable
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db

FORGED = "[06/Dec/2026 20:00:00] FORGED-LOG-LINE"


@pytest.fixture
def console():
    """What the site's configured log handler writes (settings.LOGGING)."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if type(handler) is logging.StreamHandler  # not pytest's own
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_path_with_a_newline_and_a_nul_is_logged_on_one_line(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING, logger="httpguard"):
        response = client.get(f"/x%0a{FORGED}%1b[2J%00")

    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name == "httpguard"]
    message = record.getMessage()
    assert "\n" not in message and "\x1b" not in message and "\x00" not in message
    assert f"/x\\n{FORGED}\\x1b[2J\\x00" in message


def test_every_logger_writes_request_data_escaped(console):
    """django-axes logs the user agent of a failed login, as the client sent it."""
    EditorFactory(username="editor")
    client = Client(HTTP_USER_AGENT=f"Mozilla\u2028{FORGED}\x1b[31m\x85")
    client.post("/admin/login/", {"username": "editor", "password": "wrong"})

    written = console.getvalue()
    assert "Mozilla\\u2028" + FORGED + "\\x1b[31m\\x85" in written
    assert all(line.startswith("AXES") for line in written.splitlines()), written


@pytest.mark.parametrize(
    ("value", "logged"),
    [
        ("plain /path/ é漢字🙂", "plain /path/ é漢字🙂"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\tand\x7fdel", "tab\\tand\\x7fdel"),
        ("rtl\u202eoverride", "rtl\\u202eoverride"),
        ("a\\nb\\x00", "a\\nb\\x00"),  # escaped once: the same again
    ],
)
def test_printable_escapes_what_could_forge_or_hide_a_line(value, logged):
    assert printable(value) == logged


def test_printable_cuts_long_values():
    assert printable("a" * 300, limit=200) == "a" * 200 + "…"
