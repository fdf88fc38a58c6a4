import re
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.test import Client

from newsletter import consent
from newsletter.models import Subscriber
from tests.factories import NOW, ArticleFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/newsletter/"


def sign_up(client, email, headers=None, **fields):
    data = {"email": email, "source": "/articles/a/", "consent_version": "2026-06"}
    return client.post(SIGNUP_URL, {**data, **fields}, headers=headers)


# Normalisation and uniqueness ---------------------------------------------------
def test_addresses_differing_only_in_case_are_one_subscriber(client, mailoutbox):
    sign_up(client, "A@Example.COM")
    sign_up(client, "  a@example.com ")

    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().email == "A@example.com"


def test_domain_is_lower_cased_and_idna_encoded(client):
    sign_up(client, " Jo@BÜCHER.Example ")

    assert Subscriber.objects.get().email == "Jo@xn--bcher-kva.example"


def test_database_refuses_a_second_row_differing_only_in_case():
    SubscriberFactory(email="reader@example.com")

    with pytest.raises(IntegrityError):
        SubscriberFactory(email="READER@example.com")


@pytest.mark.parametrize(
    "email",
    [
        "not-an-address",
        "a@b",
        "two@@example.com",
        '"quoted"@example.com',
        "a@[127.0.0.1]",
        "a@localhost",
        "a@example.com\r\nBcc: victim@example.com",
        "a@example.com\nSubject: hi",
        "x" * 250 + "@example.com",
        "a@exa mple.com",
        "nul\x00@example.com",
        "",
    ],
)
def test_bad_addresses_get_the_form_again_with_a_message(client, email):
    response = sign_up(client, email)

    assert response.status_code == 400
    assert 'class="signup-form__error"' in response.text
    assert Subscriber.objects.count() == 0


# The same answer for everyone ---------------------------------------------------
@time_machine.travel(NOW, tick=False)  # Expires carries the clock's second
def test_answer_is_byte_for_byte_the_same_in_every_state(client):
    SubscriberFactory(email="pending@example.com", status="pending")
    SubscriberFactory(email="confirmed@example.com", status="confirmed")
    SubscriberFactory(email="gone@example.com", status="unsubscribed")

    addresses = ["new", "pending", "confirmed", "gone", "bot"]
    responses = [
        sign_up(client, "new@example.com"),
        sign_up(client, "pending@example.com"),
        sign_up(client, "confirmed@example.com"),
        sign_up(client, "gone@example.com"),
        sign_up(client, "bot@example.com", website="https://spam.example"),
    ]

    def without_address(response, name):
        # The page repeats the typed address; nothing else may differ.
        return response.content.replace(f"{name}@example.com".encode(), b"ADDRESS")

    first = responses[0]
    assert first.status_code == 200
    assert "Check your inbox" in first.text
    assert "new@example.com" in first.text
    for response, name in zip(responses[1:], addresses[1:], strict=True):
        assert response.status_code == first.status_code
        assert without_address(response, name) == without_address(first, "new")
        assert {**response.headers, "Content-Length": ""} == {
            **first.headers,
            "Content-Length": "",
        }
        assert not response.cookies


@time_machine.travel(NOW, tick=False)
def test_one_typed_address_gets_the_same_bytes_in_every_state(client):
    """The address as a reader types it, whatever its record says."""
    answers = {sign_up(client, " Reader@Example.com ").content}
    subscriber = Subscriber.objects.get()
    for status in ["pending", "confirmed", "unsubscribed", "suppressed"]:
        Subscriber.objects.filter(pk=subscriber.pk).update(status=status)
        answers.add(sign_up(client, " Reader@Example.com ").content)
    answers.add(sign_up(client, " Reader@Example.com ", website="x").content)

    (answer,) = answers
    assert b"Reader@Example.com</strong>" in answer


@pytest.mark.parametrize(
    ("source", "back_to"),
    [
        ("/articles/how-to-negotiate/", "/articles/how-to-negotiate/"),
        ("//evil.example/articles/x/", "/"),
        ("/\\evil.example/articles/x/", "/"),
        ("https://evil.example/articles/x/", "/"),
        ("/articles/../admin/", "/"),
        ("/newsletter/", "/"),
        ("", "/"),
    ],
)
def test_check_your_inbox_links_back_to_the_article_only(client, source, back_to):
    response = sign_up(client, "reader@example.com", source=source)

    links = re.findall(r'<a href="([^"]*)">Back to', response.text)
    assert links == [back_to]


def test_confirmed_subscriber_signing_up_again_is_left_as_is(client, mailoutbox):
    subscriber = SubscriberFactory(email="reader@example.com", status="confirmed")

    sign_up(client, "reader@example.com", source="/elsewhere/")

    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert subscriber.source == "/articles/some-article/"
    assert mailoutbox == []


def test_unsubscribed_address_signing_up_again_must_confirm_again(client, mailoutbox):
    SubscriberFactory(email="back@example.com", status="unsubscribed")

    sign_up(client, "back@example.com")

    assert Subscriber.objects.get().status == "pending"
    assert len(mailoutbox) == 1
    assert "/newsletter/confirm/" in mailoutbox[0].body


# Honeypot ---------------------------------------------------------------------
def test_filled_honeypot_creates_nothing_and_sends_nothing(client, mailoutbox):
    response = sign_up(client, "bot@example.com", website="buy now")

    assert response.status_code == 200
    assert "Check your inbox" in response.text
    assert Subscriber.objects.count() == 0
    assert mailoutbox == []


def test_honeypot_is_hidden_from_people_without_inline_style(client):
    response = client.get(SIGNUP_URL)

    assert '<p class="signup-form__honeypot" aria-hidden="true">' in response.text
    assert "Leave this empty" in response.text
    assert 'name="website" tabindex="-1"' in response.text
    assert "style=" not in response.text


# Consent record ---------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_sign_up_records_when_where_and_which_consent_text(client):
    sign_up(client, "reader@example.com", source="/articles/how-to-negotiate/")

    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending"
    assert subscriber.signed_up_at == NOW
    assert subscriber.source == "/articles/how-to-negotiate/"
    assert subscriber.consent_version == "2026-06"
    assert subscriber.confirmed_at is None


@pytest.mark.parametrize(
    ("source", "version", "stored_source", "stored_version"),
    [
        ("https://evil.example/x", "1999", "", consent.CURRENT_VERSION),
        ("//evil.example/", "", "", consent.CURRENT_VERSION),
        ("/ok/path/", consent.CURRENT_VERSION, "/ok/path/", consent.CURRENT_VERSION),
    ],
)
def test_odd_source_or_unknown_consent_version_is_recorded_safely(
    client, source, version, stored_source, stored_version
):
    response = sign_up(client, "r@example.com", source=source, consent_version=version)

    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.source == stored_source
    assert subscriber.consent_version == stored_version


# Throttles --------------------------------------------------------------------
def test_confirmations_are_throttled_to_one_per_10_minutes_and_three_a_day(
    client, mailoutbox
):
    with time_machine.travel(NOW, tick=False) as traveller:  # 13:00 in London

        def mails_after_signing_up():
            sign_up(client, "reader@example.com")
            return len(mailoutbox)

        assert mails_after_signing_up() == 1
        traveller.shift(timedelta(minutes=9, seconds=59))
        assert mails_after_signing_up() == 1
        traveller.shift(timedelta(seconds=1))
        assert mails_after_signing_up() == 2
        traveller.shift(timedelta(minutes=10))
        assert mails_after_signing_up() == 3
        traveller.shift(timedelta(minutes=30))
        assert mails_after_signing_up() == 3  # three today already
        traveller.shift(timedelta(hours=11))  # the next day in London
        assert mails_after_signing_up() == 4

    assert Subscriber.objects.count() == 1


def test_too_many_sign_ups_from_one_client_get_429(client, settings):
    settings.NEWSLETTER_RATE_LIMIT = "3/hour"
    with time_machine.travel(NOW, tick=False) as traveller:
        statuses = [sign_up(client, f"r{n}@example.com").status_code for n in range(4)]
        other_client = sign_up(
            Client(REMOTE_ADDR="192.0.2.7"), "r9@example.com"
        ).status_code
        traveller.shift(timedelta(hours=1))
        next_hour = sign_up(client, "r5@example.com").status_code

    assert statuses == [200, 200, 200, 429]
    assert other_client == 200
    assert next_hour == 200
    assert Subscriber.objects.count() == 5


def test_429_page_says_when_to_try_again(client, settings):
    settings.NEWSLETTER_RATE_LIMIT = "1/hour"
    with time_machine.travel(NOW, tick=False):  # 12:00:00 UTC, a window start
        sign_up(client, "a@example.com")
        response = sign_up(client, "b@example.com")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Please try again in 60 minutes" in response.text
    assert not Subscriber.objects.filter(email="b@example.com").exists()


def test_rate_limit_uses_the_configured_proxy_header(client, settings):
    settings.NEWSLETTER_RATE_LIMIT = "1/hour"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

    def from_proxy(email, forwarded_for):
        return sign_up(client, email, headers={"X-Forwarded-For": forwarded_for})

    # The proxy appends the address it saw; anything before it is the client's.
    first = from_proxy("a@example.com", "1.1.1.1, 10.0.0.1")
    second = from_proxy("b@example.com", "10.0.0.2")
    third = from_proxy("c@example.com", "9.9.9.9, 10.0.0.2")

    assert [first.status_code, second.status_code, third.status_code] == [
        200,
        200,
        429,
    ]


# The form on article pages and caching ----------------------------------------
def test_article_page_carries_the_form_and_stays_cacheable(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    assert f'action="{SIGNUP_URL}"' in response.text
    assert f'name="source" value="{article.get_absolute_url()}"' in response.text
    assert consent.current().text in response.text
    assert "csrfmiddlewaretoken" not in response.text
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_signup_page_is_cacheable(client):
    # Its queries (the latest editions, the readers): test_grow_signup.py.
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.text
    assert not response.cookies


def test_form_posted_without_csrf_cookie_is_accepted(mailoutbox):
    client = Client(enforce_csrf_checks=True)

    response = sign_up(client, "reader@example.com")

    assert response.status_code == 200
    assert Subscriber.objects.count() == 1
    assert len(mailoutbox) == 1


def test_answers_to_posts_are_not_cached(client):
    response = sign_up(client, "reader@example.com")

    assert "no-store" in response["Cache-Control"]
