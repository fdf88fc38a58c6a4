"""Mail services through django-anymail: EMAIL_URL selects one, and the
delivery engine knows which failures are worth another try.

The service is a local HTTP server answering as Postmark's API does; the
real anymail Postmark backend talks to it."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from careerhub.settings import mailer_from_url
from newsletter import delivery
from newsletter.models import Delivery
from tests.factories import NOW, make_subscribers

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
TIMEOUT = 0.5


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postmark://server-token@",
            {
                "BACKEND": "anymail.backends.postmark.EmailBackend",
                "OPTIONS": {"server_token": "server-token", "timeout": 10.0},
            },
        ),
        (
            "mailgun://key-1@api.eu.mailgun.net/v3/?timeout=5",
            {
                "BACKEND": "anymail.backends.mailgun.EmailBackend",
                "OPTIONS": {
                    "api_key": "key-1",
                    "api_url": "https://api.eu.mailgun.net/v3/",
                    "timeout": 5.0,
                },
            },
        ),
        (
            "brevo://xkeysib-1@",
            {
                "BACKEND": "anymail.backends.brevo.EmailBackend",
                "OPTIONS": {"api_key": "xkeysib-1", "timeout": 10.0},
            },
        ),
        (
            "ses://?region=eu-west-1",
            {
                "BACKEND": "anymail.backends.amazon_ses.EmailBackend",
                "OPTIONS": {
                    "session_params": {"region_name": "eu-west-1"},
                    "client_params": {
                        "config": {
                            "connect_timeout": 10.0,
                            "read_timeout": 10.0,
                            "retries": {"total_max_attempts": 1},
                        }
                    },
                },
            },
        ),
    ],
)
def test_email_url_selects_a_mail_service(url, expected):
    assert mailer_from_url(url) == expected


def test_a_service_url_without_its_key_is_a_clear_error():
    with pytest.raises(ImproperlyConfigured, match="postmark://KEY@"):
        mailer_from_url("postmark://")


class FakePostmark(BaseHTTPRequestHandler):
    """Answers POST /email as Postmark does, or as ``script`` says."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        service = self.server.service
        to = body["To"]
        action = service.script.get(to, [])
        step = action.pop(0) if action else "ok"
        if step == "slow":
            service.accepted.append(body)  # taken, but the answer comes late
            time.sleep(TIMEOUT * 3)
        if step == "error":
            self.answer(500, {"ErrorCode": 100, "Message": "Maintenance"})
            return
        if step == "ok":
            service.accepted.append(body)
        self.answer(200, {"To": to, "ErrorCode": 0, "Message": "OK", "MessageID": to})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting

    def log_message(self, *args):
        pass


class Service:
    def __init__(self):
        self.script: dict[str, list[str]] = {}
        self.accepted: list[dict] = []

    def received(self, to):
        return sum(body["To"] == to for body in self.accepted)


@pytest.fixture
def service(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePostmark)
    server.service = Service()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SITE_URL = SITE
    settings.NEWSLETTER_RETRY_DELAY = 0
    settings.MAILERS = {
        "default": {
            "BACKEND": "anymail.backends.postmark.EmailBackend",
            "OPTIONS": {
                "server_token": "test-token",
                "api_url": f"http://127.0.0.1:{server.server_port}/",
                "timeout": TIMEOUT,
            },
        }
    }
    yield server.service
    server.shutdown()
    server.server_close()


def send(edition):
    with time_machine.travel(NOW, tick=True):
        return delivery.edition_send(edition=edition)


def test_the_digest_goes_through_the_service_with_its_headers(service, edition):
    make_subscribers(2)

    report = send(edition)

    assert report.sent == 2
    for n in range(2):
        (body,) = [b for b in service.accepted if b["To"] == f"reader{n}@example.com"]
        headers = {h["Name"]: h["Value"] for h in body["Headers"]}
        url = f"{SITE}/newsletter/unsubscribe/reader-token-{n:05d}-{'x' * 20}/"
        assert headers["List-Unsubscribe"] == f"<{url}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["Message-ID"].endswith("@careerhub.example>")
        assert url in body["TextBody"] and url in body["HtmlBody"]


def test_an_error_answer_from_the_service_is_retried(service, edition):
    make_subscribers(2)
    service.script = {"reader0@example.com": ["error"]}

    report = send(edition)

    assert service.received("reader0@example.com") == 1
    retried = Delivery.objects.get(subscriber__email="reader0@example.com")
    assert (retried.status, retried.attempts) == ("sent", 2)
    assert (report.sent, report.failed) == (2, 0)


def test_a_service_that_answers_too_late_is_an_unknown_outcome(service, edition):
    make_subscribers(3)
    service.script = {"reader1@example.com": ["slow"]}

    send(edition)
    send(edition)

    assert [service.received(f"reader{n}@example.com") for n in range(3)] == [1, 1, 1]
    slow = Delivery.objects.get(subscriber__email="reader1@example.com")
    assert (slow.status, slow.failure, slow.retryable) == ("failed", "unknown", False)


def test_an_unreachable_service_is_tried_again_later(service, edition, settings):
    make_subscribers(1)
    settings.MAILERS["default"]["OPTIONS"]["api_url"] = "http://127.0.0.1:9/"
    settings.NEWSLETTER_MAX_ATTEMPTS = 2

    send(edition)

    failed = Delivery.objects.get()
    assert (failed.failure, failed.attempts) == ("temporary", 2)
