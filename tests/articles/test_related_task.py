"""Related lists are ranked by the task worker after the editor's save: the
save stays fast, the page is right within seconds, and never wrong meanwhile."""

import pytest
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from articles.related import _Batch, related_refresh_later
from articles.services import article_unpublish
from articles.tasks import rank_related
from tests.factories import ArticleFactory, EditorFactory

from .admin_forms import article_form, change_url

pytestmark = pytest.mark.django_db


def related_html(client, article) -> str:
    page = client.get(article.get_absolute_url()).text
    return page.split('id="related-title"', 1)[1] if "related-title" in page else ""


def related_titles(client, article, candidates) -> list[str]:
    related = related_html(client, article)
    return [a.title for a in candidates if a.title in related]


def committed(capture, make):
    """``make()`` as if in its own committed transaction (tests run in one)."""
    with capture(execute=True):
        return make()


def test_an_editors_save_enqueues_one_ranking_after_the_commit(
    now, db_tasks, django_capture_on_commit_callbacks
):
    article = committed(
        django_capture_on_commit_callbacks,
        lambda: ArticleFactory(title="Salary talks", topics=["pay"]),
    )
    committed(
        django_capture_on_commit_callbacks,
        lambda: ArticleFactory(title="Asking for more", topics=["pay", "cv"]),
    )
    db_tasks.run()
    DBTaskResult.objects.all().delete()
    Article.objects.update(related_ids=[])
    editor = Client()
    editor.force_login(EditorFactory())
    form = article_form(
        title=article.title,
        slug=article.slug,
        author=article.author_id,
        status="published",
        published_at_0="2025-01-01",
        published_at_1="09:00:00",
        tags="pay, cv",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor.post(change_url(article), form)
    assert response.status_code == 302, response.content
    # The article, its topics and its picks each sent signals: one task.
    assert sum(isinstance(callback, _Batch) for callback in callbacks) == 1
    (task,) = db_tasks.rows(rank_related)
    assert article.pk in task.args_kwargs["kwargs"]["article_ids"]
    assert Article.objects.get(pk=article.pk).related_ids == []  # not yet

    db_tasks.run()

    assert Article.objects.get(pk=article.pk).related_ids != []


def test_a_rolled_back_change_enqueues_nothing(
    now, db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                related_refresh_later(article_ids=[41])
                raise RuntimeError("the save failed")
        except RuntimeError:
            pass
        related_refresh_later(article_ids=[42])
    assert len(callbacks) == 1  # only the second one's
    (task,) = db_tasks.rows(rank_related)
    assert task.args_kwargs["kwargs"] == {"article_ids": [42]}


def test_until_the_task_runs_the_page_shows_only_live_articles(
    client, now, db_tasks, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    article = committed(
        capture, lambda: ArticleFactory(title="Salary talks", topics=["pay"])
    )
    withdrawn = committed(
        capture, lambda: ArticleFactory(title="Withdrawn advice", topics=["pay"])
    )
    other = committed(
        capture, lambda: ArticleFactory(title="Writing a CV", topics=["cv"])
    )
    db_tasks.run()
    committed(capture, lambda: rank_related.call(article_ids=[article.pk]))
    assert Article.objects.get(pk=article.pk).related_ids[0] == withdrawn.pk

    def edit():
        article_unpublish(article=withdrawn)
        article.tags.set(["cv"])

    committed(capture, edit)
    # Not ranked again yet: the stored list still starts with the withdrawn
    # article, which the page leaves out.
    assert Article.objects.get(pk=article.pk).related_ids[0] == withdrawn.pk
    assert related_titles(client, article, [withdrawn, other]) == ["Writing a CV"]

    db_tasks.run()

    assert Article.objects.get(pk=article.pk).related_ids == [other.pk]
    assert related_titles(client, article, [withdrawn, other]) == ["Writing a CV"]


def test_a_ranking_that_changes_the_list_refreshes_cached_pages(client, now, settings):
    settings.PAGE_CACHE_SECONDS = 600
    article = ArticleFactory(title="Salary talks", topics=["pay"])
    ArticleFactory(title="Old news", topics=["cv"])
    newer = ArticleFactory(title="Newer news", topics=["pay"])
    Article.objects.filter(pk=article.pk).update(related_ids=[])
    Article.objects.filter(pk=newer.pk).update(status=Article.Status.DRAFT)
    # Stored (topped up with the newest live article), unchanged by updates
    # that send no signal.
    assert "Old news" in related_html(client, article)
    Article.objects.filter(pk=newer.pk).update(status=Article.Status.PUBLISHED)
    assert "Newer news" not in related_html(client, article)

    assert rank_related.call(article_ids=[article.pk]) == "1 ranked, 1 changed"

    assert "Newer news" in related_html(client, article)
    assert rank_related.call(article_ids=[article.pk]) == "1 ranked, 0 changed"
