"""Where readers meet the newsletter, and what the privacy page promises."""

import pytest
from django.urls import reverse

from newsletter import consent
from newsletter.models import Subscriber
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("weekday", "name"), [(1, "Tuesday"), (4, "Friday")])
def test_sign_up_box_says_which_day_the_digest_comes(client, settings, weekday, name):
    settings.NEWSLETTER_SEND_WEEKDAY = weekday
    article = ArticleFactory()

    for url in (reverse("articles:home"), article.get_absolute_url()):
        text = client.get(url).text
        assert f"New career advice in your inbox every {name}" in text
        assert 'action="/newsletter/"' in text


def test_home_page_carries_the_sign_up_form(client):
    response = client.get(reverse("articles:home"))
    assert response.text.count('class="signup-form"') == 1
    # Still one copy for every reader: no token, no cookie.
    assert "csrfmiddlewaretoken" not in response.text
    assert not response.cookies


def test_privacy_page_quotes_the_consent_readers_agree_to(client):
    text = client.get(reverse("privacy")).text
    current = consent.current()
    assert current.text in text
    assert f"version {current.version}" in text


def test_privacy_page_lists_every_kind_of_data_a_subscriber_record_keeps(client):
    """A new field on Subscriber must be explained on the privacy page too."""
    text = client.get(reverse("privacy")).text
    explained = {
        "email": "the email address",
        "status": "waiting for confirmation, confirmed, unsubscribed or no longer",
        "token": None,  # a random secret for their own links, not about them
        "signed_up_at": "when you signed up",
        "source": "the page whose form you used",
        "consent_version": "which version of the text above",
        "confirmed_at": "when you confirmed",
        "unsubscribed_at": "when you unsubscribed",
        "unsubscribe_method": "whether by the link in an email",
        "last_confirmation_sent_at": "when we last sent you a confirmation email",
        "confirmations_sent_on": "how many we sent that day",
        "confirmations_sent_count": "how many we sent that day",
        "suppressed_at": "when we stopped mailing you",
        "suppression_reason": "reported as spam",
        "suppression_source": "which mail service told us",
        "soft_bounces": "how many in a row",
        "paused_until": "until when you paused the digest",
        "welcome_sent_for": "that we sent you the welcome email",
        "source_import": "which import it came with",
    }
    fields = {
        field.name
        for field in Subscriber._meta.concrete_fields
        if not field.primary_key
    }
    assert fields == set(explained)
    for phrase in filter(None, explained.values()):
        assert phrase in text
