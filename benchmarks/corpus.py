"""A generated corpus of live articles, inserted in bulk.

Used by `make bench` (up to 100,000 articles) and by the query-budget tests
(2,000). Rows go in with bulk inserts, bypassing the per-save signals; the
work those signals do (list positions, topic counts, search vectors, related
lists) is then done once for the whole set, the way a backfill would.
"""

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author
from articles.ordering import positions_refresh
from articles.related_ranking import related_refresh
from articles.topics import topic_counts_refresh
from reader import pagecache

AUTHORS = 20
TOPICS = 40
TOPICS_PER_ARTICLE = 3
BATCH = 2_000
START = datetime(2015, 1, 1, 9, tzinfo=UTC)
VOCABULARY = (
    "career job interview manager team salary offer role skills promotion "
    "feedback network recruiter hiring culture remote office growth review "
    "goal plan project deadline meeting mentor learning change industry "
    "company startup contract freelance portfolio budget leader colleague "
    "client report market application letter reference training coach"
).split()


def renditions(name: str) -> dict:
    """Stored renditions, as images.make_renditions writes them (no files)."""
    return {
        "jpeg": [[480, f"/media/renditions/{name}-480w.jpg"]],
        "webp": [[480, f"/media/renditions/{name}-480w.webp"]],
        "fallback": f"/media/renditions/{name}-480w.jpg",
        "width": 480,
        "height": 270,
    }


def _body(rng: random.Random, *, n: int) -> str:
    """The ``n``th of the 50 bodies articles take in turn."""

    def sentence():
        words = rng.choices(VOCABULARY, k=12)
        return " ".join(words).capitalize() + "."

    paragraphs = [" ".join(sentence() for _ in range(4)) for _ in range(4)]
    if n == 0:  # a word searches find in one body in fifty
        paragraphs[1] += " Ask the ombudsman."
    if n in (1, 2, 3):  # and one in three bodies in fifty (6%)
        paragraphs[2] += " A mediator can help."
    return (
        "## Why it matters\n\n"
        + "\n\n".join(paragraphs[:2])
        + "\n\n- one point\n- another point\n\n> A quote worth keeping.\n\n"
        + "## What to do\n\n"
        + "\n\n".join(paragraphs[2:])
        + "\n"
    )


class Progress:
    """Counts with an ETA on one line, then a summary."""

    def __init__(self, label: str, total: int, out: Callable[[str], None]):
        self.label, self.total, self.out = label, total, out
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (self.total - done) if done else 0
        self.out(
            f"  {self.label}: {done:,}/{self.total:,} "
            f"({elapsed:.0f} s, about {eta:.0f} s left)"
        )


def wipe() -> None:
    """Empty every content table at once (no per-row signals), children first."""
    from articles.models import SlugRedirect, TopicCount, TopicPosition
    from newsletter.models import Delivery, Edition, EditionArticle

    models = [
        Delivery,
        EditionArticle,
        Edition,
        SlugRedirect,
        Article.related.through,
        Article.reads_more.through,
        TaggedItem,
        TopicPosition,
        TopicCount,
        Article,
        Author,
        Tag,
    ]
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: tables added later that point at these are emptied too.
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def build(
    count: int,
    *,
    seed: int = 7,
    start: datetime = START,
    topic_names: list[str] | None = None,
    out: Callable[[str], None] = lambda line: None,
) -> list[int]:
    """Insert ``count`` live articles (hourly, oldest first); return their ids."""
    began = time.monotonic()
    rng = random.Random(seed)
    authors = Author.objects.bulk_create(
        Author(
            name=f"Writer {n}",
            slug=f"writer-{n}",
            job_title="Career coach",
            bio="Writes about careers.",
            photo=f"authors/writer-{n}.jpg",
            photo_renditions=renditions(f"authors/writer-{n}"),
        )
        for n in range(AUTHORS)
    )
    topic_names = topic_names or [f"Topic {n}" for n in range(TOPICS)]
    topics = Tag.objects.bulk_create(
        Tag(name=name, slug=slugify(name)) for name in topic_names
    )
    bodies = []
    for n in range(50):  # rendered once each, reused
        article = Article(body=_body(rng, n=n))
        article.render()
        bodies.append(article)
    article_type = ContentType.objects.get_for_model(Article)

    progress = Progress("articles", count, out)
    ids = []
    for first in range(0, count, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, count)):
            body = bodies[n % len(bodies)]
            rows.append(
                Article(
                    title=f"{rng.choice(VOCABULARY).title()} advice number {n}",
                    slug=f"bench-{n}",
                    author=authors[n % AUTHORS],
                    body=body.body,
                    body_html=body.body_html,
                    auto_excerpt=body.auto_excerpt,
                    word_count=body.word_count,
                    status=Article.Status.PUBLISHED,
                    published_at=start + timedelta(hours=n),
                    featured=n % 50 == 0,
                    cover_image=f"covers/bench-{n}.jpg",
                    cover_alt=f"Cover {n}",
                    cover_renditions=renditions(f"covers/bench-{n}"),
                )
            )
        created = _insert(Article, rows)
        _insert(
            TaggedItem,
            [
                TaggedItem(tag=tag, content_type=article_type, object_id=pk)
                for pk in created
                for tag in rng.sample(topics, TOPICS_PER_ARTICLE)
            ],
        )
        ids += created
        progress.update(len(ids))

    out("  list positions, topic counts and places in topics")
    positions_refresh()
    topic_counts_refresh(tag_ids=[tag.pk for tag in topics])
    if connection.vendor == "postgresql":
        _search_vectors(ids, out)
    # Planner statistics, as autovacuum would gather them (VACUUM cannot run
    # in the transaction tests run in).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    pagecache.invalidate()
    out(f"  {count:,} articles in {time.monotonic() - began:.0f} s")
    return ids


def _insert(model, objects: list) -> list[int]:
    """Insert rows in bulk and return their ids: with COPY on PostgreSQL
    (several times faster than INSERT for 100,000 articles)."""
    if connection.vendor != "postgresql":
        return [row.pk for row in model.objects.bulk_create(objects)]
    table = model._meta.db_table
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(
            connection.ops.quote_name(column)
            for column in ["id", *(field.column for field in fields)]
        )
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, objects, strict=True):
                copy.write_row([pk, *(_value(field, row, now) for field in fields)])
    return ids


def _value(field, row, now):
    value = getattr(row, field.attname)
    if value is None and getattr(field, "auto_now", False) | getattr(
        field, "auto_now_add", False
    ):
        value = now
    return field.get_db_prep_save(value, connection)


def _search_vectors(ids: list[int], out) -> None:
    progress = Progress("search vectors", len(ids), out)
    step = 5_000
    for first in range(0, len(ids), step):
        chunk = ids[first : first + step]
        Article.objects.filter(
            pk__gte=chunk[0], pk__lte=chunk[-1]
        ).refresh_search_vectors()
        progress.update(first + len(chunk))


def rank_related(ids: list[int]) -> None:
    """Rank the related lists of these articles (as saving each would)."""
    related_refresh(article_ids=ids)
