"""Topics on the article form: writers choose existing ones, editors confirm
new ones; the admin calls them topics everywhere."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from tests.articles.admin_forms import add_url, article_form
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def errors_of(response) -> str:
    return " ".join(response.context["adminform"].form.errors.get("tags", []))


def test_writer_chooses_existing_topics(writer_client, writer):
    Tag.objects.create(name="Interviews", slug="interviews")

    response = writer_client.post(add_url(), article_form(tags="interviews"))

    assert response.status_code == 302
    assert list(Article.objects.get().tags.names()) == ["Interviews"]


def test_writer_cannot_create_a_topic_even_when_ticking_the_box(writer_client, writer):
    Tag.objects.create(name="Interviews", slug="interviews")

    response = writer_client.post(
        add_url(),
        article_form(tags="Interviews, Intervews, Salary", create_topics="on"),
    )

    assert response.status_code == 200
    assert "Not an existing topic: “Intervews”, “Salary”" in errors_of(response)
    assert "Create new topics" not in response.text
    assert not Article.objects.exists()
    assert list(Tag.objects.values_list("name", flat=True)) == ["Interviews"]
    # Nothing typed is lost.
    assert "Interviews, Intervews, Salary" in response.text


def test_editor_is_asked_to_confirm_a_new_topic(editor_client, author):
    response = editor_client.post(
        add_url(), article_form(author=author.pk, tags="Salary")
    )

    assert response.status_code == 200
    assert "New topic, not created yet: “Salary”" in errors_of(response)
    assert "Create new topics" in response.text
    assert not Tag.objects.exists()


def test_editor_creates_a_topic_after_confirming(editor_client, author):
    response = editor_client.post(
        add_url(), article_form(author=author.pk, tags="Salary", create_topics="on")
    )

    assert response.status_code == 302
    assert list(Article.objects.get().tags.names()) == ["Salary"]


def test_admin_calls_them_topics_not_tags(editor_client):
    ArticleFactory(topics=["interviews"])

    index = editor_client.get(reverse("admin:index")).text
    listing = editor_client.get(reverse("admin:articles_topic_changelist")).text

    assert "Topics" in index
    assert ">Tags<" not in index and "Taggit" not in index
    assert "Select topic to change" in listing
    assert "Merge selected topics" in listing
    assert "Tags" not in listing and " tag" not in listing
