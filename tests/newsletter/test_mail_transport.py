"""Mail transport: sign-ups against real SMTP (slow, down, working) and the
development console."""

import re
import runpy
import socket
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from newsletter.checks import check_lease_outlasts_a_mail, check_no_development_mailer
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).parents[2] / "careerhub" / "settings.py"
READABLE_CONSOLE = "careerhub.console_mail.ReadableConsoleBackend"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp(port, timeout):
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
    }


@pytest.fixture
def mail_server_at(settings):
    """Point both mailers at a port; sign-ups use the short timeout."""

    def point(port):
        settings.MAILERS = {
            "default": smtp(port, 10),
            "newsletter_signup": smtp(port, 0.5),
        }

    return point


@pytest.fixture
def hung_server():
    """Accepts connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


class Collector(Sink):
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def working_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def sign_up(client):
    return client.post("/newsletter/", {"email": "reader@example.com"})


def test_hung_mail_server_holds_the_sign_up_only_for_the_short_timeout(
    client, mail_server_at, hung_server
):
    mail_server_at(hung_server)

    started = time.monotonic()
    response = sign_up(client)
    elapsed = time.monotonic() - started

    assert elapsed < 3
    assert response.status_code == 200
    assert "Check your inbox" in response.text
    assert Subscriber.objects.get().status == "pending"


def test_mail_server_down_loses_no_sign_up_and_signing_up_again_resends(
    client, mail_server_at, working_server
):
    mail_server_at(free_port())  # nothing listens there
    down = sign_up(client)
    assert down.status_code == 200
    assert Subscriber.objects.get().status == "pending"

    port, collector = working_server
    mail_server_at(port)
    sign_up(client)  # straight away: the failed attempt used no throttle slot

    (envelope,) = collector.envelopes
    assert envelope.rcpt_tos == ["reader@example.com"]
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in envelope.content
    assert Subscriber.objects.count() == 1


def test_signup_mailer_gets_the_shorter_timeout_from_the_environment(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://user:pw@mail.example:587?timeout=10")
    monkeypatch.setenv("NEWSLETTER_SIGNUP_MAIL_TIMEOUT", "2")

    mailers = runpy.run_path(str(SETTINGS_FILE))["MAILERS"]

    assert mailers["default"]["OPTIONS"]["timeout"] == 10
    assert mailers["newsletter_signup"]["OPTIONS"]["timeout"] == 2
    assert mailers["newsletter_signup"]["OPTIONS"]["host"] == "mail.example"


def test_development_console_prints_links_whole(client, settings, capsys):
    settings.MAILERS = {"default": {"BACKEND": READABLE_CONSOLE}}

    client.post("/newsletter/", {"email": "reader@example.com"})

    printed = capsys.readouterr().out
    link = r"https://careerhub\.example(/newsletter/confirm/\S+/)"
    path = re.search(link, printed)[1]
    assert client.get(path).status_code == 200  # copied whole, the link works
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in printed
    assert "----- text/plain -----" in printed
    assert "=3D" not in printed


def test_console_backend_is_refused_by_the_deploy_check(settings):
    settings.MAILERS = {"default": {"BACKEND": READABLE_CONSOLE}}
    assert [error.id for error in check_no_development_mailer(None)] == [
        "newsletter.E001"
    ]
    settings.MAILERS = {"default": smtp(25, 10)}
    assert check_no_development_mailer(None) == []


def test_console_mail_url_prints_readable_mails(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "console://")

    mailers = runpy.run_path(str(SETTINGS_FILE))["MAILERS"]

    assert mailers["default"]["BACKEND"] == READABLE_CONSOLE


def test_a_lease_shorter_than_three_mail_timeouts_is_refused(settings):
    settings.MAILERS = {"default": smtp(2525, 30)}
    settings.NEWSLETTER_CLAIM_TIMEOUT = 60
    (error,) = check_lease_outlasts_a_mail(None)
    assert error.id == "newsletter.E002"

    settings.NEWSLETTER_CLAIM_TIMEOUT = 90
    assert check_lease_outlasts_a_mail(None) == []
