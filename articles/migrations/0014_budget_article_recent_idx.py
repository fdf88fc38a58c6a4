"""Indexes that keep search cheap at 100,000 articles (issue 25): the newest
title and excerpt matches found in an index alone, and a GIN index on the
small vector for words in few titles."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class AddIndexOnPostgres(migrations.AddIndex):
    """A GIN index exists only on PostgreSQL; SQLite keeps it in state only
    (copied from 0002_discovery_search: migrations freeze what they use)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            # A later rebuild of the table on SQLite recreates every index of
            # the state, this one as a plain index: drop it when going back.
            name = schema_editor.quote_name(self.index.name)
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_editors_see_the_task_queue"),
    ]

    operations = [
        AddIndexOnPostgres(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["rank_vector"], name="article_budget_rank_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["-published_at", "-id"],
                include=("status", "rank_vector"),
                name="article_budget_recent_idx",
            ),
        ),
    ]
