"""How articles are read: which are live, in which state, for which list."""

from datetime import UTC, date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from taggit.models import Tag

from ..search import article_rank_vector, article_search_vector, search_queryset
from .states import State, Status

# Where ArticleQuerySet.with_topics() puts each article's topics.
TOPICS_ATTR = "prefetched_topics"
# Long text columns that article lists and cards never show.
LISTING_DEFERRED_FIELDS = (
    "body",
    "body_html",
    "search_vector",
    "rank_vector",
    "meta_description",
    "related_ids",
)

# What an article's card shows (articles/_cards.html), besides its author
# and topics: a list of cards reads these columns only.
CARD_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "auto_excerpt",
    "cover_image",
    "cover_focal_x",
    "cover_focal_y",
    "cover_renditions",
    "published_at",
    "word_count",
    "author",
)


class ArticleQuerySet(models.QuerySet):
    @staticmethod
    def published_or_scheduled_q(prefix: str = "") -> Q:
        """Articles an editor has published, live or waiting for their date
        (``State.PUBLISHED`` or ``State.SCHEDULED``, not drafts).

        What is worked out on write covers them all (list positions, topic
        counts, related lists), so a scheduled article takes its place at its
        publish time with nothing left to recompute.
        """
        return Q(**{f"{prefix}status": Status.PUBLISHED})

    @staticmethod
    def live_q(prefix: str = "") -> Q:
        """Live articles: published, with a publish date that has come.

        A scheduled article is simply a published one with a future date, so it
        appears by itself when its time comes, with no job needing to run.
        ``prefix`` reaches articles through a relation (``"articles__"``).
        """
        return ArticleQuerySet.published_or_scheduled_q(prefix) & Q(
            **{f"{prefix}published_at__lte": timezone.now()}
        )

    @classmethod
    def state_q(cls, state: State, prefix: str = "") -> Q:
        """Articles in ``state`` (see ``publication_state``)."""
        published = cls.published_or_scheduled_q(prefix)
        match State(state):
            case State.DRAFT:
                return Q(**{f"{prefix}status": Status.DRAFT})
            case State.SCHEDULED:
                return published & (
                    Q(**{f"{prefix}published_at__gt": timezone.now()})
                    | Q(**{f"{prefix}published_at__isnull": True})
                )
            case State.PUBLISHED:
                return cls.live_q(prefix)

    def live(self):
        return self.filter(self.live_q())

    def published_or_scheduled(self):
        return self.filter(self.published_or_scheduled_q())

    def in_state(self, state: State):
        return self.filter(self.state_q(state))

    def with_topics(self):
        """Each article's topics read in one query for all (``Article.topics``).

        Into a list (``to_attr``): taggit's own prefetch builds a filtered
        queryset per article, which cost more than the rest of a list page's
        queries together.
        """
        return self.prefetch_related(Prefetch("tags", to_attr=TOPICS_ATTR))

    def for_listing(self):
        return self.select_related("author").with_topics()

    def for_cards(self):
        """For lists of cards: title, excerpt and byline, no long text columns."""
        return self.for_listing().defer(*LISTING_DEFERRED_FIELDS)

    def card_fields(self):
        """For pages of cards kept rendered (``{% fragment_for %}``): a card's
        columns and its author's name; topics are read only for cards
        rendered anew (pass the page to ``read_topics_together``)."""
        return self.select_related("author").only(
            *CARD_FIELDS, "author__name", "author__slug"
        )

    def with_topic(self, tag: Tag):
        """Articles carrying ``tag``, as a semi-join the planner can walk
        newest first (``filter(tags=tag)`` joins on a cast column instead and
        scans every tagged row per article, 0.4 s at 100,000 articles)."""
        items = self.model.tags.through.objects.filter(
            tag=tag,
            # An id, not a join: the planner then counts the topic's rows
            # right and walks the newest articles (content types are cached).
            content_type=ContentType.objects.get_for_model(self.model),
        )
        return self.filter(pk__in=items.values("object_id"))

    def more_in_topic(self, article: models.Model, *, shown=(), limit: int = 3):
        """The newest live articles of ``article``'s main topic for "More in
        <topic>", leaving out the article and those ``shown`` already (its
        related list): one query, none without a topic."""
        topic = article.main_topic
        if topic is None:
            return self.none()
        left_out = [article.pk, *(item.pk for item in shown)]
        return (
            self.live()
            .with_topic(topic)
            .exclude(pk__in=left_out)
            .select_related("author")
            .defer(*LISTING_DEFERRED_FIELDS)
            .newest_first()[:limit]
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def related_to(self, article: models.Model, *, limit: int = 6):
        """Live articles for the "Related articles" list, in one query.

        The ranking (hand-picked first, then most shared topics, newer first)
        is done when the article or its topics change (``articles.related``)
        and stored as ``related_ids``; here only the live ones among them are
        read, topped up with the newest articles. An article whose list was
        never ranked (loaded in bulk, or read before the worker ran) is not
        ranked here, which counts shared topics over the whole site (1 s at
        100,000 articles): it gets ``unranked_related``, a cheap stand-in.
        """
        tag_ids = [tag.pk for tag in article.topics]
        # The topic each card shows, a shared one first: a subquery in the
        # same query, so related cards cost no query per card.
        card_topic = Tag.objects.filter(article=OuterRef("pk")).order_by(
            Case(When(pk__in=tag_ids, then=0), default=1), "name"
        )
        others = self.live().exclude(pk=article.pk)
        live = others.annotate(
            topic_name=Subquery(card_topic.values("name")[:1]),
            topic_slug=Subquery(card_topic.values("slug")[:1]),
        )
        if article.related_ids is None:
            return live.unranked_related(article, limit=limit)
        ids = article.related_ids
        # Topped up with the newest: those published since the limit-th
        # newest (a bound an index answers, where "pk in newest" is a scan).
        newest = others.order_by("-published_at").values("published_at")
        since = Coalesce(
            Subquery(newest[limit - 1 : limit]), Value(datetime.min.replace(tzinfo=UTC))
        )
        place = [  # the stored order first (a bare number would mean a column)
            Case(
                *(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)),
                default=Value(len(ids)),
            )
        ][: 1 if ids else 0]
        return (
            live.filter(Q(pk__in=ids) | Q(published_at__gte=since))
            .select_related("author")
            .defer(*LISTING_DEFERRED_FIELDS)
            .order_by(*place, "-published_at", "-pk")[:limit]
        )

    def unranked_related(self, article: models.Model, *, limit: int):
        """Related articles before the ranking has run, read through indexes
        only: the hand-picked ones, then the newest of the main topic, then
        the newest of all, each bounded by ``limit`` (no counting)."""
        picked = self.model.related.through.objects.filter(from_article_id=article.pk)
        topic = article.main_topic
        newest = self.newest_first().values("pk")
        in_topic = self.none().values("pk")
        marks_topic = Value(False)
        if topic is not None:
            in_topic = self.with_topic(topic).newest_first().values("pk")
            marks_topic = Exists(
                self.model.tags.through.objects.filter(
                    tag=topic,
                    content_type=ContentType.objects.get_for_model(self.model),
                    object_id=OuterRef("pk"),
                )
            )
        parts = [picked.values("to_article_id"), in_topic[:limit], newest[:limit]]
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # A union, not OR: the few candidates are read by primary key
            # (OR reads every article, 0.8 s at 100,000 on PostgreSQL).
            candidates = Q(pk__in=parts[0].union(*parts[1:]))
        else:  # SQLite: no LIMIT inside a union
            candidates = Q(pk__in=parts[0]) | Q(pk__in=parts[1]) | Q(pk__in=parts[2])
        return (
            self.filter(candidates)
            .annotate(
                is_picked=Exists(picked.filter(to_article_id=OuterRef("pk"))),
                in_topic=marks_topic,
            )
            .select_related("author")
            .defer(*LISTING_DEFERRED_FIELDS)
            .order_by("-is_picked", "-in_topic", "-published_at", "-pk")[:limit]
        )

    def ranked_related(self, article: models.Model, *, limit: int):
        """The first ``limit`` of these articles in related order for
        ``article``: hand-picked first, then most shared topics, newer first."""
        picked = self.model.related.through.objects.filter(from_article_id=article.pk)
        # Topic links of articles, by content type id: no join on a cast column.
        tagged = self.model.tags.through.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            tag__in=[tag.pk for tag in article.topics],
        )
        newest = self.order_by("-published_at", "-pk").values("pk")[:limit]
        shared = (
            tagged.filter(object_id=OuterRef("pk"))
            .values("object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.filter(
                Q(pk__in=picked.values("to_article_id"))
                | Q(pk__in=tagged.values("object_id"))
                | Q(pk__in=newest)
            )
            .annotate(
                is_picked=Exists(picked.filter(to_article_id=OuterRef("pk"))),
                shared_topics=Coalesce(Subquery(shared), 0),
            )
            .select_related("author")
            .defer(*LISTING_DEFERRED_FIELDS)
            .order_by("-is_picked", "-shared_topics", "-published_at", "-pk")[:limit]
        )

    def search(self, text: str):
        """Matches of a reader's query, best first (see articles/search.py)."""
        return search_queryset(self, text)

    def not_reviewed_since(self, day: date):
        """Articles whose facts nobody has checked on or after ``day``."""
        return self.filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=day))

    def refresh_search_vectors(self) -> int:
        """Recompute the full-text document of these rows (PostgreSQL only)."""
        if connections[self.db].vendor != "postgresql":
            return 0
        return self.update(
            search_vector=article_search_vector(), rank_vector=article_rank_vector()
        )
