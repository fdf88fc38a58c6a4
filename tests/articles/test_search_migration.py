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
