"""Regenerate stored excerpts with the sentence-aware cut (articles/rendering.py).

Only the generated ``auto_excerpt`` changes; editors' own excerpts are kept.
Going back leaves the new excerpts, which the old code reads just as well.
"""

import html
import re

import nh3
from django.db import migrations

# A frozen copy of the excerpt rules this migration ran from
# articles/rendering.py: a later change there must not change what it does.
READ_MORE_TOKEN = re.compile(r"<p>\[\[read-more:([A-Za-z0-9_-]+)\]\]</p>")
BLOCK_END = re.compile(r"</(?:p|li|blockquote|td|th|pre)>", re.I)
HEADING = re.compile(r"<h([1-6])>.*?</h\1>", re.S | re.I)
SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*(?=\s)")
DANGLING_WORDS = frozenset(
    "a an and as at but by for from if in into is it its nor of on or so than "
    "that the their then this to too was were what when where which while who "
    "with yet you your".split()
)


def html_to_text(fragment):
    text = nh3.clean(READ_MORE_TOKEN.sub(" ", fragment or ""), tags=set())
    return " ".join(html.unescape(text).split())


def excerpt_text(body_html):
    text = READ_MORE_TOKEN.sub(" ", HEADING.sub(" ", body_html or ""))
    parts = (html_to_text(part) for part in BLOCK_END.split(text))
    return " ".join(
        part if part[-1] in ".!?…:;”’\"')" else part + "." for part in parts if part
    )


def cut_excerpt(text, limit):
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    ends = [m.end() for m in SENTENCE_END.finditer(text[: limit + 1] + " ")]
    ends = [end for end in ends if limit // 2 <= end <= limit]
    if ends:
        return text[: ends[-1]]
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    if space <= limit // 2:
        return text[:limit].rstrip(" .,;:!?-–—…") + "…"
    words = cut[:space].split(" ")
    while len(words) > 1 and words[-1].strip(" ,;:-–—").lower() in DANGLING_WORDS:
        words.pop()
    return " ".join(words).rstrip(" .,;:!?-–—…") + "…"


def regenerate_excerpts(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias).only(
        "body_html", "auto_excerpt"
    )
    changed = []
    for article in articles.iterator(chunk_size=500):
        excerpt = cut_excerpt(excerpt_text(article.body_html), 200)
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
