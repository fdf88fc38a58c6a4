import django.contrib.postgres.search
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def fill_rank_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Article = apps.get_model("articles", "Article")
    # The same weights as articles.search.article_rank_vector, frozen here.
    Article.objects.using(schema_editor.connection.alias).update(
        rank_vector=(
            SearchVector("title", weight="A", config="english")
            + SearchVector("excerpt", weight="B", config="english")
        )
    )


def empty_rank_vectors(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.using(schema_editor.connection.alias).update(rank_vector=None)


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_merge_editors_desk_and_precomputed_lists")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.RunPython(fill_rank_vectors, empty_rank_vectors),
    ]
