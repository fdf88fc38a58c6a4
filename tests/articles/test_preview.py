"""The editors' preview: the reader's page for any state, private and uncached."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_forms import change_url, changelist_url
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


@pytest.fixture
def draft():
    return ArticleFactory(
        title="Salary talks, unpublished",
        body="## Ask for the range\n\nBefore anything else.\n",
        status=Article.Status.DRAFT,
        published_at=None,
        topics=["Salary"],
    )


def test_preview_shows_a_draft_as_readers_will_see_it(editor_client, draft):
    response = editor_client.get(preview_url(draft))

    assert response.status_code == 200
    assert response.templates[0].name == "articles/article_detail.html"
    assert '<h1 class="article__title">Salary talks, unpublished</h1>' in response.text
    assert "<h2>Ask for the range</h2>" in response.text
    assert draft.author.get_absolute_url() in response.text
    assert "State: <strong>Draft</strong>" in response.text
    # Readers get nothing for it yet.
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_preview_is_never_cached_nor_indexed(editor_client, draft):
    response = editor_client.get(preview_url(draft))

    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private"):
        assert directive in cache_control
    assert "public" not in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text


def test_preview_of_a_scheduled_article_says_when_it_goes_live(editor_client, now):
    scheduled = ArticleFactory(published_at=now + timedelta(days=5))

    response = editor_client.get(preview_url(scheduled))

    assert "State: <strong>Scheduled</strong>" in response.text
    assert "publish date 20 Jun 2026, 13:00 BST" in response.text


def test_preview_shows_unpublished_read_more_targets_as_plain_text(editor_client):
    target = ArticleFactory(
        title="Pending piece", status=Article.Status.DRAFT, published_at=None
    )
    article = ArticleFactory(body=f"Intro.\n\n[[read-more:{target.pk}]]\n")

    preview = editor_client.get(preview_url(article))
    public = Client().get(article.get_absolute_url())

    assert "Pending piece" in preview.text
    assert target.get_absolute_url() not in preview.text
    assert "Pending piece" not in public.text


def test_preview_is_linked_from_the_edit_page_and_the_list(editor_client, draft):
    url = preview_url(draft)

    change_page = editor_client.get(change_url(draft))
    listing = editor_client.get(changelist_url())

    assert f'<a href="{url}" class="previewlink" target="_blank"' in change_page.text
    assert (
        f'<a class="preview-link" href="{url}" target="_blank" rel="noopener">'
        "Preview</a>"
    ) in listing.text


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    response = client.get(preview_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_article_permissions_get_403(draft):
    client = Client()
    client.force_login(UserFactory(username="staff-only", is_staff=True))

    assert client.get(preview_url(draft)).status_code == 403


def test_writer_previews_own_draft_but_not_someone_elses(writer, writer_client, draft):
    own = ArticleFactory(
        author=writer.author, status=Article.Status.DRAFT, published_at=None
    )

    assert writer_client.get(preview_url(own)).status_code == 200
    # Someone else's draft is, to a writer, an article that does not exist.
    assert writer_client.get(preview_url(draft)).status_code == 404


def test_preview_of_a_missing_article_is_404(editor_client):
    response = editor_client.get(
        reverse("admin:articles_article_preview", args=[999999])
    )

    assert response.status_code == 404
