"""The mail service webhooks under attack: guessed secrets are limited per
client address, and an event or mail with a NUL in its address is a clear
answer (or a skipped event), never a 500, with the rest of a batch kept.

The NUL cases fail with a 500 on PostgreSQL only (SQLite compares such text
without complaint), as the review found them on the production database.
"""

import base64
import json
import logging

import pytest
import time_machine
from django.test import Client

from newsletter.models import MailEvent, Subscriber
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

SECRET = "postmark:s3cret-webhook-password"
TRACKING = "/newsletter/esp/postmark/tracking/"
BATCH_TRACKING = "/newsletter/esp/mailjet/tracking/"  # events come in batches
INBOUND = "/newsletter/esp/postmark/inbound/"
MAILBOX = "unsubscribe@careerhub.example"


@pytest.fixture(autouse=True)
def _webhooks(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = MAILBOX
    settings.NEWSLETTER_WEBHOOK_FAILURE_LIMIT = "3/hour"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def post(url, payload, *, secret=SECRET, address="198.51.100.7", **extra):
    auth = base64.b64encode(secret.encode()).decode()
    return Client(enforce_csrf_checks=True).post(
        url,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
        REMOTE_ADDR=address,
        **extra,
    )


def bounce(address, *, event_id=1001, description="Unknown user"):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Email": address,
        "BouncedAt": "2026-06-15T11:30:00+01:00",
        "Description": description,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    }


def mailjet_bounce(address, message_id):
    return {
        "event": "bounce",
        "time": 1781519400,
        "MessageID": message_id,
        "email": address,
        "hard_bounce": True,
        "error_related_to": "recipient",
        "error": "user unknown",
    }


def inbound_mail(to):
    return {
        "FromFull": {"Email": "reader@example.com", "Name": "Reader"},
        "ToFull": [{"Email": to, "Name": ""}],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": to,
        "Subject": "unsubscribe",
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Mon, 15 Jun 2026 11:30:00 +0100",
        "TextBody": "",
        "HtmlBody": "",
        "Headers": [],
        "Attachments": [],
    }


# -- Guessing the secret ---------------------------------------------------------


def test_wrong_secrets_from_one_address_are_refused_after_the_limit(caplog):
    reader = SubscriberFactory(email="reader@example.com", status="confirmed")
    wrong = [
        post(TRACKING, bounce(reader.email), secret=f"postmark:guess-{n}").status_code
        for n in range(3)
    ]
    assert wrong == [400, 400, 400]
    with caplog.at_level(logging.WARNING, logger="newsletter.webhooks"):
        refused = post(TRACKING, bounce(reader.email), secret="postmark:guess-4")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "Too many failed logins" in refused.content.decode()
    assert "too many failed logins from '198.51.100.7'" in caplog.text
    # Even the right secret waits from that address: guessing gains nothing.
    assert post(TRACKING, bounce(reader.email)).status_code == 429
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_the_mail_service_from_another_address_is_not_held_up():
    reader = SubscriberFactory(email="reader@example.com", status="confirmed")
    for n in range(5):
        post(TRACKING, bounce(reader.email), secret=f"postmark:guess-{n}")
    answer = post(TRACKING, bounce(reader.email), address="203.0.113.20")
    assert answer.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED


def test_the_refusal_starts_over_when_the_period_ends(_clock):
    for n in range(4):
        post(TRACKING, bounce("x@example.com"), secret=f"postmark:guess-{n}")
    _clock.shift(3600)
    assert post(TRACKING, bounce("x@example.com")).status_code == 200


def test_successful_posts_do_not_count_as_failures():
    answers = [
        post(TRACKING, bounce(f"r{n}@example.com", event_id=n)).status_code
        for n in range(5)
    ]
    assert answers == [200] * 5


def test_the_logged_client_address_is_escaped(settings, caplog):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    forged = "192.0.2.1\n[2026-06-15] FORGED-LOG-LINE"
    for n in range(3):
        post(TRACKING, {}, secret=f"x:{n}", HTTP_X_REAL_IP=forged)
    with caplog.at_level(logging.WARNING, logger="newsletter.webhooks"):
        post(TRACKING, {}, secret="x:4", HTTP_X_REAL_IP=forged)
    (record,) = [r for r in caplog.records if r.name == "newsletter.webhooks"]
    assert "\n" not in record.getMessage()
    assert "FORGED-LOG-LINE" in record.getMessage()


# -- NUL in an address -----------------------------------------------------------


def test_a_tracking_event_for_an_address_with_a_nul_is_skipped():
    reader = SubscriberFactory(email="reader@example.com", status="confirmed")
    answer = post(TRACKING, bounce("reader\x00@example.com"))
    assert answer.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED


def test_the_rest_of_a_batch_is_recorded_after_an_event_with_a_nul():
    reader = SubscriberFactory(email="reader@example.com", status="confirmed")
    batch = [
        mailjet_bounce("first\x00@example.com", 19421777835146490),
        mailjet_bounce("reader@example.com", 19421777835146491),
    ]
    assert post(BATCH_TRACKING, batch).status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED


def test_a_nul_in_the_services_description_is_dropped_not_the_event():
    reader = SubscriberFactory(email="reader@example.com", status="confirmed")
    answer = post(TRACKING, bounce(reader.email, description="550\x00 no such user"))
    assert answer.status_code == 200
    assert MailEvent.objects.get(subscriber=reader).detail == "550 no such user"


def test_an_inbound_mail_to_an_address_with_a_nul_is_a_clear_400():
    reader = SubscriberFactory(email="reader@example.com", status="confirmed")
    answer = post(INBOUND, inbound_mail(f"unsubscribe+{reader.token}\x00@x.example"))
    assert answer.status_code == 400
    assert "cannot be read" in answer.content.decode()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
