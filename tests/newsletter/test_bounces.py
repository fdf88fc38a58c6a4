"""Bounces and complaints close the loop: mail services' webhook posts (through
anymail's real Postmark tracking webhook) and SMTP refusals suppress addresses,
and nobody suppressed is mailed again."""

import base64
import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from newsletter import delivery
from newsletter.delivery_lifecycle import start_sending
from newsletter.models import Delivery, Edition, MailEvent, Subscriber
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/newsletter/esp/postmark/tracking/"
SECRET = "postmark:s3cret-webhook-password"
REPORTED_AT = datetime(2026, 6, 15, 11, 30, tzinfo=NOW.tzinfo)


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 3


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client():
    """Like a mail service: no cookies, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def post(client, payload, secret=SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        WEBHOOK,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def bounce(address, type_="HardBounce", event_id=1001):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": type_,
        "TypeCode": 1,
        "Email": address,
        "BouncedAt": REPORTED_AT.isoformat(),
        "Description": "The server was unable to deliver your message",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    }


def complaint(address):
    return {
        "RecordType": "SpamComplaint",
        "ID": 2002,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Email": address,
        "BouncedAt": REPORTED_AT.isoformat(),
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79484",
    }


def delivered(address):
    return {
        "RecordType": "Delivery",
        "Recipient": address,
        "DeliveredAt": REPORTED_AT.isoformat(),
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79485",
    }


def confirmed(address="reader@example.com"):
    return SubscriberFactory(email=address, status="confirmed")


def snapshot():
    return list(Subscriber.objects.order_by("pk").values()), list(
        MailEvent.objects.order_by("pk").values()
    )


def test_a_hard_bounce_suppresses_with_reason_time_source_and_event(client):
    subscriber = confirmed()
    other = confirmed("other@example.com")

    response = post(client, bounce("Reader@example.com"))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "suppressed"
    assert (subscriber.suppression_reason, subscriber.suppression_source) == (
        "hard-bounce",
        "postmark",
    )
    assert subscriber.suppressed_at == NOW
    (event,) = subscriber.mail_events.all()
    assert (event.kind, event.event_id, event.occurred_at) == (
        "hard-bounce",
        "1001",
        REPORTED_AT,
    )
    other.refresh_from_db()
    assert other.status == "confirmed"


def test_a_complaint_suppresses(client):
    subscriber = confirmed()

    assert post(client, complaint(subscriber.email)).status_code == 200

    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.suppression_reason) == (
        "suppressed",
        "complaint",
    )


def test_a_replayed_event_changes_nothing(client):
    subscriber = confirmed()
    post(client, bounce(subscriber.email, "SoftBounce", event_id=7))
    before = snapshot()

    post(client, bounce(subscriber.email, "SoftBounce", event_id=7))

    assert snapshot() == before
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.soft_bounces) == ("confirmed", 1)


def test_soft_bounces_suppress_after_the_limit_in_a_row(client):
    subscriber = confirmed()
    post(client, bounce(subscriber.email, "SoftBounce", event_id=1))
    post(client, bounce(subscriber.email, "SoftBounce", event_id=2))
    post(client, delivered(subscriber.email))  # the count starts again
    post(client, bounce(subscriber.email, "SoftBounce", event_id=3))
    post(client, bounce(subscriber.email, "SoftBounce", event_id=4))
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.soft_bounces) == ("confirmed", 2)

    post(client, bounce(subscriber.email, "SoftBounce", event_id=5))

    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.suppression_reason) == (
        "suppressed",
        "soft-bounces",
    )


def test_an_unknown_or_already_suppressed_address_changes_nothing(client):
    subscriber = confirmed()
    post(client, complaint(subscriber.email))
    before = snapshot()

    assert post(client, bounce("stranger@example.com", event_id=5)).status_code == 200
    assert post(client, bounce(subscriber.email, event_id=6)).status_code == 200

    assert snapshot() == before


@pytest.mark.parametrize("secret", ["postmark:wrong", "", "nobody"])
def test_a_bad_password_is_refused_and_changes_nothing(client, secret):
    confirmed()
    before = snapshot()

    response = post(client, bounce("reader@example.com"), secret=secret)

    assert 400 <= response.status_code < 500
    assert snapshot() == before


def test_without_a_configured_secret_webhooks_are_refused(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    confirmed()
    before = snapshot()

    response = post(client, bounce("reader@example.com"))

    assert response.status_code == 404
    assert snapshot() == before


@pytest.fixture
def edition():
    return EditionFactory(
        subject="This week",
        status=Edition.Status.SCHEDULED,
        scheduled_for=NOW - timedelta(minutes=1),
        articles=[ArticleFactory(title="How to answer salary questions")],
    )


def test_a_send_under_way_skips_a_subscriber_who_complains(client, recorder, edition):
    complainer = confirmed("complainer@example.com")
    confirmed("reader@example.com")
    start_sending(edition, NOW)  # recipients fixed before the complaint

    post(client, complaint(complainer.email))
    report = delivery.edition_send(edition=edition)

    assert recorder.recipients == {"reader@example.com": 1}
    assert report.skipped == 1
    assert Delivery.objects.get(subscriber=complainer).status == "skipped"


def test_a_send_started_after_a_complaint_leaves_them_out(client, recorder, edition):
    complainer = confirmed("complainer@example.com")
    confirmed("reader@example.com")

    post(client, complaint(complainer.email))
    delivery.edition_send(edition=edition)

    assert recorder.recipients == {"reader@example.com": 1}


def test_a_permanent_smtp_refusal_is_a_hard_bounce(recorder, edition):
    refused = confirmed("gone@example.com")
    recorder.refuse = {"gone@example.com": 99}

    delivery.edition_send(edition=edition)

    refused.refresh_from_db()
    assert (refused.status, refused.suppression_reason) == (
        "suppressed",
        "hard-bounce",
    )
    assert refused.mail_events.get().kind == "hard-bounce"


def test_editors_find_suppressed_subscribers_and_their_history(admin_client):
    subscriber = confirmed("gone@example.com")
    confirmed("reader@example.com")
    MailEvent.objects.create(
        subscriber=subscriber,
        kind="complaint",
        source="postmark",
        event_id="9",
        occurred_at=REPORTED_AT,
    )
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status="suppressed", suppression_reason="complaint", suppressed_at=NOW
    )
    changelist = reverse("admin:newsletter_subscriber_changelist")

    listed = admin_client.get(changelist, {"status__exact": "suppressed"}).text
    change = admin_client.get(
        reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])
    ).text

    assert "gone@example.com" in listed and "reader@example.com" not in listed
    assert "Spam complaint" in change and "postmark" in change
    assert site.is_registered(Subscriber)


def test_signing_up_again_does_not_lift_a_suppression(client, mailoutbox):
    subscriber = confirmed()
    post(client, complaint(subscriber.email))

    client.post("/newsletter/", {"email": subscriber.email})
    client.post(f"/newsletter/unsubscribe/{subscriber.token}/")

    subscriber.refresh_from_db()
    assert subscriber.status == "suppressed"
    assert mailoutbox == []
