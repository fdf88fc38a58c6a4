import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="search vectors are PostgreSQL's"
    ),
]

BEFORE = [("articles", "0001_initial")]
AFTER = [("articles", "0002_discovery_search")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_fills_search_vectors_of_existing_articles_and_reverses():
    apps = migrate(BEFORE)
    try:
        Author = apps.get_model("articles", "Author")
        Article = apps.get_model("articles", "Article")
        author = Author.objects.create(name="Ada", slug="ada")
        Article.objects.create(
            title="Interview nerves", slug="nerves", author=author, body="Breathe."
        )

        apps = migrate(AFTER)
        Article = apps.get_model("articles", "Article")
        vector = Article.objects.values_list("search_vector", flat=True).get()
        assert "'interview':1A" in vector
        assert "'breath':3C" in vector

        # Backwards drops the column again, without error.
        migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_fills_rank_vectors_of_existing_articles_and_reverses():
    before = [("articles", "0011_merge_editors_desk_and_precomputed_lists")]
    apps = migrate(before)
    try:
        Author = apps.get_model("articles", "Author")
        Article = apps.get_model("articles", "Article")
        author = Author.objects.create(name="Ada", slug="ada")
        Article.objects.create(
            title="Interview nerves",
            slug="nerves",
            author=author,
            excerpt="Calm down.",
            body="Breathe.",
        )

        apps = migrate([("articles", "0012_article_rank_vector")])
        Article = apps.get_model("articles", "Article")
        vector = Article.objects.values_list("rank_vector", flat=True).get()
        # Title and excerpt only: the body is matched, never ranked.
        assert "'interview':1A" in vector
        assert "'calm':3B" in vector
        assert "breath" not in vector

        migrate(before)
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())
