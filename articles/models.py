from datetime import UTC, date, datetime, time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import Tag

from . import reference_syntax, rendering
from .images import focus_class, rendition_urls
from .search import article_rank_vector, article_search_vector, search_queryset


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=140, unique=True, help_text="Used in the author page's address."
    )
    job_title = models.CharField(
        max_length=160, blank=True, help_text="Shown under the name, e.g. 'Recruiter'."
    )
    bio = models.TextField(
        blank=True, help_text="A few sentences, shown on the author page."
    )
    photo = models.ImageField(upload_to="authors/", blank=True)
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The login of this author, so writers can edit their own drafts.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def photo_images(self) -> dict:
        """Photo renditions with their URLs, for templates (no query)."""
        return rendition_urls(self.photo_renditions)


# Columns kept up to date by articles.signals, never written by save().
KEPT_ON_WRITE = ("related_ids", "list_position")
# Columns Article.render() derives from the body.
RENDERED_FIELDS = ("body_html", "auto_excerpt", "word_count")
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


class State(models.TextChoices):
    """Where an article stands, as editors think of it (derived, not stored)."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"

    def __str__(self):
        # Shown to editors as is ("Draft"); the value is for CSS classes.
        return str(self.label)


def publication_state(status: str, published_at: datetime | None) -> State:
    """The state of one article in Python; ``ArticleQuerySet.state_q`` is the
    same rule in SQL (tests/articles/test_states.py holds them together)."""
    if status != Article.Status.PUBLISHED:
        return State.DRAFT
    if published_at is not None and published_at <= timezone.now():
        return State.PUBLISHED
    return State.SCHEDULED


class ArticleQuerySet(models.QuerySet):
    @staticmethod
    def published_or_scheduled_q(prefix: str = "") -> Q:
        """Articles an editor has published, live or waiting for their date
        (``State.PUBLISHED`` or ``State.SCHEDULED``, not drafts).

        What is worked out on write covers them all (list positions, topic
        counts, related lists), so a scheduled article takes its place at its
        publish time with nothing left to recompute.
        """
        return Q(**{f"{prefix}status": Article.Status.PUBLISHED})

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
                return Q(**{f"{prefix}status": Article.Status.DRAFT})
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

    def with_topic(self, tag: Tag):
        """Articles carrying ``tag``, as a semi-join the planner can walk
        newest first (``filter(tags=tag)`` joins on a cast column instead and
        scans every tagged row per article, 0.4 s at 100,000 articles)."""
        items = Article.tags.through.objects.filter(
            tag=tag,
            # An id, not a join: the planner then counts the topic's rows
            # right and walks the newest articles (content types are cached).
            content_type=ContentType.objects.get_for_model(self.model),
        )
        return self.filter(pk__in=items.values("object_id"))

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def related_to(self, article: "Article", *, limit: int = 6):
        """Live articles for the "Related articles" list, in one query.

        The ranking (hand-picked first, then most shared topics, newer first)
        is done when the article or its topics change (``articles.related``)
        and stored as ``related_ids``; here only the live ones among them are
        read, topped up with the newest articles. An article whose list was
        never computed is ranked now, by the same rule.
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
            return live.ranked_related(article, limit=limit)
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

    def ranked_related(self, article: "Article", *, limit: int):
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


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        help_text="The article's address. Changing it keeps the old address "
        "working: readers are redirected.",
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="articles"
    )
    excerpt = models.TextField(
        max_length=400,
        blank=True,
        help_text="A sentence or two for lists and shares. Leave blank to use "
        "the start of the body.",
    )
    body = models.TextField(
        help_text="Markdown. A line [[read-more:ID-or-slug]] adds a 'Read more' "
        "link to another article."
    )
    cover_image = models.ImageField(upload_to="covers/", blank=True)
    cover_alt = models.CharField(
        "cover image description",
        max_length=250,
        blank=True,
        help_text="Describe the image for readers who cannot see it.",
    )
    cover_focal_x = models.FloatField(
        "cover focal point (across)",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject of the cover is, from 0 (left) to 1 (right): "
        "crops keep it in view.",
    )
    cover_focal_y = models.FloatField(
        "cover focal point (down)",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject of the cover is, from 0 (top) to 1 (bottom).",
    )
    cover_renditions = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publish date",
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article goes live. A future date schedules it.",
    )
    updated_at = models.DateTimeField(
        "updated date",
        null=True,
        blank=True,
        help_text="Shown as 'Updated' when the text changed after publishing.",
    )
    reviewed_at = models.DateField(
        "reviewed on",
        null=True,
        blank=True,
        help_text="When an editor last checked the facts in this article.",
    )
    featured = models.BooleanField(
        default=False, help_text="Featured articles lead the home page."
    )
    review_requested_at = models.DateTimeField(
        "review requested",
        null=True,
        blank=True,
        editable=False,
        help_text="When the writer submitted this draft for an editor's review; "
        "cleared when it is published.",
    )
    meta_description = models.CharField(
        max_length=160,
        blank=True,
        help_text="For search engines and shares. Leave blank to use the excerpt.",
    )
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="picked_by",
        verbose_name="hand-picked related articles",
        help_text="Shown first under 'Related articles'.",
    )
    read_more_refs = models.JSONField(
        "“Read more” references",
        default=dict,
        blank=True,
        editable=False,
        help_text="Each “Read more” reference of the body, as typed, with the id "
        "of the article it was resolved to.",
    )
    reads_more = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        editable=False,
        related_name="read_more_from",
        verbose_name="“Read more” targets",
    )
    tags = TaggableManager("topics", blank=True, help_text="Comma-separated topics.")

    body_html = models.TextField(blank=True, editable=False)
    auto_excerpt = models.CharField(max_length=300, blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    # Weighted words of title, excerpt and body for full-text search
    # (PostgreSQL; refreshed on save, stays empty on SQLite).
    search_vector = SearchVectorField(null=True, editable=False)
    # Title and excerpt only: what matches are ranked by (see articles/search.py).
    rank_vector = SearchVectorField(null=True, editable=False)
    # Work done when articles change, not on every page view (see
    # articles/related.py and articles/ordering.py).
    related_ids = models.JSONField(
        null=True,
        editable=False,
        help_text="The related list, ranked when this article or its topics "
        "change; empty until then (ranked on view).",
    )
    list_position = models.PositiveIntegerField(
        null=True,
        editable=False,
        help_text="Place among published articles, oldest first: list pages "
        "find any page by it without counting past the ones before.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_live_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            models.Index(fields=["list_position"], name="article_position_idx"),
        ]
        # Editors hold it; writers, without it, may only change their own drafts.
        permissions = [("publish_article", "Can publish articles")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Store the row. What derives from the text (rendering, "Read more"
        links, redirects, search vectors) is ``services.article_write``."""
        if kwargs.get("update_fields") is None and not self._state.adding:
            # Columns articles.signals keeps are not this copy's to overwrite.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in KEPT_ON_WRITE
            ]
        super().save(*args, **kwargs)
        self._loaded = {"slug": self.slug, "title": self.title, "body": self.body}

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # Remember what was loaded, to notice slug and text changes on save.
        instance._loaded = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if name in {"slug", "title", "body"}
        }
        return instance

    @property
    def loaded(self) -> dict:
        """Slug, title and body as last read or stored (empty for a new article),
        to notice slug and text changes on write."""
        return getattr(self, "_loaded", {})

    @property
    def cover_focal_point(self) -> tuple[float, float]:
        return (self.cover_focal_x, self.cover_focal_y)

    @property
    def cover_focus_class(self) -> str:
        """For CSS crops narrower than the renditions (square cards)."""
        return focus_class(self.cover_focal_point)

    @property
    def cover_images(self) -> dict:
        """Cover renditions with their URLs, for templates (no query)."""
        return rendition_urls(self.cover_renditions)

    @property
    def topics(self) -> list[Tag]:
        """The article's topics, in the order they were added: prefetched by
        ``with_topics()``, else read here once (one query)."""
        if not hasattr(self, TOPICS_ATTR):
            setattr(self, TOPICS_ATTR, list(self.tags.all()))
        return getattr(self, TOPICS_ATTR)

    @property
    def is_live(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def state(self) -> State:
        """Draft, Scheduled or Published, as editors think of it."""
        return publication_state(self.status, self.published_at)

    @property
    def summary(self) -> str:
        """The editor's excerpt, or one generated from the body."""
        return self.excerpt or self.auto_excerpt

    @property
    def description(self) -> str:
        return self.meta_description or rendering.cut_excerpt(self.summary, 155)

    @property
    def reading_minutes(self) -> int:
        return rendering.reading_minutes(self.word_count)

    @property
    def show_updated(self) -> bool:
        return bool(
            self.updated_at
            and self.published_at
            and self.updated_at > self.published_at
        )

    @property
    def date_modified(self) -> datetime | None:
        """What feeds and search engines are told as the last change.

        A review date in the future (entered before such dates were refused)
        is not a change that happened, so it is left out.
        """
        return date_modified(self.published_at, self.updated_at, self.reviewed_at)

    def clean(self):
        super().clean()
        if self.reviewed_at and self.reviewed_at > timezone.localdate():
            raise ValidationError(
                {
                    "reviewed_at": "The review date cannot be in the future: "
                    "give the day the facts were checked."
                }
            )

    def render(self):
        """Refresh the stored HTML, generated excerpt and word count from the body."""
        self.body_html = rendering.markdown_to_html(
            reference_syntax.to_ids(self.body, self.read_more_refs)
        )
        text = rendering.html_to_text(self.body_html)
        self.word_count = len(text.split())
        self.auto_excerpt = rendering.cut_excerpt(
            rendering.excerpt_text(self.body_html), 200
        )


class SlugRedirect(models.Model):
    """An article's former slug, answered with a permanent redirect."""

    old_slug = models.SlugField(max_length=220, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="slug_redirects"
    )

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class Topic(Tag):
    """Topics as the admin names them: taggit's tags, under their own name."""

    class Meta:
        proxy = True
        verbose_name = "topic"
        verbose_name_plural = "topics"


class TopicDescription(models.Model):
    """What a topic's page says about it: topics are taggit tags, and this side
    table gives each one an editable description without a custom tag model."""

    tag = models.OneToOneField(
        Tag,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="topic_description",
        verbose_name="topic",
    )
    description = models.TextField(
        max_length=300,
        blank=True,
        help_text="A sentence or two under the topic's name on its page and in "
        "the topics index: what readers find here.",
    )

    class Meta:
        verbose_name = "topic description"

    def __str__(self):
        return self.description


def date_modified(
    published_at: datetime | None, updated_at: datetime | None, reviewed_at: date | None
) -> datetime | None:
    """``Article.date_modified`` from the three columns (no model needed)."""
    if reviewed_at and reviewed_at > timezone.localdate():
        reviewed_at = None
    return latest_change(published_at, updated_at, reviewed_at)


def latest_change(*moments: datetime | date | None) -> datetime | None:
    """The latest of publish, update and review dates (a date counts from its
    start), or None when there is none."""
    moments = [
        moment
        if isinstance(moment, datetime)
        else timezone.make_aware(datetime.combine(moment, time.min))
        for moment in moments
        if moment
    ]
    return max(moments, default=None)


def live_topics():
    """Topics of live articles, each with its number of them (``article_count``).

    Counts of published articles are kept as data (``TopicCount``, refreshed
    by ``articles.topics`` when articles or their topics change), so nothing
    here counts all tagged articles; only the few scheduled ones, not live
    yet, are taken off, so a topic appears with its first live article.
    """
    from taggit.models import TaggedItem

    scheduled = (
        TaggedItem.objects.filter(
            tag=OuterRef("pk"),
            object_id__in=Article.objects.in_state(State.SCHEDULED).values("pk"),
        )
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Tag.objects.annotate(
        article_count=Coalesce(F("topic_count__published"), 0)
        - Coalesce(Subquery(scheduled), 0)
    ).filter(article_count__gt=0)


def topics_in_use():
    """Topics with their number of live articles, most used first (one query)."""
    return live_topics().order_by("-article_count", "name")


class TopicCount(models.Model):
    """How many published articles carry a topic, scheduled ones included."""

    tag = models.OneToOneField(
        Tag, on_delete=models.CASCADE, primary_key=True, related_name="topic_count"
    )
    published = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.tag}: {self.published}"
