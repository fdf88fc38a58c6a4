"""Exactly once with topic preferences: concurrent senders, several variants
(PostgreSQL; SQLite runs one writer)."""

from datetime import timedelta

import pytest
from taggit.models import Tag

from newsletter import delivery
from newsletter.models import Delivery, Edition, Subscriber
from tests.factories import ArticleFactory, EditionFactory, make_subscribers
from tests.newsletter.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

TOPICS = ["salary", "cv", "interviews", "remote", "careers"]


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (concurrent writers)")


def test_two_workers_with_threads_send_each_subscriber_their_articles_once(
    recorder, now
):
    # One article per topic but the last, which has none this week.
    articles = [ArticleFactory(title=f"On {t}", topics=[t]) for t in TOPICS[:4]]
    edition = EditionFactory(
        status=Edition.Status.SCHEDULED,
        scheduled_for=now - timedelta(minutes=1),
        articles=articles,
    )
    readers = make_subscribers(1500)
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=TOPICS)}
    tags["careers"] = Tag.objects.create(name="careers", slug="careers")
    chosen = {}  # address -> topic names; 6 kinds of choice, by turns
    choices = [[], ["salary"], ["cv", "remote"], ["interviews"], ["careers"], TOPICS]
    through = Subscriber.topics.through
    rows = []
    for n, reader in enumerate(readers):
        chosen[reader.email] = choices[n % len(choices)]
        rows += [
            through(subscriber_id=reader.pk, tag_id=tags[name].pk)
            for name in chosen[reader.email]
        ]
    through.objects.bulk_create(rows)

    reports = run_together(
        2,
        lambda _: delivery.edition_send(edition=edition, batch_size=50, threads=3),
    )

    counts = recorder.recipients
    mailed = {email for email, names in chosen.items() if names != ["careers"]}
    assert set(counts) == mailed  # "careers" only: nothing this week, no mail
    assert set(counts.values()) == {1}
    assert sum(report.sent for report in reports) == len(mailed) == 1250
    assert Delivery.objects.filter(status="sent").count() == 1250
    for message in recorder.messages:
        names = chosen[message.to[0]] or TOPICS
        expected = {f"On {t}" for t in names if t in TOPICS[:4]}
        got = {f"On {t}" for t in TOPICS[:4] if f"On {t}" in message.body}
        assert got == expected, message.to
    edition.refresh_from_db()
    assert edition.status == "sent"
