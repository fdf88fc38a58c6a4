"""The sign-up form with an address far too long: a clear message, and the
page shows back no more than an address can hold (RFC 5321: 254 characters)."""

import re

import pytest

from newsletter.models import Subscriber
from tests.newsletter.test_signup import SIGNUP_URL, sign_up

pytestmark = pytest.mark.django_db

# 64 + 1 + 189 = 254 characters, each part within its own limits.
LONGEST = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
TOO_LONG_MESSAGE = "An email address has at most 254 characters: check what you typed."


def shown_back(response) -> str:
    match = re.search(r'name="email"[^>]*value="([^"]*)"', response.text)
    assert match, "the form shows the typed address back"
    return match.group(1)


def test_a_megabyte_address_is_refused_and_not_echoed_whole(client):
    typed = "x" * 1_000_000 + "@example.com"

    response = sign_up(client, typed)

    assert response.status_code == 400
    assert TOO_LONG_MESSAGE in response.text
    assert shown_back(response) == typed[:254]
    assert len(response.content) < 100_000
    assert not Subscriber.objects.exists()


def test_one_character_over_the_limit_gets_the_message(client):
    response = sign_up(client, "a" + LONGEST)

    assert response.status_code == 400
    assert TOO_LONG_MESSAGE in response.text


def test_the_longest_address_is_accepted(client):
    assert len(LONGEST) == 254
    assert sign_up(client, LONGEST).status_code == 200
    assert Subscriber.objects.get().email == LONGEST


def test_the_field_tells_browsers_the_limit(client):
    page = client.get(SIGNUP_URL).text

    assert re.search(r'name="email"[^>]*maxlength="254"', page)


def test_a_bots_long_address_is_not_echoed_whole_either(client):
    response = sign_up(client, "y" * 5_000 + "@example.com", website="spam")

    assert response.status_code == 200
    assert "y" * 254 in response.text
    assert "y" * 255 not in response.text
