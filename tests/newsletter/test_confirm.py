import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from newsletter import emails, subscribers
from newsletter.models import Subscriber
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://careerhub\.example(/newsletter/confirm/[^/\s]+/)")


def confirmation_path(mail) -> str:
    return LINK.search(mail.body)[1]


@pytest.fixture
def pending(client, mailoutbox):
    """A reader who just signed up, and the path of the link they were sent."""
    with time_machine.travel(NOW, tick=False):
        client.post("/newsletter/", {"email": "reader@example.com"})
    return Subscriber.objects.get(), confirmation_path(mailoutbox[-1])


def test_confirmation_mail_has_text_and_html_and_no_promotion(pending, mailoutbox):
    (mail,) = mailoutbox
    path = pending[1]

    assert mail.to == ["reader@example.com"]
    assert "Confirm" in mail.subject
    assert path in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert path in html
    # Only the confirmation: no articles, no other offers.
    assert "/articles/" not in mail.body
    assert "/articles/" not in html


def test_opening_the_link_shows_a_button_and_changes_nothing(client, pending):
    subscriber, path = pending
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = client.get(path)
        head = client.head(path)

    assert response.status_code == 200
    assert head.status_code == 200
    assert "Yes, subscribe me" in response.text
    assert 'method="post"' in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    assert subscriber.confirmed_at is None
    assert "no-store" in response["Cache-Control"]


def test_post_confirms_and_records_when(client, pending):
    subscriber, path = pending
    confirm_time = NOW + timedelta(hours=2)
    with time_machine.travel(confirm_time, tick=False):
        response = client.post(path)

    assert response.status_code == 200
    assert "You’re subscribed" in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert subscriber.confirmed_at == confirm_time


def test_confirm_post_needs_the_csrf_token_of_the_page(pending):
    _, path = pending
    browser = Client(enforce_csrf_checks=True)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        forged = browser.post(path)
        page = browser.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        real = browser.post(path, {"csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert real.status_code == 200
    assert Subscriber.objects.get().status == "confirmed"


def test_reused_link_says_already_confirmed_and_changes_nothing(client, pending):
    subscriber, path = pending
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client.post(path)
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        response = client.post(path)

    assert response.status_code == 200
    assert "You’re already subscribed" in response.text
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at == NOW + timedelta(hours=1)


def test_expired_link_gives_a_clear_page_and_changes_nothing(client, pending, settings):
    subscriber, path = pending
    age = settings.NEWSLETTER_CONFIRM_MAX_AGE
    with time_machine.travel(NOW + timedelta(seconds=age + 1), tick=False):
        shown = client.get(path)
        posted = client.post(path)

    for response in (shown, posted):
        assert response.status_code == 410
        assert "This link has expired" in response.text
    assert Subscriber.objects.get().status == "pending"


def test_link_is_still_good_just_before_it_expires(client, pending, settings):
    _, path = pending
    age = settings.NEWSLETTER_CONFIRM_MAX_AGE
    with time_machine.travel(NOW + timedelta(seconds=age - 1), tick=False):
        response = client.post(path)

    assert response.status_code == 200
    assert Subscriber.objects.get().status == "confirmed"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[: len(token) // 2],
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ],
)
def test_tampered_link_gives_a_clear_page_and_changes_nothing(client, pending, tamper):
    _, path = pending
    token = path.split("/")[-2]
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = client.post(f"/newsletter/confirm/{tamper(token)}/")

    assert response.status_code == 400
    assert "This link doesn’t work" in response.text
    assert Subscriber.objects.get().status == "pending"


def test_link_signed_with_a_rotated_out_key_still_works(client, pending, settings):
    _, path = pending
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = client.post(path)

    assert response.status_code == 200
    assert Subscriber.objects.get().status == "confirmed"


def test_old_link_does_not_resubscribe_after_unsubscribing(client, pending):
    subscriber, path = pending
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        client.post(path)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        client.post(
            subscriber.get_unsubscribe_path(), {"List-Unsubscribe": "One-Click"}
        )
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        response = client.post(path)

    assert response.status_code == 410
    assert "no longer valid" in response.text
    assert Subscriber.objects.get().status == "unsubscribed"


def test_resubscribing_needs_the_new_link_not_the_old_one(client, pending, mailoutbox):
    subscriber, old_path = pending
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        client.post(old_path)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        subscribers.subscriber_unsubscribe(
            subscriber=subscriber, method=Subscriber.UnsubscribeMethod.PAGE
        )
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        client.post("/newsletter/", {"email": "reader@example.com"})
        new_path = confirmation_path(mailoutbox[-1])
        stale = client.post(old_path)
        assert Subscriber.objects.get().status == "pending"
        fresh = client.post(new_path)

    assert stale.status_code == 410
    assert fresh.status_code == 200
    assert Subscriber.objects.get().status == "confirmed"


def test_link_for_a_deleted_subscriber_is_refused(client, pending):
    subscriber, path = pending
    subscriber.delete()
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = client.get(path)

    assert response.status_code == 400


def test_opening_a_link_of_a_confirmed_address_says_so(client):
    subscriber = SubscriberFactory(status="confirmed")
    with time_machine.travel(NOW, tick=False):
        mail = emails.confirmation_message(subscriber=subscriber, issued_at=NOW)
        response = client.get(confirmation_path(mail))

    assert response.status_code == 200
    assert "You’re already subscribed" in response.text
    assert "<form" not in response.text.split("<main")[1]


def test_confirmation_page_query_budget(client, pending, django_assert_num_queries):
    _, path = pending
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        with django_assert_num_queries(1):  # 1 the subscriber
            client.get(path)


def test_the_confirm_pages_say_which_address_they_are_about(client, pending):
    _, path = pending
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        shown = client.get(path).text
        confirmed = client.post(path).text
        again = client.get(path).text

    for page in (shown, confirmed, again):
        assert '<strong class="newsletter-page__address">reader@example.com' in page
