"""Deleting a topic that articles use (review item 4).

Transactional tests: the foreign key that broke is checked at COMMIT (deferred
on SQLite and PostgreSQL), so a test inside a rolled-back transaction would
never see it.
"""

import pytest
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from articles.models import Article, TopicCount
from articles.roles import apply_role_permissions
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _roles():
    apply_role_permissions()  # a transactional test flushed the migration's groups


@pytest.fixture
def used_topic():
    ArticleFactory(slug="first", topics=["interviews", "salary"])
    ArticleFactory(slug="second", topics=["interviews"])
    topic = Tag.objects.get(slug="interviews")
    assert TopicCount.objects.get(tag=topic).published == 2
    return topic


def assert_topic_gone_articles_kept(topic):
    assert not Tag.objects.filter(pk=topic.pk).exists()
    assert not TopicCount.objects.filter(tag_id=topic.pk).exists()
    assert not TaggedItem.objects.filter(tag_id=topic.pk).exists()
    assert set(Article.objects.values_list("slug", flat=True)) == {"first", "second"}
    # The other topic of the same article keeps its count.
    assert TopicCount.objects.get(tag__slug="salary").published == 1


def test_editor_deletes_a_used_topic_through_the_admin(editor_client, used_topic):
    url = reverse("admin:articles_topic_delete", args=[used_topic.pk])
    assert editor_client.get(url).status_code == 200  # the confirmation page

    response = editor_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_topic_changelist")
    assert_topic_gone_articles_kept(used_topic)


def test_editor_deletes_used_topics_with_the_list_action(editor_client, used_topic):
    response = editor_client.post(
        reverse("admin:articles_topic_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [used_topic.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert_topic_gone_articles_kept(used_topic)


def test_deleting_a_used_topic_directly(used_topic):
    used_topic.delete()

    assert_topic_gone_articles_kept(used_topic)


def test_deleting_used_topics_as_a_queryset(used_topic):
    Tag.objects.filter(pk=used_topic.pk).delete()

    assert_topic_gone_articles_kept(used_topic)


def test_removing_a_topic_from_an_article_still_recounts(used_topic):
    Article.objects.get(slug="second").tags.remove(used_topic)

    assert TopicCount.objects.get(tag=used_topic).published == 1
