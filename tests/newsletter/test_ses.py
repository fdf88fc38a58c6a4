"""Amazon SES through django-anymail (EMAIL_URL ses://), against moto's SES.

moto's server answers the SES v2 API over HTTP on loopback; anymail's own
boto3 client, configured by EMAIL_URL, sends to it (boto3 takes the address
from AWS_ENDPOINT_URL_SESV2). What SES receives here is the raw message the
real service would get, and its error answers are SES's, as moto renders them.
"""

import email
import email.policy
import socket
import time
from unittest import mock

import boto3
import pytest
import requests
import time_machine
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.ses.exceptions import MessageRejectedError
from moto.ses.models import SESBackend, ses_backends

from careerhub.settings import mailer_from_url
from newsletter import delivery
from newsletter.models import Delivery, Subscriber
from newsletter.subscribers import subscriber_send_confirmation
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account
SENDER = "newsletter@careerhub.example"
TIMEOUT = 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def ses(moto_endpoint, settings, monkeypatch):
    """An empty SES with the site's sender verified; mail goes there (EMAIL_URL)."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=5).raise_for_status()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_SESV2": moto_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = f"CareerHub <{SENDER}>"
    settings.NEWSLETTER_RETRY_DELAY = 0
    settings.MAILERS = {
        "default": mailer_from_url(f"ses://?region={REGION}&timeout={TIMEOUT}")
    }
    boto3.client("sesv2", region_name=REGION).create_email_identity(
        EmailIdentity=SENDER
    )
    return SentMessages()


class SentMessages:
    """What moto's SES was given: each raw message's recipients, parsed back."""

    def received(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        return [
            (
                # moto adds the To header's addresses to SendEmail's Destination.
                sorted(set(message.destinations)),
                email.message_from_string(
                    message.raw_data, policy=email.policy.default
                ),
            )
            for message in ses_backends[ACCOUNT][REGION].sent_messages
        ]


def reader(address: str, status: str = "confirmed") -> Subscriber:
    return SubscriberFactory(
        email=address, status=status, token=f"t0ken-{address.split('@')[0]}-" + "x" * 30
    )


def unsubscribe_url(subscriber: Subscriber) -> str:
    return f"{SITE}/newsletter/unsubscribe/{subscriber.token}/"


def send(edition):
    with time_machine.travel(NOW, tick=True):
        return delivery.edition_send(edition=edition)


def assert_newsletter_mail(message, subscriber: Subscriber) -> None:
    url = unsubscribe_url(subscriber)
    assert message["To"] == subscriber.email
    assert message["From"] == f"CareerHub <{SENDER}>"
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@careerhub.example>")
    assert url in message.get_body(("plain",)).get_content()
    assert url in message.get_body(("html",)).get_content()


def test_the_confirmation_mail_goes_through_ses(ses):
    subscriber = reader("new@example.com", status="pending")

    assert subscriber_send_confirmation(subscriber=subscriber)

    ((destinations, message),) = ses.received()
    assert destinations == ["new@example.com"]
    assert message["Subject"].startswith("Confirm your subscription")
    assert_newsletter_mail(message, subscriber)


def test_the_digest_goes_through_ses_one_mail_per_subscriber(ses, edition):
    subscribers = [reader(f"reader{n}@example.com") for n in range(2)]

    report = send(edition)

    assert (report.sent, report.failed) == (2, 0)
    received = {tuple(to): message for to, message in ses.received()}
    assert sorted(received) == [(s.email,) for s in subscribers]
    for subscriber in subscribers:
        message = received[(subscriber.email,)]
        assert message["Subject"] == "This week: salaries and CVs"
        assert "How to answer salary questions" in (
            message.get_body(("plain",)).get_content()
        )
        assert_newsletter_mail(message, subscriber)


def test_an_error_answer_from_ses_is_retried(ses, edition):
    reader("reader0@example.com")
    reader("reader1@example.com")
    real_send = SESBackend.send_raw_email
    refused_once = []

    def refuse_reader0_once(self, source, destinations, raw_data):
        if "reader0@example.com" in destinations and not refused_once:
            refused_once.append(True)
            raise MessageRejectedError("Sending paused for this account")
        return real_send(self, source, destinations, raw_data)

    with mock.patch.object(SESBackend, "send_raw_email", refuse_reader0_once):
        report = send(edition)

    assert refused_once
    retried = Delivery.objects.get(subscriber__email="reader0@example.com")
    assert (retried.status, retried.attempts) == ("sent", 2)
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(to for (to,), _ in ses.received()) == [
        "reader0@example.com",
        "reader1@example.com",
    ]


def test_ses_refusing_every_try_leaves_a_temporary_failure(ses, edition, settings):
    """An unverified sender: SES answers MessageRejected to every try."""
    reader("reader0@example.com")
    settings.DEFAULT_FROM_EMAIL = "CareerHub <unverified@careerhub.example>"
    settings.NEWSLETTER_MAX_ATTEMPTS = 2

    send(edition)

    failed = Delivery.objects.get()
    assert (failed.status, failed.failure, failed.attempts) == (
        "failed",
        "temporary",
        2,
    )
    assert "MessageRejected" in failed.last_error
    assert ses.received() == []


def test_an_answer_from_ses_that_comes_too_late_is_never_resent(ses, edition):
    """boto3 retries nothing by itself: SES may have taken the mail."""
    reader("reader0@example.com")
    real_send = SESBackend.send_raw_email

    def slow(self, *args, **kwargs):
        message = real_send(self, *args, **kwargs)  # taken ...
        time.sleep(TIMEOUT * 3)  # ... but the answer comes too late
        return message

    with mock.patch.object(SESBackend, "send_raw_email", slow):
        send(edition)
        send(edition)

    assert len(ses.received()) == 1
    slow_one = Delivery.objects.get()
    assert (slow_one.status, slow_one.failure, slow_one.retryable) == (
        "failed",
        "unknown",
        False,
    )


def test_an_unreachable_ses_is_tried_again_later(ses, edition, settings, monkeypatch):
    reader("reader0@example.com")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:9")
    settings.NEWSLETTER_MAX_ATTEMPTS = 2

    send(edition)

    failed = Delivery.objects.get()
    assert (failed.failure, failed.attempts) == ("temporary", 2)
