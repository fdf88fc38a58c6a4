"""The topic sitemap's lastmod counts live articles only (review item 10)."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_topic_lastmod_ignores_a_scheduled_article_newer_than_the_live_ones(
    client, now
):
    live = ArticleFactory(topics=["interviews"])
    ArticleFactory(
        topics=["interviews"], published_at=live.published_at.replace(year=2024)
    )
    ScheduledArticleFactory(topics=["interviews"])  # a week after now

    response = client.get(reverse("sitemap-section", kwargs={"section": "topics"}))

    assert response.status_code == 200
    urlset = ET.fromstring(response.content)
    lastmods = {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in urlset.findall("sm:url", NS)
    }
    topic_url = "https://careerhub.example" + reverse(
        "articles:topic", kwargs={"slug": "interviews"}
    )
    assert lastmods == {topic_url: live.published_at.date().isoformat()}
    assert live.published_at.date() < now.date()
