"""The delivery engine against a real SMTP server (aiosmtpd on loopback):
what each kind of failure means for retrying, and the mail's bytes."""

import asyncio
import email
import email.policy
import socket
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter import delivery
from newsletter.emails import DigestMail, Recipient
from newsletter.models import Delivery, Edition, Subscriber
from tests.factories import NOW, ArticleFactory, EditionFactory, make_subscribers

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
CLIENT_TIMEOUT = 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Accepts everything, except as told: refuse recipients (with a reply,
    so many times) or answer a mail's DATA only after ``slow_seconds``."""

    def __init__(self):
        self.refuse: dict[str, tuple[str, int]] = {}
        self.slow: set[str] = set()
        self.slow_seconds = CLIENT_TIMEOUT * 3
        self.rcpt_attempts = Counter()
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts[address] += 1
        reply, times = self.refuse.get(address, ("", 0))
        if times:
            self.refuse[address] = (reply, times - 1)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)  # queued: it will be delivered
        if set(envelope.rcpt_tos) & self.slow:
            await asyncio.sleep(self.slow_seconds)  # RFC 5321 allows 10 minutes
        return "250 OK queued"

    @property
    def received(self) -> Counter:
        return Counter(to for envelope in self.envelopes for to in envelope.rcpt_tos)


@pytest.fixture
def server(settings):
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": controller.port,
                "timeout": CLIENT_TIMEOUT,
            },
        }
    }
    yield handler
    controller.stop()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def edition(clock):
    return EditionFactory(
        subject="This week: salaries and CVs",
        status=Edition.Status.SCHEDULED,
        scheduled_for=NOW - timedelta(minutes=1),
        articles=[ArticleFactory(title="How to answer salary questions")],
    )


def test_a_slow_final_reply_is_an_unknown_outcome_and_never_resent(
    server, edition, settings
):
    """The server queues the mail but answers after the client's timeout."""
    settings.NEWSLETTER_RETRY_DELAY = 0
    make_subscribers(4)
    server.slow = {"reader1@example.com"}

    first = delivery.edition_send(edition=edition)
    again = delivery.edition_send(edition=edition)

    assert server.received == {f"reader{n}@example.com": 1 for n in range(4)}
    slow = Delivery.objects.get(subscriber__email="reader1@example.com")
    assert (slow.status, slow.failure, slow.retryable) == ("failed", "unknown", False)
    assert slow.attempts == 1
    assert (first.sent, first.failed, first.to_retry) == (3, 1, 0)
    assert (again.sent, again.failed) == (0, 0)
    edition.refresh_from_db()
    assert edition.status == "sent"


def test_a_permanent_refusal_is_failed_and_not_retried(server, edition, settings):
    settings.NEWSLETTER_RETRY_DELAY = 0
    make_subscribers(3)
    server.refuse = {"reader2@example.com": ("550 5.1.1 No such user", 99)}

    report = delivery.edition_send(edition=edition)
    delivery.edition_send(edition=edition)

    assert server.rcpt_attempts["reader2@example.com"] == 1
    refused = Delivery.objects.get(subscriber__email="reader2@example.com")
    assert (refused.status, refused.failure, refused.retryable) == (
        "failed",
        "refused",
        False,
    )
    assert "No such user" in refused.last_error
    assert (report.sent, report.failed) == (2, 1)
    assert server.received == {"reader0@example.com": 1, "reader1@example.com": 1}


def test_a_temporary_refusal_before_data_is_retried(server, edition, settings):
    settings.NEWSLETTER_RETRY_DELAY = 0
    make_subscribers(3)
    server.refuse = {"reader0@example.com": ("450 4.2.1 Mailbox busy", 1)}

    report = delivery.edition_send(edition=edition)

    assert server.received == {f"reader{n}@example.com": 1 for n in range(3)}
    retried = Delivery.objects.get(subscriber__email="reader0@example.com")
    assert (retried.status, retried.attempts) == ("sent", 2)
    assert (report.sent, report.failed, report.to_retry) == (3, 0, 0)


def test_a_refused_data_reply_with_4xx_is_retried(server, edition, settings):
    """A final 4xx to the message data is the server saying "not taken"."""

    class RefuseDataOnce(Server):
        refused = False

        async def handle_DATA(self, server, session, envelope):
            if not self.refused:
                self.refused = True
                return "451 4.3.0 Try again later"
            return await super().handle_DATA(server, session, envelope)

    settings.NEWSLETTER_RETRY_DELAY = 0
    handler = RefuseDataOnce()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS["default"]["OPTIONS"]["port"] = controller.port
    make_subscribers(2)
    try:
        delivery.edition_send(edition=edition)
    finally:
        controller.stop()

    assert handler.received == {"reader0@example.com": 1, "reader1@example.com": 1}
    first = Delivery.objects.get(subscriber__email="reader0@example.com")
    assert (first.status, first.attempts) == ("sent", 2)


def test_each_mail_over_smtp_carries_its_own_unsubscribe_link_and_the_digest(
    server, edition
):
    make_subscribers(3)

    delivery.edition_send(edition=edition)

    tokens = dict(Subscriber.objects.values_list("email", "token"))
    digest = DigestMail(edition=edition)
    message_ids = set()
    for envelope in server.envelopes:
        (to,) = envelope.rcpt_tos
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.SMTP)
        url = f"{SITE}/newsletter/unsubscribe/{tokens[to]}/"
        expected = digest.message(Recipient(0, to, tokens[to]))
        assert parsed["To"] == to
        assert parsed["Subject"] == "This week: salaries and CVs"
        assert parsed["List-Unsubscribe"] == f"<{url}>"
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        assert text.replace("\r\n", "\n").rstrip() == expected.body.rstrip()
        assert html.replace("\r\n", "\n").rstrip() == (
            expected.alternatives[0].content.rstrip()
        )
        assert url in text and url in html
        message_ids.add(parsed["Message-ID"])
    assert len(message_ids) == 3


def test_sending_costs_one_statement_per_mail_whatever_the_list_size(server, clock):
    """One UPDATE per mail (it also records the previous mail as sent); the
    rest is per batch or per run, so a longer list adds nothing else."""
    readers = make_subscribers(40)
    counts = []
    for size in (20, 40):
        Subscriber.objects.filter(pk__in=[r.pk for r in readers[size:]]).update(
            status="pending"
        )
        Subscriber.objects.filter(pk__in=[r.pk for r in readers[:size]]).update(
            status="confirmed"
        )
        edition = EditionFactory(
            status=Edition.Status.SCHEDULED,
            scheduled_for=NOW - timedelta(minutes=1),
            articles=[ArticleFactory()],
        )
        with CaptureQueriesContext(connection) as queries:
            report = delivery.edition_send(edition=edition, batch_size=200)
        assert report.sent == size
        counts.append(len(queries.captured_queries))
    assert counts[1] - counts[0] == 20  # one per mail, nothing per list size
    # Per run: start (and taking this edition's articles out of a waiting
    # weekly edition), render, claims, release, finish (under the edition's
    # lock, with the week's end for the next edition).
    assert counts[0] - 20 < 34
