"""Finding 3: a writer learns nothing about articles they may not view.

Someone else's draft must look, everywhere in the admin, exactly like an
article that does not exist: previews, the change form, "Read more" checks
and summaries, messages, the related-articles picker and forged POSTs.
"""

import re

import pytest
from django.urls import reverse

from articles.models import Article
from articles.services import article_write
from tests.articles.admin_forms import article_form, change_url
from tests.factories import ArticleFactory, DraftArticleFactory
from tests.hostile.conftest import SECRET_SLUG, SECRET_TITLE, valid_values
from tests.hostile.urls import admin_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_draft(site):
    return DraftArticleFactory(
        title="Wanda's own draft", slug="wandas-draft", author=site.writer.author
    )


@pytest.fixture
def missing_id(site):
    return Article.objects.order_by("-pk").first().pk + 1000


def errors_of(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def post_body(writer_client, draft, body, **fields):
    return writer_client.post(
        change_url(draft),
        article_form(title=draft.title, slug=draft.slug, body=body, **fields),
        follow=True,
    )


def test_read_more_to_another_writers_draft_is_refused_like_a_missing_article(
    writer_client, site, own_draft, missing_id
):
    hidden = post_body(writer_client, own_draft, f"[[read-more:{site.secret.pk}]]\n")
    missing = post_body(writer_client, own_draft, f"[[read-more:{missing_id}]]\n")

    assert hidden.status_code == missing.status_code == 200
    assert errors_of(hidden) == errors_of(missing).replace(
        str(missing_id), str(site.secret.pk)
    )
    assert "No article matches" in errors_of(hidden)
    assert SECRET_TITLE not in hidden.text


@pytest.mark.parametrize("renamed", [False, True], ids=["slug", "former-slug"])
def test_read_more_by_slug_does_not_confirm_that_a_draft_exists(
    writer_client, site, own_draft, renamed
):
    slug = SECRET_SLUG
    if renamed:
        site.secret.slug = "zebra-renamed"
        article_write(article=site.secret)
    hidden = post_body(writer_client, own_draft, f"[[read-more:{slug}]]\n")
    missing = post_body(writer_client, own_draft, "[[read-more:no-such-slug]]\n")

    assert errors_of(hidden) == errors_of(missing).replace("no-such-slug", slug)
    assert SECRET_TITLE not in hidden.text
    own_draft.refresh_from_db()
    assert "read-more" not in own_draft.body


def test_a_reference_to_a_hidden_draft_shows_nothing_in_preview_or_form(
    writer_client, site, own_draft, missing_id
):
    """An editor may have put one in the writer's draft: it stays hidden."""
    own_draft.body = (
        f"Intro.\n\n[[read-more:{site.secret.pk}]]\n\n[[read-more:{missing_id}]]\n"
    )
    article_write(article=own_draft)

    preview = writer_client.get(
        reverse("admin:articles_article_preview", args=[own_draft.pk])
    )
    form = writer_client.get(change_url(own_draft))

    assert preview.status_code == form.status_code == 200
    assert SECRET_TITLE not in preview.text
    assert "Read more" not in preview.text
    assert SECRET_TITLE not in form.text
    summary = re.search(r'<ul class="read-more-summary">(.*?)</ul>', form.text, re.S)[1]
    rows = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert rows[0].replace(str(site.secret.pk), "ID") == rows[1].replace(
        str(missing_id), "ID"
    )


def test_an_editor_sees_the_same_reference_with_its_title(site, own_draft):
    from django.test import Client

    from tests.factories import EditorFactory

    own_draft.body = f"Intro.\n\n[[read-more:{site.secret.pk}]]\n"
    article_write(article=own_draft)
    editor = Client()
    editor.force_login(EditorFactory(username="edna"))
    assert SECRET_TITLE in editor.get(change_url(own_draft)).text


def test_related_picker_offers_no_hidden_draft(writer_client, site, own_draft):
    url = reverse("admin:autocomplete")
    query = {
        "app_label": "articles",
        "model_name": "article",
        "field_name": "related",
    }
    hidden = writer_client.get(url, {**query, "term": "Zebra"}).json()
    shown = writer_client.get(url, {**query, "term": "advice"}).json()

    assert hidden["results"] == []
    assert [r["text"] for r in shown["results"]] == [site.live.title]
    assert SECRET_TITLE not in writer_client.get(url, {**query, "term": ""}).text


def test_forged_related_post_is_refused_like_a_missing_article(
    writer_client, site, own_draft, missing_id
):
    hidden = post_body(
        writer_client, own_draft, "Text.\n", related=[str(site.secret.pk)]
    )
    missing = post_body(writer_client, own_draft, "Text.\n", related=[str(missing_id)])

    assert errors_of(hidden) == errors_of(missing).replace(
        str(missing_id), str(site.secret.pk)
    )
    assert "not one of the available choices" in errors_of(hidden)
    assert SECRET_TITLE not in hidden.text
    assert not own_draft.related.exists()


def test_a_hidden_related_article_an_editor_picked_survives_a_writers_save(
    writer_client, site, own_draft
):
    own_draft.related.add(site.secret)
    form = writer_client.get(change_url(own_draft))
    assert SECRET_TITLE not in form.text

    saved = post_body(writer_client, own_draft, "New text.\n", related=[site.live.pk])

    assert saved.redirect_chain  # saved
    assert set(own_draft.related.all()) == {site.secret, site.live}


def test_topic_suggestions_and_filters_leave_out_topics_of_hidden_drafts(
    writer_client, site, own_draft
):
    suggestions = writer_client.get(
        reverse("admin:articles_article_topics"), {"q": "zebra"}
    ).json()
    listing = writer_client.get(reverse("admin:articles_article_changelist"))

    assert suggestions == {"results": []}
    assert "Zebra topic" not in listing.text
    assert (
        "Pay"
        in writer_client.get(reverse("admin:articles_article_topics"), {"q": "pa"}).text
    )


@pytest.mark.parametrize(
    "pattern", [p for p in admin_patterns() if p.params], ids=lambda p: p.name or ""
)
def test_every_admin_page_treats_a_hidden_draft_like_a_missing_article(
    writer_client, site, missing_id, pattern
):
    valid = valid_values(pattern, site)
    for name in pattern.params:
        if name not in {"object_id", "id", "pk", "url"}:
            continue
        secret_value = (
            site.secret.pk if name != "url" else f"articles/article/{site.secret.pk}/"
        )
        missing_value = (
            missing_id if name != "url" else f"articles/article/{missing_id}/"
        )
        hidden = writer_client.get(pattern.path({**valid, name: secret_value}))
        missing = writer_client.get(pattern.path({**valid, name: missing_value}))
        assert SECRET_TITLE not in hidden.content.decode(errors="replace")
        if pattern.model is Article or name == "url":
            assert hidden.status_code == missing.status_code, pattern.path(valid)


@pytest.mark.parametrize(
    "pattern", [p for p in admin_patterns() if not p.params], ids=lambda p: p.name or ""
)
def test_no_admin_list_or_search_shows_a_hidden_draft_to_a_writer(
    writer_client, site, pattern
):
    ArticleFactory(title="Another live one")
    for query in ({}, {"q": "Zebra"}, {"term": "Zebra"}, {"topic": "zebra-topic"}):
        response = writer_client.get(pattern.path(), query)
        assert response.status_code < 500
        assert SECRET_TITLE not in response.content.decode(errors="replace")
        assert "Zebra topic" not in response.content.decode(errors="replace")
