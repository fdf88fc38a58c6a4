"""Every newsletter mail links to its recipient's own preference page."""

import email
import email.policy

import pytest
import time_machine

from newsletter import delivery
from newsletter.emails import DigestMail, Recipient, confirmation_message
from newsletter.models import Subscriber
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def preferences_link(subscriber) -> str:
    return f"{SITE}/newsletter/preferences/{subscriber.token}/"


def bodies(raw: bytes) -> tuple[str, str]:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    return (
        parsed.get_body(("plain",)).get_content(),
        parsed.get_body(("html",)).get_content(),
    )


@pytest.fixture
def readers():
    return [
        SubscriberFactory(email="ann@example.com"),
        SubscriberFactory(email="bob@example.com"),
    ]


def test_each_digest_carries_its_recipients_own_link(edition, readers):
    """Rendered once, addressed per recipient: each gets their link alone."""
    mail = DigestMail(edition=edition)
    for index, reader in enumerate(readers):
        raw = mail.as_bytes(
            Recipient(index, reader.email, reader.token), address=reader.email
        )
        text, html = bodies(raw)
        others = [other for other in readers if other != reader]
        assert preferences_link(reader) in text
        assert f'href="{preferences_link(reader)}"' in html
        for other in others:
            assert other.token not in text and other.token not in html
        assert "%%" not in text and "%%" not in html


def test_the_digest_for_other_mail_backends_carries_the_link_too(edition, readers):
    reader = readers[0]
    message = DigestMail(edition=edition).message(
        Recipient(1, reader.email, reader.token)
    )
    text, html = bodies(message.message().as_bytes())

    assert preferences_link(reader) in text
    assert preferences_link(reader) in html


def test_the_confirmation_mail_carries_the_link(readers):
    reader = readers[0]
    raw = confirmation_message(subscriber=reader, issued_at=NOW).message().as_bytes()

    text, html = bodies(raw)

    assert preferences_link(reader) in text
    assert preferences_link(reader) in html


def test_a_sent_digest_links_each_subscriber_to_their_page(
    edition, readers, mailoutbox
):
    with time_machine.travel(NOW, tick=True):
        assert delivery.edition_send(edition=edition).sent == 2

    for message in mailoutbox:
        (to,) = message.to
        reader = Subscriber.objects.get(email=to)
        assert preferences_link(reader) in message.body


def test_the_editors_preview_shows_sample_links(admin_client, edition):
    html = admin_client.get(
        f"/admin/newsletter/edition/{edition.pk}/preview/"
    ).content.decode()

    assert "/newsletter/preferences/preview/" in html
    assert "%%" not in html
