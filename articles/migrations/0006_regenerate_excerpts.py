"""Regenerate stored excerpts with the sentence-aware cut (articles/rendering.py).

Only the generated ``auto_excerpt`` changes; editors' own excerpts are kept.
Going back leaves the new excerpts, which the old code reads just as well.
"""

from django.db import migrations

from articles import rendering


def regenerate_excerpts(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias).only(
        "body_html", "auto_excerpt"
    )
    changed = []
    for article in articles.iterator(chunk_size=500):
        excerpt = rendering.cut_excerpt(rendering.excerpt_text(article.body_html), 200)
        if excerpt != article.auto_excerpt:
            article.auto_excerpt = excerpt
            changed.append(article)
    Article.objects.using(schema_editor.connection.alias).bulk_update(
        changed, ["auto_excerpt"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_topic_descriptions"),
    ]

    operations = [
        migrations.RunPython(regenerate_excerpts, migrations.RunPython.noop),
    ]
