"""Topic preferences in sending: who gets which articles of an edition.

A subscriber who chose no topic gets every article; one who chose topics gets
the articles sharing one of them, and no mail when none does; a paused
subscriber gets nothing until the pause is over. The digest is rendered once
per distinct set of articles, not once per subscriber.
"""

import email
import email.policy
from datetime import timedelta

import pytest
from django.urls import reverse
from taggit.models import Tag

from newsletter import delivery, delivery_claims, delivery_lifecycle, emails
from newsletter.edition_plans import edition_send_now_plan
from newsletter.emails import DigestMail, Recipient
from newsletter.models import Delivery, Edition, EditionVariant
from tests.factories import ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

TITLES = {
    "salary": "Asking for a raise without fear",
    "cv": "A CV that fits on one page",
    "interviews": "The interview question nobody prepares",
}


@pytest.fixture
def articles(now):
    """One article per topic, and one with no topic at all."""
    made = {
        topic: ArticleFactory(title=title, topics=[topic])
        for topic, title in TITLES.items()
    }
    made[None] = ArticleFactory(title="Notes from the editors")
    return made


@pytest.fixture
def edition(now, articles):
    """Salary, CV and the untagged notes: nothing about interviews this week."""
    return EditionFactory(
        subject="This week: pay and paper",
        status=Edition.Status.SCHEDULED,
        scheduled_for=now - timedelta(minutes=1),
        articles=[articles["salary"], articles["cv"], articles[None]],
    )


def subscriber(email, *topics, **fields):
    reader = SubscriberFactory(email=email, **fields)
    reader.topics.set(Tag.objects.filter(name__in=topics))
    return reader


def titles_in(text):
    every = [*TITLES.values(), "Notes from the editors"]
    return {title for title in every if title in text}


def mails_by_address(recorder):
    return {message.to[0]: message for message in recorder.messages}


def test_each_subscriber_gets_the_articles_in_their_topics(recorder, edition):
    subscriber("all@example.com")
    subscriber("salary@example.com", "salary")
    subscriber("both@example.com", "salary", "cv")
    subscriber("broad@example.com", "cv", "interviews")

    report = delivery.edition_send(edition=edition)

    assert report.sent == 4
    mails = mails_by_address(recorder)
    expected = {
        "all@example.com": {TITLES["salary"], TITLES["cv"], "Notes from the editors"},
        "salary@example.com": {TITLES["salary"]},
        "both@example.com": {TITLES["salary"], TITLES["cv"]},
        "broad@example.com": {TITLES["cv"]},
    }
    for address, titles in expected.items():
        message = mails[address]
        assert titles_in(message.body) == titles, address
        assert titles_in(message.alternatives[0].content) == titles, address


def test_a_subscriber_whose_topics_have_nothing_that_week_gets_no_mail(
    recorder, edition
):
    subscriber("all@example.com")
    subscriber("interviews@example.com", "interviews")

    report = delivery.edition_send(edition=edition)

    assert report.sent == 1
    assert set(recorder.recipients) == {"all@example.com"}
    assert not Delivery.objects.filter(subscriber__email="interviews@example.com")
    nothing = EditionVariant.objects.get(edition=edition, mailed=False)
    assert nothing.subscribers == 1
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT


def test_a_paused_subscriber_gets_nothing_until_the_pause_is_over(
    recorder, edition, now
):
    subscriber("paused@example.com", paused_until=now + timedelta(weeks=2))
    subscriber("back@example.com", paused_until=now - timedelta(days=1))
    subscriber("ends-now@example.com", paused_until=now)

    delivery.edition_send(edition=edition)

    assert set(recorder.recipients) == {"back@example.com", "ends-now@example.com"}
    assert not Delivery.objects.filter(subscriber__email="paused@example.com")


def test_the_digest_is_rendered_once_per_set_of_articles_not_per_subscriber(
    recorder, edition, monkeypatch
):
    renders = []
    real_render = emails.edition_render

    def counting_render(**kwargs):
        renders.append(kwargs.get("article_ids"))
        return real_render(**kwargs)

    monkeypatch.setattr(emails, "edition_render", counting_render)
    for n in range(10):
        subscriber(f"all{n}@example.com")
        subscriber(f"salary{n}@example.com", "salary")
        subscriber(f"pay{n}@example.com", "salary", "interviews")  # = salary
        subscriber(f"cv{n}@example.com", "cv")

    report = delivery.edition_send(edition=edition, batch_size=7)

    assert report.sent == 40
    assert len(renders) == 3  # everything; salary; CV
    assert len({tuple(ids) for ids in renders}) == 3
    counts = dict(
        EditionVariant.objects.filter(edition=edition).values_list(
            "article_ids", "subscribers"
        )
    )
    assert sorted(counts.values()) == [10, 10, 20]


def test_the_recipients_articles_are_fixed_when_sending_starts(recorder, edition, now):
    reader = subscriber("changes-mind@example.com", "salary")
    delivery_lifecycle.start_sending(edition, now)
    reader.topics.set(Tag.objects.filter(name="cv"))  # after the start

    delivery.edition_send(edition=edition)

    message = mails_by_address(recorder)["changes-mind@example.com"]
    assert titles_in(message.body) == {TITLES["salary"]}


def test_smtp_bytes_of_a_variant_carry_exactly_its_articles(edition, now):
    reader = subscriber("cv@example.com", "cv")
    delivery_lifecycle.start_sending(edition, now)
    row = Delivery.objects.get(subscriber=reader)

    mail = DigestMail(edition=edition, variant=row.variant)
    data = mail.as_bytes(
        Recipient(row.pk, reader.email, reader.token, 0, row.variant_id),
        address=reader.email,
    )

    parsed = email.message_from_bytes(data, policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert titles_in(text) == titles_in(html) == {TITLES["cv"]}


def test_the_web_archive_shows_every_article_of_the_edition(client, recorder, edition):
    subscriber("cv@example.com", "cv")
    delivery.edition_send(edition=edition)

    page = client.get(edition.get_absolute_url()).text

    assert titles_in(page) == {TITLES["salary"], TITLES["cv"], "Notes from the editors"}


def test_send_now_confirmation_counts_recipients_by_the_same_rule(
    admin_client, edition, now
):
    subscriber("all@example.com")
    subscriber("salary@example.com", "salary")
    subscriber("interviews@example.com", "interviews")
    subscriber("paused@example.com", paused_until=now + timedelta(days=3))
    SubscriberFactory(email="pending@example.com", status="pending")

    plan = edition_send_now_plan(edition=edition)
    page = admin_client.get(
        reverse("admin:newsletter_edition_send_now", args=[edition.pk])
    )

    assert (plan.recipients, plan.no_mail, plan.variants) == (2, 1, 2)
    assert "goes to <strong>2 confirmed subscribers</strong>" in page.text
    assert "<strong>1 subscriber gets no mail</strong>" in page.text
    delivery_lifecycle.start_sending(edition, now)
    assert Delivery.objects.filter(edition=edition).count() == plan.recipients


def test_claiming_costs_the_same_queries_with_variants(
    edition, now, django_assert_num_queries
):
    """The claim brings each recipient's variant id with its row: no query
    per mail or per variant, as many queries as without topics."""
    for n in range(30):
        subscriber(f"reader{n}@example.com", *(["salary"], ["cv"], [])[n % 3])
    delivery_lifecycle.start_sending(edition, now)
    assert EditionVariant.objects.filter(edition=edition).count() == 3

    # savepoint, the pending ids, their update, release; the rows and variants
    with django_assert_num_queries(5):
        batch = delivery_claims.claim_batch(edition, "worker-1", 20)

    assert len({recipient.variant_id for recipient in batch.recipients}) == 3
    assert all(recipient.variant_id for recipient in batch.recipients)
