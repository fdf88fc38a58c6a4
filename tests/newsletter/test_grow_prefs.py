"""The preference page a subscriber reaches from the link in every mail:
topics, a pause, unsubscribing and their data, for their own link only."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from newsletter.models import Delivery, Edition, MailEvent, Subscriber
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def url(name, subscriber_or_token, **kwargs):
    token = getattr(subscriber_or_token, "token", subscriber_or_token)
    return reverse(f"newsletter:{name}", kwargs={"token": token, **kwargs})


@pytest.fixture
def topics():
    """Three topics in use (each has a live article), one with none."""
    for name in ("Interviews", "Salary", "CVs"):
        ArticleFactory(topics=[name])
    Tag.objects.create(name="Unused", slug="unused")
    return {tag.name: tag for tag in Tag.objects.all()}


@pytest.fixture
def reader():
    return SubscriberFactory(email="reader@example.com")


@pytest.fixture
def other():
    return SubscriberFactory(email="other@example.com")


@pytest.fixture
def reader_client():
    """A reader's browser: cookies kept, CSRF checks enforced as in production.

    Not named ``browser``: that is Playwright's fixture, and the name would
    sort these tests among the browser tests, after those that empty the
    database (and with them the editors' group the next tests need)."""
    return Client(enforce_csrf_checks=True)


def csrf_post(reader_client, page_url, path, data):
    """Open the page, then post its form as a browser would."""
    page = reader_client.get(page_url)
    assert page.status_code == 200
    return reader_client.post(path, data)


def chosen(subscriber):
    return sorted(subscriber.topics.values_list("name", flat=True))


# The page ----------------------------------------------------------------------
def test_the_page_shows_the_readers_own_address_and_the_empty_week_rule(
    client, reader, topics
):
    response = client.get(url("preferences", reader))

    assert response.status_code == 200
    assert "reader@example.com" in response.text
    assert "A week with nothing new in your topics brings no email." in response.text
    # Offered: the topics in use, not one without live articles.
    for name in ("Interviews", "Salary", "CVs"):
        assert f"> {name}</label>" in response.text
    assert "Unused" not in response.text


@pytest.mark.parametrize(
    "name",
    [
        "preferences",
        "preferences-data",
        "preferences-data-json",
    ],
)
def test_every_preference_page_is_private_never_stored_and_sends_no_referrer(
    client, reader, name
):
    response = client.get(url(name, reader))

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_the_page_cache_never_keeps_a_preference_page(client, reader, settings):
    """With the page cache on, a second reader of the address (a cookie-less
    request, as the cache serves) gets a freshly rendered page."""
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get(url("preferences", reader))
    Subscriber.objects.filter(pk=reader.pk).update(email="renamed@example.com")

    second = Client().get(url("preferences", reader))

    assert "reader@example.com" in first.text
    assert "renamed@example.com" in second.text


@pytest.mark.parametrize(
    "token",
    [
        "x" * 43,  # the right shape, nobody's
        "short",
        "a" * 65,
        "tok%00en-with-a-nul-byte-xxxxxxxxxxxx",
        "ünïcödé-ünïcödé-ünïcödé",
        "a'b\"c<d>" * 4,
    ],
)
@pytest.mark.parametrize(
    "name", ["preferences", "preferences-data", "preferences-data-json"]
)
def test_an_unknown_or_tampered_link_gets_a_404_page(client, reader, token, name):
    response = client.get(url(name, token))

    assert response.status_code == 404
    assert "This link doesn’t work" in response.text
    assert "reader@example.com" not in response.text


@pytest.mark.parametrize(
    "name", ["preferences-topics", "preferences-pause", "preferences-unsubscribe"]
)
def test_posting_with_an_unknown_link_changes_nothing(client, reader, name):
    response = client.post(url(name, "x" * 43), {"scope": "all", "weeks": "2"})

    assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.status == "confirmed" and reader.paused_until is None


@pytest.mark.parametrize(
    "name", ["preferences-topics", "preferences-pause", "preferences-unsubscribe"]
)
def test_the_forms_only_take_posts(client, reader, name):
    assert client.get(url(name, reader)).status_code == 405


@pytest.mark.parametrize(
    "name", ["preferences-topics", "preferences-pause", "preferences-unsubscribe"]
)
def test_the_pages_store_nothing_on_the_device_and_the_link_authorises_a_post(
    reader_client, reader, name
):
    """No CSRF cookie (nothing stored on the subscriber's device): the link's
    unguessable token authorises the POST, as for one-click unsubscribes; a
    POST to an unknown link changes nothing."""
    page = reader_client.get(url("preferences", reader))
    assert page.cookies == {} and "Set-Cookie" not in page.headers

    refused = reader_client.post(url(name, "x" * 43), {"weeks": "2", "scope": "all"})
    assert refused.status_code == 404
    reader.refresh_from_db()
    assert reader.status == "confirmed" and reader.paused_until is None

    answered = reader_client.post(url(name, reader), {"weeks": "2", "scope": "all"})
    assert answered.status_code == 200 and answered.cookies == {}


# Topics ----------------------------------------------------------------------
def test_choosing_topics_stores_them_and_the_page_shows_them_chosen(
    reader_client, reader, topics
):
    response = csrf_post(
        reader_client,
        url("preferences", reader),
        url("preferences-topics", reader),
        {
            "scope": "chosen",
            "topics": [topics["Salary"].pk, topics["CVs"].pk],
        },
    )

    assert response.status_code == 200
    assert "Your topics are saved." in response.text
    assert chosen(reader) == ["CVs", "Salary"]
    page = reader_client.get(url("preferences", reader)).text
    assert re.search(rf'value="{topics["Salary"].pk}"[^>]*checked', page)
    assert not re.search(rf'value="{topics["Interviews"].pk}"[^>]*checked', page)


def test_every_topic_clears_the_choice(client, reader, topics):
    reader.topics.set([topics["Salary"]])

    client.post(url("preferences-topics", reader), {"scope": "all"})

    assert chosen(reader) == []


def test_a_topic_chosen_before_stays_offered_once_it_falls_out_of_use(
    client, reader, topics
):
    reader.topics.set([topics["Unused"], topics["Salary"]])

    page = client.get(url("preferences", reader)).text

    assert re.search(rf'value="{topics["Unused"].pk}"[^>]*checked', page)


@pytest.mark.parametrize(
    "data",
    [
        {"scope": "chosen"},  # no topic
        {"scope": "chosen", "topics": ["not-a-number"]},
        {"scope": "chosen", "topics": ["99999999999999999999999"]},
        {"scope": "chosen", "topics": ["0"]},
        {"scope": "everything"},
        {},
    ],
)
def test_bad_topic_forms_get_a_400_and_change_nothing(client, reader, topics, data):
    reader.topics.set([topics["Salary"]])

    response = client.post(url("preferences-topics", reader), data)

    assert response.status_code == 400
    assert chosen(reader) == ["Salary"]


def test_a_topic_not_in_use_cannot_be_chosen(client, reader, topics):
    response = client.post(
        url("preferences-topics", reader),
        {"scope": "chosen", "topics": [topics["Unused"].pk]},
    )

    assert response.status_code == 400
    assert chosen(reader) == []


# Pause -------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_pausing_sets_the_date_and_resuming_clears_it(client, reader):
    response = client.post(url("preferences-pause", reader), {"weeks": "4"})

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.paused_until == NOW + timedelta(weeks=4)
    assert "paused until" in response.text
    assert "Resume now" in response.text

    response = client.post(url("preferences-pause", reader), {"resume": "1"})

    reader.refresh_from_db()
    assert reader.paused_until is None
    assert "The digest is on again." in response.text


@pytest.mark.parametrize("weeks", ["3", "0", "-1", "999999999999", "x", ""])
def test_a_pause_of_weeks_not_offered_gets_a_400(client, reader, weeks):
    response = client.post(url("preferences-pause", reader), {"weeks": weeks})

    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.paused_until is None


# Unsubscribe -------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_unsubscribing_from_the_page_uses_the_unsubscribe_rule(client, reader):
    response = client.post(url("preferences-unsubscribe", reader))

    assert response.status_code == 200
    assert "You’re unsubscribed." in response.text
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"
    assert reader.unsubscribed_at == NOW
    assert reader.unsubscribe_method == "page"
    # The page no longer offers changes, but still shows the data.
    assert "Save topics" not in response.text
    assert "What we keep about you" in response.text


@pytest.mark.parametrize("status", ["unsubscribed", "suppressed"])
def test_an_ended_subscription_cannot_be_paused_or_given_topics(client, topics, status):
    ended = SubscriberFactory(status=status)

    topics_response = client.post(
        url("preferences-topics", ended),
        {"scope": "chosen", "topics": [topics["Salary"].pk]},
    )
    pause_response = client.post(url("preferences-pause", ended), {"weeks": "2"})

    assert topics_response.status_code == 409
    assert pause_response.status_code == 409
    ended.refresh_from_db()
    assert ended.status == status
    assert ended.paused_until is None
    assert chosen(ended) == []


# One subscriber's link, one subscriber --------------------------------------------
def test_a_link_never_shows_another_subscribers_data(client, reader, other):
    for name in ("preferences", "preferences-data", "preferences-data-json"):
        response = client.get(url(name, reader))
        assert "other@example.com" not in response.content.decode()
        assert other.token not in response.content.decode()


def test_posting_another_subscribers_id_changes_only_the_links_own(
    client, reader, other, topics
):
    """Whatever the form names (ids, addresses, tokens), the link decides."""
    foreign = {
        "subscriber": other.pk,
        "id": other.pk,
        "pk": other.pk,
        "email": other.email,
        "token": other.token,
    }
    other.topics.set([topics["CVs"]])

    client.post(
        url("preferences-topics", reader),
        {**foreign, "scope": "chosen", "topics": [topics["Salary"].pk]},
    )
    client.post(url("preferences-pause", reader), {**foreign, "weeks": "2"})
    client.post(url("preferences-unsubscribe", reader), foreign)

    other.refresh_from_db()
    assert chosen(other) == ["CVs"]
    assert other.paused_until is None
    assert other.status == "confirmed"
    reader.refresh_from_db()
    assert chosen(reader) == ["Salary"]
    assert reader.paused_until is not None
    assert reader.status == "unsubscribed"


def test_another_subscribers_token_in_the_query_string_is_ignored(
    client, reader, other
):
    response = client.post(
        url("preferences-pause", reader) + f"?token={other.token}", {"weeks": "2"}
    )

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.paused_until is None


# Rate limit --------------------------------------------------------------------
def test_posts_are_rate_limited_like_the_other_newsletter_forms(
    client, reader, settings
):
    settings.NEWSLETTER_RATE_LIMIT = "2/hour"
    for _ in range(2):
        assert (
            client.post(url("preferences-pause", reader), {"weeks": "1"}).status_code
            == 200
        )

    response = client.post(url("preferences-pause", reader), {"weeks": "2"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many changes" in response.text
    reader.refresh_from_db()
    assert reader.paused_until is not None  # the first pause, not the refused one


# The data --------------------------------------------------------------------
@pytest.fixture
def history(reader, topics):
    """Two editions sent to the reader, one that failed, one sent to another."""
    with time_machine.travel(NOW, tick=False):
        sent = [
            EditionFactory(subject=f"Edition {n}", status=Edition.Status.SENT)
            for n in (1, 2, 3)
        ]
        Delivery.objects.create(
            edition=sent[0], subscriber=reader, status="sent", sent_at=NOW
        )
        Delivery.objects.create(
            edition=sent[1],
            subscriber=reader,
            status="sent",
            sent_at=NOW + timedelta(days=7),
        )
        Delivery.objects.create(edition=sent[2], subscriber=reader, status="failed")
        Delivery.objects.create(
            edition=sent[2],
            subscriber=SubscriberFactory(email="third@example.com"),
            status="sent",
            sent_at=NOW,
        )
        MailEvent.objects.create(
            subscriber=reader,
            kind="soft-bounce",
            source="smtp",
            occurred_at=NOW,
            detail="Mailbox full",
        )
    reader.topics.set([topics["Salary"]])
    Subscriber.objects.filter(pk=reader.pk).update(
        paused_until=NOW + timedelta(weeks=2)
    )
    reader.refresh_from_db()
    return sent


def test_the_json_download_holds_what_is_stored(client, reader, history):
    response = client.get(url("preferences-data-json", reader))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["email"] == "reader@example.com"
    assert data["status"] == "confirmed"
    assert data["signed_up_at"] == (NOW - timedelta(days=3)).isoformat()
    assert data["confirmed_at"] == (NOW - timedelta(days=2)).isoformat()
    assert data["paused_until"] == (NOW + timedelta(weeks=2)).isoformat()
    assert data["sign_up_page"] == "/articles/some-article/"
    assert data["consent"]["version"] == "2026-06"
    assert data["consent"]["text"].startswith("We will email you our weekly digest")
    assert data["topics"] == ["Salary"]
    # Editions received: the sent deliveries only, newest first.
    assert [entry["subject"] for entry in data["editions_received"]] == [
        "Edition 2",
        "Edition 1",
    ]
    assert data["mail_events"][0]["detail"] == "Mailbox full"


def test_the_readable_page_shows_the_same_facts(client, reader, history):
    page = client.get(url("preferences-data", reader)).text

    for fact in (
        "reader@example.com",
        "Confirmed",
        "/articles/some-article/",
        "We will email you our weekly digest",
        "Salary",
        "Edition 1",
        "Edition 2",
        "Mailbox full",
    ):
        assert fact in page, fact
    assert "Edition 3" not in page
    assert history[0].get_absolute_url() in page


def test_every_topic_is_said_so_in_the_data(client, reader):
    data = json.loads(client.get(url("preferences-data-json", reader)).content)

    assert data["topics"] == "all"


def test_the_data_pages_run_a_fixed_number_of_queries(
    client, reader, history, django_assert_num_queries
):
    """Many editions received cost no more queries than two."""
    for _ in range(20):
        Delivery.objects.create(
            edition=EditionFactory(status=Edition.Status.SENT),
            subscriber=reader,
            status="sent",
            sent_at=NOW,
        )
    # 1 subscriber (the link), 1 topics, 1 deliveries + editions, 1 mail events
    with django_assert_num_queries(4):
        client.get(url("preferences-data-json", reader))
    with django_assert_num_queries(4):
        client.get(url("preferences-data", reader))
