"""The editor's desk offers what the user may do (review items 7 and 9a)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from desk import versions
from tests.articles.admin_forms import change_url
from tests.articles.test_editor_desk import (
    form_of,
    restore_url,
    save_edits,
    versions_url,
)
from tests.factories import (
    NOW,
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [ArticleFactory, ScheduledArticleFactory])
def test_writer_sees_no_submit_button_on_their_published_article(
    writer_client, writer, now, factory
):
    own = factory(author=writer.author)

    page = writer_client.get(change_url(own))

    assert page.status_code == 200  # their article, read-only
    assert 'name="_submit_review"' not in page.text
    # The button would have answered this:
    submitted = writer_client.post(change_url(own), form_of(own, _submit_review="1"))
    assert submitted.status_code == 403


def test_writer_still_submits_their_own_draft(writer_client, writer, now):
    own = DraftArticleFactory(author=writer.author)

    page = writer_client.get(change_url(own))

    assert 'name="_submit_review"' in page.text
    submitted = writer_client.post(change_url(own), form_of(own, _submit_review="1"))
    assert submitted.status_code == 302


# -- Restoring a version into an article readers see (item 7) ----------------------


def publish_date_kept(article) -> dict:
    """The publish date fields as the change form shows them (local time)."""
    if article.published_at is None:
        return {}
    local = timezone.localtime(article.published_at)
    return {
        "published_at_0": local.date().isoformat(),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def live_article_with_two_versions(editor_client, factory=ArticleFactory, **fields):
    article = factory(title="Old title", body="Keep this.\nOld line.", **fields)
    edits = {"title": "New title", "body": "Keep this.\nNew line."}
    saved = save_edits(editor_client, article, **edits, **publish_date_kept(article))
    assert saved.status_code == 302
    old = versions.versions_of(article).last()
    token = editor_client.get(versions_url(article)).context["edit_token"]
    return article, old, token


@pytest.mark.parametrize("factory", [ArticleFactory, ScheduledArticleFactory])
def test_restoring_into_a_live_article_asks_first_and_changes_nothing(
    editor_client, now, factory
):
    article, old, token = live_article_with_two_versions(editor_client, factory)
    assert "Restore…" in editor_client.get(versions_url(article)).text

    page = editor_client.post(restore_url(article, old), {"edit_token": token})

    assert page.status_code == 200
    assert "Readers" in page.text and "as soon as you confirm" in page.text
    assert "<del>New title</del> → <ins>Old title</ins>" in page.text
    assert 'name="confirm" value="yes"' in page.text
    article.refresh_from_db()
    assert (article.title, article.body) == ("New title", "Keep this.\nNew line.")


def test_live_article_says_readers_see_it_at_once(editor_client, now):
    article, old, token = live_article_with_two_versions(editor_client)

    page = editor_client.post(restore_url(article, old), {"edit_token": token})

    assert "Readers see the version of" in page.text
    assert "on the live page as soon as you confirm" in page.text


def test_scheduled_article_says_when_readers_will_see_it(editor_client, now):
    article, old, token = live_article_with_two_versions(
        editor_client, ScheduledArticleFactory, published_at=NOW + timedelta(days=7)
    )

    page = editor_client.post(restore_url(article, old), {"edit_token": token})

    assert "Readers will see the version of" in page.text
    assert "when the article goes live, Monday 22 June 2026, 13:00 BST" in page.text


def test_confirmed_restore_puts_the_version_back_on_the_live_page(
    editor_client, client, now
):
    article, old, token = live_article_with_two_versions(editor_client)
    confirmation = editor_client.post(restore_url(article, old), {"edit_token": token})

    answer = editor_client.post(
        restore_url(article, old),
        {"edit_token": confirmation.context["edit_token"], "confirm": "yes"},
    )

    assert answer.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("Old title", "Keep this.\nOld line.")
    assert "Old line." in client.get(article.get_absolute_url()).text


def test_confirmation_is_refused_when_someone_saved_in_between(editor_client):
    with time_machine.travel(NOW, tick=False):
        article, old, token = live_article_with_two_versions(editor_client)
        editor_client.post(restore_url(article, old), {"edit_token": token})
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        kept = publish_date_kept(article)
        save_edits(editor_client, article, body="Newer text.", **kept)

        editor_client.post(
            restore_url(article, old), {"edit_token": token, "confirm": "yes"}
        )

    article.refresh_from_db()
    assert article.body == "Newer text."


def test_draft_is_still_restored_in_one_click(editor_client, now):
    article, old, token = live_article_with_two_versions(
        editor_client, DraftArticleFactory
    )
    assert "Restore…" not in editor_client.get(versions_url(article)).text

    answer = editor_client.post(restore_url(article, old), {"edit_token": token})

    assert answer.status_code == 302
    article.refresh_from_db()
    assert article.body == "Keep this.\nOld line."
