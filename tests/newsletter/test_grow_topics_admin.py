"""Topic preferences in the admin: a subscriber's topics and pause, and who
got which articles of an edition."""

from datetime import timedelta

import pytest
from django.urls import reverse
from taggit.models import Tag

from newsletter import delivery
from newsletter.models import Edition
from tests.factories import ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def test_editors_see_and_set_a_subscribers_topics_and_see_the_pause(admin_client, now):
    salary = Tag.objects.create(name="salary", slug="salary")
    Tag.objects.create(name="cv", slug="cv")
    reader = SubscriberFactory(
        email="reader@example.com", paused_until=now + timedelta(weeks=3)
    )
    url = reverse("admin:newsletter_subscriber_change", args=[reader.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="topics"' in page.text
    assert "6 Jul 2026, 1 p.m." in page.text  # paused until: three weeks on

    response = admin_client.post(
        url,
        {
            "topics": [salary.pk],
            "mail_events-TOTAL_FORMS": 0,
            "mail_events-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    assert list(reader.topics.values_list("name", flat=True)) == ["salary"]
    reader.refresh_from_db()
    assert reader.paused_until == now + timedelta(weeks=3)  # not an editor's to set


def test_a_sent_editions_page_says_who_got_which_articles(admin_client, recorder, now):
    pay = ArticleFactory(title="Pay rises explained", topics=["salary"])
    cv = ArticleFactory(title="One-page CVs", topics=["cv"])
    edition = EditionFactory(
        subject="Pay and paper",
        status=Edition.Status.SCHEDULED,
        scheduled_for=now - timedelta(minutes=1),
        articles=[pay, cv],
    )
    SubscriberFactory(email="all@example.com")
    for n in range(2):
        SubscriberFactory(email=f"pay{n}@example.com").topics.set(
            Tag.objects.filter(name="salary")
        )
    remote = Tag.objects.create(name="remote", slug="remote")
    SubscriberFactory(email="remote@example.com").topics.set([remote])
    delivery.edition_send(edition=edition)

    page = admin_client.get(
        reverse("admin:newsletter_edition_change", args=[edition.pk])
    )
    listing = admin_client.get(reverse("admin:newsletter_edition_changelist"))

    assert "2 different selections of the articles went out" in page.text
    assert "2 subscribers: 1 of 2: “Pay rises explained”" in page.text
    assert "1 subscriber: every article (2)" in page.text
    assert "<strong>1 subscriber got no mail</strong>: nothing in their" in page.text
    assert "1 no mail (topics)" in listing.text
