"""Mail transport: sign-ups against real SMTP (slow, down, working) and the
development console."""

import re
import runpy
import socket
import statistics
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from careerhub.settings import mailer_from_url
from newsletter.checks import check_lease_outlasts_a_mail, check_no_development_mailer
from newsletter.models import Subscriber
from newsletter.tasks import send_confirmation
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).parents[2] / "careerhub" / "settings" / "mail.py"
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
    """Point the mailer at a port."""

    def point(port):
        settings.MAILERS = {"default": smtp(port, 2)}

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


def sign_up(client, email="reader@example.com"):
    return client.post("/newsletter/", {"email": email})


def timed_sign_up(client, email):
    started = time.monotonic()
    response = sign_up(client, email)
    return response, time.monotonic() - started


@pytest.mark.parametrize("server", ["hung", "down"])
def test_sign_up_answers_alike_and_at_once_whatever_the_address_and_mail_server(
    client, mail_server_at, hung_server, db_tasks, server
):
    """The request only writes rows and enqueues: a new, a pending and a
    confirmed address get the same bytes, equally fast, even when the mail
    server never answers (it would hold a request for its 2 s timeout)."""
    mail_server_at(hung_server if server == "hung" else free_port())
    SubscriberFactory(email="pending@example.com", status="pending")
    SubscriberFactory(email="confirmed@example.com", status="confirmed")
    addresses = ["new@example.com", "pending@example.com", "confirmed@example.com"]

    timings = {address: [] for address in addresses}
    answers = set()
    with time_machine.travel(NOW, tick=False):  # Expires carries the second
        for _ in range(5):
            for address in addresses:
                response, elapsed = timed_sign_up(client, address)
                timings[address].append(elapsed)
                # The page repeats the typed address, and nothing else differs.
                content = response.content.replace(address.encode(), b"ADDRESS")
                answers.add((response.status_code, content))

    assert len(answers) == 1
    ((status, content),) = answers
    assert status == 200 and b"Check your inbox" in content
    medians = [statistics.median(times) for times in timings.values()]
    assert max(medians) < 0.5  # nobody waited for the mail server
    assert max(medians) - min(medians) < 0.05
    # One task per sign-up, whatever the state: the worker decides.
    assert len(db_tasks.rows(send_confirmation)) == 15


def test_mail_server_down_loses_no_sign_up_and_the_worker_retries(
    client, mail_server_at, working_server, db_tasks, settings
):
    settings.TASKS_RETRY_DELAY = 60
    mail_server_at(free_port())  # nothing listens there
    with time_machine.travel(NOW, tick=False):
        assert sign_up(client).status_code == 200
        db_tasks.run()

    (task,) = db_tasks.rows(send_confirmation)
    # Failed once, back in the queue for a retry, with the error kept.
    assert task.status == "READY" and len(task.worker_ids) == 1
    assert task.run_after == NOW + timedelta(seconds=60)
    assert "ConnectionRefusedError" in task.traceback
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending"
    assert subscriber.last_confirmation_sent_at is None  # no throttle slot used

    port, collector = working_server
    mail_server_at(port)
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        db_tasks.run()

    (envelope,) = collector.envelopes
    assert envelope.rcpt_tos == ["reader@example.com"]
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in envelope.content
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


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


def test_the_lease_check_reads_the_amazon_ses_timeout(settings):
    settings.MAILERS = {
        "default": mailer_from_url("ses://?region=eu-west-1&timeout=30")
    }
    settings.NEWSLETTER_CLAIM_TIMEOUT = 60
    (error,) = check_lease_outlasts_a_mail(None)
    assert "(30.0 s)" in error.msg

    settings.NEWSLETTER_CLAIM_TIMEOUT = 90
    assert check_lease_outlasts_a_mail(None) == []
