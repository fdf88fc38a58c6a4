import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, DraftArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db


def test_topics_index_lists_topics_with_their_live_article_counts(client, now):
    ArticleFactory(topics=["interviews"])
    ArticleFactory(topics=["interviews", "salary"])
    DraftArticleFactory(topics=["interviews", "drafts-only"])
    ScheduledArticleFactory(topics=["coming-soon"])

    response = client.get(reverse("articles:topics"))

    assert response.status_code == 200
    topics = {topic.slug: topic.article_count for topic in response.context["topics"]}
    # Unpublished articles count nowhere, and their topics are not shown.
    assert topics == {"interviews": 2, "salary": 1}
    assert reverse("articles:topic", args=["interviews"]) in response.text
    assert "drafts-only" not in response.text
    assert "coming-soon" not in response.text


def test_header_links_to_the_topics_index(client):
    response = client.get(reverse("articles:home"))
    assert f'href="{reverse("articles:topics")}"' in response.text
