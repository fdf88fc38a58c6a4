"""'Read more' references as editors see them: text as typed, what links here,
the warning before unpublishing a linked article, and the data migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.articles.admin_forms import change_url
from tests.factories import ArticleFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db


def test_what_links_here_lists_read_more_and_related_articles(editor_client):
    target = ArticleFactory(slug="target", title="Target")
    ArticleFactory(title="Reads more", body="Intro.\n\n[[read-more:target]]\n")
    picker = ArticleFactory(title="Picks it")
    picker.related.add(target)
    DraftArticleFactory(title="Draft pointer", body="[[read-more:target]]\n")
    ArticleFactory(title="Unrelated")

    page = editor_client.get(change_url(target)).text

    section = page[page.index("What links here") :]
    assert "Reads more" in section
    assert "Picks it" in section
    assert "Draft pointer" in section
    assert "Unrelated" not in section


def test_what_links_here_hides_other_writers_drafts_from_a_writer(
    writer_client, writer, other_writer
):
    own = DraftArticleFactory(author=writer.author, slug="mine", title="Mine")
    ArticleFactory(title="Live pointer", body="[[read-more:mine]]\n")
    DraftArticleFactory(
        author=other_writer.author, title="Secret draft", body="[[read-more:mine]]\n"
    )

    page = writer_client.get(change_url(own)).text

    assert "Live pointer" in page
    assert "Secret draft" not in page


def test_unpublishing_warns_about_live_articles_that_link_to_it(editor_client):
    target = ArticleFactory(slug="target")
    ArticleFactory(title="Live pointer", body="[[read-more:target]]\n")
    DraftArticleFactory(title="Draft pointer", body="[[read-more:target]]\n")
    url = reverse("admin:articles_article_publish", args=[target.pk])

    page = editor_client.get(url, {"action": "unpublish"}).text

    assert "1 live article(s) link to it: “Live pointer”" in page
    assert "Draft pointer" not in page


def test_unpublishing_an_unlinked_article_has_no_warning(editor_client):
    target = ArticleFactory()
    url = reverse("admin:articles_article_publish", args=[target.pk])

    page = editor_client.get(url, {"action": "unpublish"}).text

    assert "link to it" not in page


def test_edit_page_shows_the_references_as_typed(editor_client):
    ArticleFactory(slug="target", title="Target title")
    article = ArticleFactory(body="[[read-more:target]]\n")

    page = editor_client.get(change_url(article)).text

    assert "<code>[[read-more:target]]</code> → Target title" in page


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


BEFORE = [("articles", "0007_review_request")]
AFTER = [("articles", "0008_read_more_references")]


@pytest.mark.django_db(transaction=True)
def test_migration_gives_back_slugs_and_stores_ids_and_reverses():
    apps = migrate(BEFORE)
    try:
        Author = apps.get_model("articles", "Author")
        Article = apps.get_model("articles", "Article")
        author = Author.objects.create(name="Ada", slug="ada")
        target = Article.objects.create(
            title="Target", slug="target", author=author, body="Hi."
        )
        old_body = f"Intro.\n\n[[read-more:{target.pk}]]\n\n[[read-more:999999]]\n"
        source = Article.objects.create(
            title="Source", slug="source", author=author, body=old_body
        )

        apps = migrate(AFTER)
        Article = apps.get_model("articles", "Article")
        source = Article.objects.get(pk=source.pk)
        assert source.body == "Intro.\n\n[[read-more:target]]\n\n[[read-more:999999]]\n"
        assert source.read_more_refs == {"target": target.pk}
        assert list(source.reads_more.values_list("pk", flat=True)) == [target.pk]

        apps = migrate(BEFORE)
        Article = apps.get_model("articles", "Article")
        assert Article.objects.get(pk=source.pk).body == old_body
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())
