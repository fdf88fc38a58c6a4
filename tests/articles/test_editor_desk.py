"""The editor's desk: live preview, autosave, versions, restore, edit conflicts."""

import re

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from desk import versions
from tests.articles.admin_forms import article_form, change_url
from tests.factories import NOW, ArticleFactory, DraftArticleFactory, EditorFactory

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("admin:articles_article_live_preview")


def autosave_url(article):
    return reverse("admin:articles_article_autosave", args=[article.pk])


def versions_url(article):
    return reverse("admin:articles_article_versions", args=[article.pk])


def restore_url(article, version):
    return reverse("admin:articles_article_restore", args=[article.pk, version.pk])


def token_in(response) -> str:
    """The edit token the change form carries, as the browser will post it."""
    match = re.search(r'name="edit_token" value="(\d+)"', response.text)
    assert match, "the change form carries an edit token"
    return match.group(1)


def form_of(article, **overrides):
    """The change form of ``article`` as a browser posts it, edits applied."""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "author": article.author_id,
        "tags": "",
    }
    return article_form(**{**fields, **overrides})


def save_edits(client, article, **edits):
    """Open the article's change form and save it with ``edits``, as an
    editor does (the form's own edit token included)."""
    page = client.get(change_url(article))
    return client.post(
        change_url(article), form_of(article, edit_token=token_in(page), **edits)
    )


def bodies(article) -> list[str]:
    return [version.field_dict["body"] for version in versions.versions_of(article)]


# -- Live preview ------------------------------------------------------------------


def test_preview_renders_the_body_as_readers_get_it(editor_client):
    cited = ArticleFactory(title="Asking for feedback", slug="asking-for-feedback")

    answer = editor_client.post(
        PREVIEW_URL,
        {
            "body": "## Start\n\nBe *brief*.\n\n[[read-more:asking-for-feedback]]\n"
            "\n<script>alert(1)</script>\n"
        },
    )

    assert answer.status_code == 200
    data = answer.json()
    assert "<h2>Start</h2>" in data["html"]
    assert "<em>brief</em>" in data["html"]
    assert "<script" not in data["html"]
    assert (
        f'<a href="{cited.get_absolute_url()}">Asking for feedback</a>' in data["html"]
    )
    assert data["words"] == 3  # "Start Be brief": the Read more line is not text
    assert data["minutes"] == 1
    assert data["missing"] == []
    assert "no-cache" in answer["Cache-Control"]


def test_preview_counts_words_and_reading_time(editor_client):
    answer = editor_client.post(PREVIEW_URL, {"body": "word " * 700}).json()

    assert answer["words"] == 700
    assert answer["minutes"] == 4  # 700 / 230 words a minute, rounded up


def test_writer_preview_does_not_reveal_someone_elses_draft(
    writer_client, editor_client
):
    DraftArticleFactory(title="Secret plans", slug="secret-plans")
    body = {"body": "Text.\n\n[[read-more:secret-plans]]"}

    as_writer = writer_client.post(PREVIEW_URL, body).json()
    as_editor = editor_client.post(PREVIEW_URL, body).json()

    assert "Secret plans" not in as_writer["html"]
    assert as_writer["missing"] == ["secret-plans"]
    # An editor may see every draft: its title, marked as not published yet.
    assert "Secret plans" in as_editor["html"]
    assert "not published yet" in as_editor["html"]
    assert as_editor["missing"] == []


def test_preview_refuses_bad_requests(editor_client, client):
    assert editor_client.get(PREVIEW_URL).status_code == 405
    assert editor_client.post(PREVIEW_URL, {}).status_code == 400
    too_long = editor_client.post(PREVIEW_URL, {"body": "x" * 100_001})
    assert too_long.status_code == 413
    assert "too long" in too_long.json()["error"]
    # Anonymous visitors go to the login page.
    assert client.post(PREVIEW_URL, {"body": "x"}).status_code == 302


def test_preview_needs_the_csrf_token(editor):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    assert browser.post(PREVIEW_URL, {"body": "Hello"}).status_code == 403


def test_preview_is_for_people_who_write(client):
    visitor = EditorFactory(username="viewer-only")
    visitor.groups.clear()  # staff, but may neither add nor change articles
    client.force_login(visitor)

    assert client.post(PREVIEW_URL, {"body": "Hello"}).status_code == 403


# -- Versions ------------------------------------------------------------------------


def test_every_save_keeps_a_version(editor_client, author):
    article = DraftArticleFactory(author=author, body="First text.")
    save_edits(editor_client, article, body="Second text.")
    save_edits(editor_client, article, body="Third text.")

    # The text from before the first edit is kept too.
    assert bodies(article) == ["Third text.", "Second text.", "First text."]
    latest = versions.versions_of(article).first()
    assert latest.revision.user.username == "edna"
    assert latest.revision.comment == "Saved (changed the body)"


def test_a_text_sent_back_untouched_is_not_noted_as_changed(editor_client, author):
    """Browsers send CRLF line endings: the same text is not a change."""
    article = DraftArticleFactory(author=author, body="Line one.\n\nLine two.")
    save_edits(
        editor_client, article, title="A new title", body="Line one.\r\n\r\nLine two."
    )

    latest = versions.versions_of(article).first()
    assert latest.revision.comment == "Saved (changed the title)"
    assert Article.objects.get().body == "Line one.\n\nLine two."


def test_a_save_that_leaves_the_text_as_it_was_keeps_no_version(editor_client, author):
    article = DraftArticleFactory(author=author, body="First text.")
    save_edits(editor_client, article, body="Second text.")

    # A new topic only: the text is the last version's.
    response = save_edits(
        editor_client, article, body="Second text.", tags="Pay", create_topics="on"
    )

    assert response.status_code == 302
    assert Article.objects.get().tags.get().name == "Pay"
    assert bodies(article) == ["Second text.", "First text."]


def test_an_autosave_of_unchanged_text_keeps_the_last_version(editor_client, author):
    article = DraftArticleFactory(author=author, body="Start.")
    token = token_in(editor_client.get(change_url(article)))
    for text in ["Typed.", "Typed."]:
        token = editor_client.post(
            autosave_url(article),
            {"title": article.title, "body": text, "edit_token": token},
        ).json()["edit_token"]

    assert bodies(article) == ["Typed.", "Start."]


def test_versions_page_compares_two_versions(editor_client, author):
    article = DraftArticleFactory(author=author, body="Keep this.\nOld line.")
    save_edits(editor_client, article, body="Keep this.\nNew line.")

    page = editor_client.get(versions_url(article))

    assert page.status_code == 200
    lines = page.context["comparison"]["lines"]
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "Keep this."),
        ("removed", "Old line."),
        ("added", "New line."),
    ]
    assert "<mark>New</mark>" in page.text
    assert "<mark>Old</mark>" in page.text


def test_restoring_a_version_is_itself_a_new_version(editor_client, author):
    article = DraftArticleFactory(author=author, title="Old title", body="Old text.")
    save_edits(editor_client, article, title="New title", body="New text.")
    old = versions.versions_of(article).last()
    token = editor_client.get(versions_url(article)).context["edit_token"]

    answer = editor_client.post(restore_url(article, old), {"edit_token": token})

    assert answer.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("Old title", "Old text.")
    assert "Old text." in article.body_html
    assert bodies(article) == ["Old text.", "New text.", "Old text."]
    assert (
        versions.versions_of(article)
        .first()
        .revision.comment.startswith("Restored the version of")
    )


def test_restore_is_refused_when_the_article_changed_since(editor_client, author):
    article = DraftArticleFactory(author=author, body="Old text.")
    save_edits(editor_client, article, body="New text.")
    stale = editor_client.get(versions_url(article)).context["edit_token"]
    save_edits(editor_client, article, body="Newer text.")

    old = versions.versions_of(article).last()
    editor_client.post(restore_url(article, old), {"edit_token": stale})

    article.refresh_from_db()
    assert article.body == "Newer text."


def test_writer_cannot_restore_someone_elses_article(
    writer_client, editor_client, author
):
    article = DraftArticleFactory(author=author, body="Old text.")
    save_edits(editor_client, article, body="New text.")
    old = versions.versions_of(article).last()

    assert writer_client.get(versions_url(article)).status_code == 404
    answer = writer_client.post(restore_url(article, old), {"edit_token": "0"})
    assert answer.status_code == 404
    article.refresh_from_db()
    assert article.body == "New text."


# -- Two people editing one article ------------------------------------------------


def test_second_save_is_refused_and_both_texts_are_kept(
    editor_client, author, django_user_model
):
    article = DraftArticleFactory(author=author, body="The first draft.")
    other = EditorFactory(username="bea", first_name="Bea", last_name="Editor")
    from django.test import Client

    bea = Client()
    bea.force_login(other)
    mine = token_in(editor_client.get(change_url(article)))
    theirs = token_in(bea.get(change_url(article)))

    saved = bea.post(
        change_url(article), form_of(article, body="Bea's text.", edit_token=theirs)
    )
    refused = editor_client.post(
        change_url(article), form_of(article, body="Edna's text.", edit_token=mine)
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    article.refresh_from_db()
    assert article.body == "Bea's text."
    assert "Bea Editor saved this article at" in refused.text
    # Edna's text is shown back in the form, and Bea's beside it.
    assert "Edna&#x27;s text." in refused.text
    assert "Bea&#x27;s text." in refused.text
    # Both are kept as versions.
    assert bodies(article)[:2] == ["Edna's text.", "Bea's text."]
    assert (
        versions.versions_of(article).first().revision.comment.startswith("Not saved")
    )
    # Saving again, knowingly, goes through.
    again = editor_client.post(
        change_url(article),
        form_of(article, body="Both texts.", edit_token=token_in(refused)),
    )
    assert again.status_code == 302
    article.refresh_from_db()
    assert article.body == "Both texts."


def test_own_autosave_in_flight_does_not_block_a_save(editor_client, author):
    article = DraftArticleFactory(author=author, body="Start.")
    token = token_in(editor_client.get(change_url(article)))
    # The autosave answered after the form was sent: the form's token is old.
    editor_client.post(
        autosave_url(article),
        {"title": article.title, "body": "Autosaved.", "edit_token": token},
    )

    saved = editor_client.post(
        change_url(article), form_of(article, body="Saved.", edit_token=token)
    )

    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.body == "Saved."


# -- Autosave --------------------------------------------------------------------


def test_autosave_saves_a_draft_and_returns_the_new_token(editor_client, author):
    article = DraftArticleFactory(author=author, body="Start.")
    token = token_in(editor_client.get(change_url(article)))

    with time_machine.travel(NOW, tick=False):
        answer = editor_client.post(
            autosave_url(article),
            {"title": "Better title", "body": "Typed so far.", "edit_token": token},
        )

    assert answer.status_code == 200
    article.refresh_from_db()
    assert (article.title, article.body) == ("Better title", "Typed so far.")
    assert answer.json()["edit_token"] == versions.edit_token(article.modified_at)
    assert answer.json()["saved_at"] == "15 Jun 2026, 13:00 BST"


def test_autosaves_in_a_row_keep_one_version(editor_client, author):
    article = DraftArticleFactory(author=author, body="Start.")
    token = token_in(editor_client.get(change_url(article)))
    for text in ["One.", "One two.", "One two three."]:
        token = editor_client.post(
            autosave_url(article),
            {"title": article.title, "body": text, "edit_token": token},
        ).json()["edit_token"]

    assert bodies(article) == ["One two three.", "Start."]


def test_autosave_never_overwrites_a_newer_version(editor_client, author):
    article = DraftArticleFactory(author=author, body="Start.")
    stale = token_in(editor_client.get(change_url(article)))
    other = EditorFactory(username="bea")
    from django.test import Client

    bea = Client()
    bea.force_login(other)
    bea.post(
        change_url(article),
        form_of(
            article,
            body="Bea's text.",
            edit_token=token_in(bea.get(change_url(article))),
        ),
    )

    answer = editor_client.post(
        autosave_url(article),
        {"title": article.title, "body": "Edna typing.", "edit_token": stale},
    )

    assert answer.status_code == 409
    assert answer.json()["conflict"] is True
    assert "bea saved a newer version" in answer.json()["error"]
    article.refresh_from_db()
    assert article.body == "Bea's text."


def test_autosave_is_off_for_live_articles(editor_client, author):
    article = ArticleFactory(author=author, body="Live text.")
    token = token_in(editor_client.get(change_url(article)))

    answer = editor_client.post(
        autosave_url(article),
        {"title": article.title, "body": "Half-written.", "edit_token": token},
    )

    assert answer.status_code == 409
    article.refresh_from_db()
    assert article.body == "Live text."


def test_autosave_refuses_bad_input_and_other_peoples_drafts(
    editor_client, writer_client, author
):
    article = DraftArticleFactory(author=author, body="Start.")
    token = versions.edit_token(article.modified_at)

    assert editor_client.get(autosave_url(article)).status_code == 405
    assert (
        editor_client.post(
            autosave_url(article), {"title": "", "body": "x", "edit_token": token}
        ).status_code
        == 400
    )
    assert (
        editor_client.post(
            autosave_url(article),
            {"title": "T", "body": "x" * 100_001, "edit_token": token},
        ).status_code
        == 413
    )
    # Someone else's draft is, to a writer, not found.
    assert (
        writer_client.post(
            autosave_url(article), {"title": "T", "body": "x", "edit_token": token}
        ).status_code
        == 404
    )
    article.refresh_from_db()
    assert article.body == "Start."
    assert Article.objects.count() == 1
