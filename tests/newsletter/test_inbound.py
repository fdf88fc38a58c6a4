"""Unsubscribing by mail: the mailto in List-Unsubscribe, received through
anymail's real Postmark inbound webhook (with its basic authentication)."""

import base64
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from newsletter.checks import check_unsubscribe_mailbox
from newsletter.models import Subscriber
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/newsletter/esp/postmark/inbound/"
SECRET = "postmark:s3cret-webhook-password"
MAILBOX = "unsubscribe@careerhub.example"
TOKEN = "Xj4SFP6F8lirnpMa-_ak7JbmZcvYozsyy6AT3Ch_Xhc"  # as real tokens look


@pytest.fixture(autouse=True)
def _inbound(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = MAILBOX


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client():
    """Like a mail service: no cookies, no CSRF token."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def reader():
    return SubscriberFactory(
        email="reader@example.com", status="confirmed", token=TOKEN
    )


def mail(to=f"unsubscribe+{TOKEN}@careerhub.example", subject=f"unsubscribe {TOKEN}"):
    """Postmark's inbound post for a mail from the reader to ``to``."""
    return {
        "FromFull": {"Email": "reader@example.com", "Name": "Reader"},
        "ToFull": [{"Email": to, "Name": ""}],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": to,
        "Subject": subject,
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Mon, 15 Jun 2026 11:30:00 +0100",
        "TextBody": "",
        "HtmlBody": "",
        "Headers": [{"Name": "Return-Path", "Value": "<reader@example.com>"}],
        "Attachments": [],
    }


def post(client, payload, secret=SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        WEBHOOK,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def snapshot():
    return list(Subscriber.objects.order_by("pk").values())


def test_a_mail_to_the_unsubscribe_address_unsubscribes(client, reader):
    response = post(client, mail())

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribe_method == Subscriber.UnsubscribeMethod.MAIL
    assert reader.unsubscribed_at == NOW


def test_the_token_in_the_subject_is_enough_if_the_address_lost_its_case(
    client, reader
):
    response = post(client, mail(to=f"unsubscribe+{TOKEN.lower()}@careerhub.example"))

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_a_replayed_mail_changes_nothing_more(client, reader, _clock):
    post(client, mail())
    before = snapshot()
    _clock.shift(3600)

    response = post(client, mail())

    assert response.status_code == 200
    assert snapshot() == before  # unsubscribed_at is still the first time


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(
            mail(
                to="unsubscribe+not-anybody-s-token-at-all@careerhub.example",
                subject="unsubscribe",
            ),
            id="unknown token",
        ),
        pytest.param(
            mail(to="unsubscribe+%00@careerhub.example", subject=""), id="bad"
        ),
        pytest.param(mail(to="unsubscribe@careerhub.example", subject=""), id="none"),
        pytest.param(mail(to=f"editor+{TOKEN}@careerhub.example"), id="other mailbox"),
        pytest.param(mail(to=f"unsubscribe+{TOKEN}@elsewhere.example"), id="domain"),
    ],
)
def test_a_mail_that_names_no_subscriber_changes_nothing(client, reader, payload):
    before = snapshot()

    response = post(client, payload)

    assert response.status_code == 200
    assert snapshot() == before


def test_a_suppressed_subscriber_stays_suppressed(client):
    suppressed = SubscriberFactory(status="suppressed", token=TOKEN)

    post(client, mail())

    suppressed.refresh_from_db()
    assert suppressed.status == Subscriber.Status.SUPPRESSED


@pytest.mark.parametrize("secret", ["postmark:wrong", ""])
def test_a_post_without_the_webhook_secret_is_refused(client, reader, secret):
    before = snapshot()

    response = post(client, mail(), secret=secret)

    assert 400 <= response.status_code < 500
    assert snapshot() == before


def test_without_an_unsubscribe_mailbox_there_is_no_inbound_webhook(
    client, reader, settings
):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = ""
    before = snapshot()

    response = post(client, mail())

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("mailbox", "anymail", "problem"),
    [
        ("unsubscribe+x@careerhub.example", {"WEBHOOK_SECRET": SECRET}, "plain"),
        ("not an address", {"WEBHOOK_SECRET": SECRET}, "plain"),
        (MAILBOX, {}, "ANYMAIL_WEBHOOK_SECRET"),
    ],
)
def test_an_unsubscribe_mailbox_that_cannot_work_is_refused(
    settings, mailbox, anymail, problem
):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = mailbox
    settings.ANYMAIL = anymail

    (error,) = check_unsubscribe_mailbox(None)

    assert error.id == "newsletter.E003"
    assert problem in error.msg
    with pytest.raises(SystemCheckError):
        call_command("check", tags=["mail"])


def test_a_working_unsubscribe_mailbox_passes_the_check():
    assert check_unsubscribe_mailbox(None) == []
