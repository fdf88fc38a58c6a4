"""The headers of every newsletter mail, read back from the bytes a real SMTP
server received, by parsers that know nothing of how they were written."""

import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from newsletter import delivery, editions
from newsletter.emails import DigestMail, Recipient, VerbatimHeader
from newsletter.models import Subscriber
from newsletter.subscribers import subscriber_send_confirmation
from tests.factories import NOW, SubscriberFactory
from tests.npm import need, npm_package

pytestmark = pytest.mark.django_db

# Long enough that every List-Unsubscribe line is over 78 characters.
SITE = "https://careerhub.example"
POLICIES = {"compat32": email.policy.compat32, "default": email.policy.default}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector(Sink):
    def __init__(self):
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.SITE_URL = SITE
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    yield handler
    controller.stop()


def reader(email_address="reader@example.com", status="confirmed") -> Subscriber:
    # A long token, as real ones are: the header line is over 78 characters.
    token = "t0ken-" + email_address.split("@")[0] + "-" + "x" * 40
    return SubscriberFactory(email=email_address, status=status, token=token)


def unsubscribe_url(subscriber: Subscriber) -> str:
    return f"{SITE}/newsletter/unsubscribe/{subscriber.token}/"


def assert_headers_read_back(raw: bytes, url: str) -> None:
    """Every custom header, as both of Python's policies read the raw bytes."""
    for name, policy in POLICIES.items():
        parsed = email.message_from_bytes(raw, policy=policy)
        assert str(parsed["List-Unsubscribe"]) == f"<{url}>", name
        assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        message_id = str(parsed["Message-ID"])
        assert message_id.startswith("<") and message_id.endswith(
            "@careerhub.example>"
        ), (name, message_id)
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert b"=?" not in line, line  # no RFC 2047 encoded-word anywhere
        assert len(line) <= 998


def test_confirmation_mail_headers(smtp):
    subscriber = reader(status="pending")

    assert subscriber_send_confirmation(subscriber=subscriber)

    (raw,) = smtp.received
    assert_headers_read_back(raw, unsubscribe_url(subscriber))
    assert len(f"List-Unsubscribe: <{unsubscribe_url(subscriber)}>") > 78


def test_digest_headers_on_the_smtp_fast_path(smtp, edition):
    subscriber = reader()

    with time_machine.travel(NOW, tick=True):
        report = delivery.edition_send(edition=edition)

    assert report.sent == 1
    (raw,) = smtp.received
    assert_headers_read_back(raw, unsubscribe_url(subscriber))


def test_digest_headers_on_the_email_message_path(smtp, edition):
    """Other mail backends (an ESP's, the file one) get DigestMail.message()."""
    subscriber = reader()
    mail = DigestMail(edition=edition)

    mail.message(Recipient(1, subscriber.email, subscriber.token)).send()

    (raw,) = smtp.received
    assert_headers_read_back(raw, unsubscribe_url(subscriber))


def test_test_send_headers(smtp, edition):
    subscriber = reader("editor@careerhub.example")

    editions.edition_send_test(edition=edition, to=subscriber.email)

    (raw,) = smtp.received
    assert_headers_read_back(raw, unsubscribe_url(subscriber))


def test_each_mail_has_its_own_message_id(smtp, edition):
    for n in range(3):
        reader(f"reader{n}@example.com")
    with time_machine.travel(NOW, tick=True):
        delivery.edition_send(edition=edition)

    ids = {email.message_from_bytes(raw)["Message-ID"] for raw in smtp.received}
    assert len(ids) == len(smtp.received) == 3


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            email.policy.SMTP,
            "List-Unsubscribe: <https://a.example/"
            + "u" * 60
            + ">,\r\n <mailto:unsubscribe@a.example>\r\n",
        ),
        (
            email.policy.default.clone(max_line_length=None),
            "List-Unsubscribe: <https://a.example/"
            + "u" * 60
            + ">, <mailto:unsubscribe@a.example>\n",
        ),
    ],
)
def test_a_long_header_is_folded_at_whitespace_only(policy, expected):
    value = f"<https://a.example/{'u' * 60}>, <mailto:unsubscribe@a.example>"

    assert VerbatimHeader("List-Unsubscribe", value).fold(policy=policy) == expected


def test_a_header_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        VerbatimHeader("List-Unsubscribe", "<https://a.example/>\r\nBcc: x@y.example")


# npm's mailparser, a parser that shares nothing with Python's: what it makes of
# each custom header of one mail (read from standard input), as JSON.
MAILPARSER_SCRIPT = """
const {simpleParser} = require('mailparser');
const chunks = [];
process.stdin.on('data', c => chunks.push(c));
process.stdin.on('end', async () => {
  const mail = await simpleParser(Buffer.concat(chunks));
  process.stdout.write(JSON.stringify({
    list: mail.headers.get('list') || null,
    messageId: mail.messageId || null,
  }));
});
"""
MAILPARSER_DIR = Path(__file__).parent / ".mailparser"


@pytest.fixture(scope="session")
def mailparser():
    """Runs npm's mailparser (installed on first use) on raw mail bytes."""
    node = shutil.which("node")
    if node is None:
        need("node", "apt-get install npm (it brings Node.js) for npm's mailparser")
    modules = npm_package("mailparser@3", MAILPARSER_DIR).parent

    def parse(raw: bytes) -> dict:
        result = subprocess.run(
            [node, "-e", MAILPARSER_SCRIPT],
            input=raw,
            capture_output=True,
            check=True,
            timeout=60,
            env={**os.environ, "NODE_PATH": str(modules)},
        )
        return json.loads(result.stdout)

    return parse


def send_confirmation(edition) -> Subscriber:
    subscriber = reader(status="pending")
    assert subscriber_send_confirmation(subscriber=subscriber)
    return subscriber


def send_digest(edition) -> Subscriber:
    subscriber = reader()
    with time_machine.travel(NOW, tick=True):
        assert delivery.edition_send(edition=edition).sent == 1
    return subscriber


def send_test(edition) -> Subscriber:
    subscriber = reader("editor@careerhub.example")
    editions.edition_send_test(edition=edition, to=subscriber.email)
    return subscriber


@pytest.mark.parametrize(
    "send", [send_confirmation, send_digest, send_test], ids=lambda f: f.__name__
)
def test_npm_mailparser_reads_every_custom_header(smtp, edition, mailparser, send):
    subscriber = send(edition)
    (raw,) = smtp.received

    headers = mailparser(raw)

    # mailparser reads the List-* headers into one "list" entry.
    assert headers["list"] == {
        "unsubscribe": {"url": unsubscribe_url(subscriber)},
        "unsubscribe-post": {"name": "List-Unsubscribe=One-Click"},
    }
    assert headers["messageId"] == str(email.message_from_bytes(raw)["Message-ID"])
    assert headers["messageId"].endswith("@careerhub.example>")


# Short: the test tokens are longer than real ones (43 characters), and the
# local part (bye+TOKEN) may have 64 at most.
MAILBOX = "bye@careerhub.example"


def unsubscribe_mailto(subscriber: Subscriber) -> str:
    token = subscriber.token
    return f"mailto:bye+{token}@careerhub.example?subject=unsubscribe%20{token}"


def unfolded(value: str) -> str:
    """RFC 5322 unfolding (compat32 keeps the folds in the value)."""
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def send_digest_through_email_message(edition) -> Subscriber:
    """Other mail backends (an ESP's, the file one) get DigestMail.message()."""
    subscriber = reader()
    DigestMail(edition=edition).message(
        Recipient(1, subscriber.email, subscriber.token)
    ).send()
    return subscriber


MAIL_KINDS = [
    send_confirmation,
    send_digest,
    send_digest_through_email_message,
    send_test,
]


@pytest.mark.parametrize("send", MAIL_KINDS, ids=lambda f: f.__name__)
def test_with_an_unsubscribe_mailbox_the_https_link_comes_first_then_mailto(
    smtp, edition, settings, send
):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = MAILBOX
    subscriber = send(edition)
    (raw,) = smtp.received

    expected = f"<{unsubscribe_url(subscriber)}>, <{unsubscribe_mailto(subscriber)}>"
    for name, policy in POLICIES.items():
        parsed = email.message_from_bytes(raw, policy=policy)
        assert unfolded(str(parsed["List-Unsubscribe"])) == expected, name
        assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert b"=?" not in line, line
        assert len(line) <= 998


@pytest.mark.parametrize("send", MAIL_KINDS, ids=lambda f: f.__name__)
def test_npm_mailparser_reads_the_https_link_and_the_mailto(
    smtp, edition, settings, mailparser, send
):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = MAILBOX
    subscriber = send(edition)
    (raw,) = smtp.received

    headers = mailparser(raw)

    assert headers["list"]["unsubscribe"] == {
        "url": unsubscribe_url(subscriber),
        # mailparser gives the mailto without its scheme
        "mail": unsubscribe_mailto(subscriber).removeprefix("mailto:"),
    }


def test_a_token_too_long_for_an_address_gets_the_https_link_only(smtp, settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = (
        "a-rather-long-unsubscribe-mailbox@careerhub.example"
    )
    subscriber = SubscriberFactory(status="pending", token="t" * 40)

    subscriber_send_confirmation(subscriber=subscriber)

    (raw,) = smtp.received
    assert_headers_read_back(raw, unsubscribe_url(subscriber))
