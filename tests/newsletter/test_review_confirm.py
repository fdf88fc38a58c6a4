"""Who can confirm: one rule for the link's page and for the confirmation.

A confirmation link of an address that bounced for good or complained
(suppressed) must not offer a confirmation that the POST then refuses.
"""

from datetime import timedelta

import pytest
import time_machine

from newsletter import subscribers, tokens
from newsletter.models import Subscriber
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db


def link_path(subscriber, *, issued_at=NOW) -> str:
    token = tokens.make_confirmation_token(subscriber, issued_at=issued_at)
    return f"/newsletter/confirm/{token}/"


@pytest.fixture
def suppressed():
    """Signed up, got a link, then a mail to it bounced for good."""
    return SubscriberFactory(
        email="gone@example.com",
        status=Subscriber.Status.SUPPRESSED,
        suppressed_at=NOW - timedelta(hours=1),
        suppression_reason=Subscriber.SuppressionReason.HARD_BOUNCE,
    )


def test_suppressed_address_link_page_says_so_and_offers_no_button(client, suppressed):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = client.get(link_path(suppressed))

    assert response.status_code == 410
    assert response.context["state"] == "suppressed"
    assert "can’t be subscribed" in response.text
    assert "Yes, subscribe me" not in response.text


def test_suppressed_address_post_changes_nothing_and_says_why(client, suppressed):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = client.post(link_path(suppressed))

    assert response.status_code == 410
    assert response.context["state"] == "suppressed"
    assert not response.context["just_confirmed"]
    suppressed.refresh_from_db()
    assert suppressed.status == Subscriber.Status.SUPPRESSED
    assert suppressed.confirmed_at is None


@pytest.mark.parametrize(
    ("status", "unsubscribed_hours_after_link"),
    [
        (Subscriber.Status.PENDING, None),
        (Subscriber.Status.PENDING, -1),  # unsubscribed, signed up again since
        (Subscriber.Status.PENDING, 1),  # the link predates the unsubscription
        (Subscriber.Status.CONFIRMED, None),
        (Subscriber.Status.UNSUBSCRIBED, 1),
        (Subscriber.Status.SUPPRESSED, None),
    ],
)
def test_page_says_ready_exactly_when_the_post_confirms(
    status, unsubscribed_hours_after_link
):
    subscriber = SubscriberFactory(
        status=status,
        unsubscribed_at=None
        if unsubscribed_hours_after_link is None
        else NOW + timedelta(hours=unsubscribed_hours_after_link),
    )
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        token = tokens.make_confirmation_token(subscriber, issued_at=NOW)
        link = tokens.read_confirmation_token(token)
        confirmed = subscribers.subscriber_confirm(
            subscriber=subscriber, issued_at=link.issued_at
        )

    assert (link.state is tokens.LinkState.READY) == confirmed
