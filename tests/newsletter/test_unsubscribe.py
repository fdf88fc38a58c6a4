from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart

from newsletter.models import Subscriber
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def subscriber():
    return SubscriberFactory(email="reader@example.com", status="confirmed")


@pytest.fixture
def mail_client():
    """A mail program: no cookies, no CSRF token, and checks are enforced."""
    return Client(enforce_csrf_checks=True)


def test_opening_the_link_shows_a_button_and_changes_nothing(client, subscriber):
    response = client.get(subscriber.get_unsubscribe_path())
    client.head(subscriber.get_unsubscribe_path())

    assert response.status_code == 200
    assert "reader@example.com" in response.text
    assert '<button class="button" type="submit">Unsubscribe</button>' in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert subscriber.unsubscribed_at is None


@time_machine.travel(NOW, tick=False)
def test_one_click_urlencoded_post_without_cookies_unsubscribes(
    mail_client, subscriber
):
    response = mail_client.post(
        subscriber.get_unsubscribe_path(),
        urlencode(ONE_CLICK),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribed_at == NOW
    assert subscriber.unsubscribe_method == "one-click"


def test_one_click_multipart_post_without_cookies_unsubscribes(mail_client, subscriber):
    response = mail_client.post(
        subscriber.get_unsubscribe_path(),
        encode_multipart("BoUnDaRy", ONE_CLICK),
        content_type=MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", "BoUnDaRy"),
    )

    assert response.status_code == 200
    assert not response.has_header("Location")
    assert Subscriber.objects.get().status == "unsubscribed"


def test_button_on_the_page_unsubscribes_without_cookies(mail_client, subscriber):
    response = mail_client.post(subscriber.get_unsubscribe_path())

    assert response.status_code == 200
    assert "You’re unsubscribed" in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribe_method == "page"


def test_unsubscribing_twice_keeps_the_first_record(client, subscriber):
    with time_machine.travel(NOW, tick=False):
        client.post(subscriber.get_unsubscribe_path(), ONE_CLICK)
    with time_machine.travel(NOW.replace(hour=18), tick=False):
        second = client.post(subscriber.get_unsubscribe_path())

    assert second.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == NOW
    assert subscriber.unsubscribe_method == "one-click"


def test_pending_address_can_unsubscribe_too(client):
    subscriber = SubscriberFactory(status="pending")

    client.post(subscriber.get_unsubscribe_path(), ONE_CLICK)

    assert Subscriber.objects.get().status == "unsubscribed"


def test_link_keeps_working_after_the_secret_key_changes(
    mail_client, subscriber, settings
):
    path = subscriber.get_unsubscribe_path()
    settings.SECRET_KEY = "an-entirely-different-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = []

    response = mail_client.post(path, ONE_CLICK)

    assert response.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"


@pytest.mark.parametrize("data", [ONE_CLICK, {}])
def test_unknown_token_is_a_clear_404_and_changes_nothing(client, subscriber, data):
    response = client.post("/newsletter/unsubscribe/not-a-real-token/", data)

    assert response.status_code == 404
    assert Subscriber.objects.get().status == "confirmed"


def test_tokens_are_long_random_and_distinct():
    first, second = SubscriberFactory(), SubscriberFactory()

    assert len(first.token) >= 40
    assert first.token != second.token


def test_unsubscribe_page_query_budget(client, subscriber, django_assert_num_queries):
    with django_assert_num_queries(1):  # 1 the subscriber by token
        client.get(subscriber.get_unsubscribe_path())
