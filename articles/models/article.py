"""The article: its columns, and what it stores on save (nothing more)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from .. import reference_syntax, rendering
from .authors import Author
from .display import ArticleDisplay
from .figures import FigureUse, MediaImage
from .querysets import ArticleQuerySet
from .states import Status

# Columns kept up to date by articles.signals, never written by save().
KEPT_ON_WRITE = ("related_ids", "list_position")
# Columns Article.render() derives from the body.
RENDERED_FIELDS = ("body_html", "auto_excerpt", "word_count")


class Article(ArticleDisplay):
    Status = Status

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
        "link to another article, [[image:ID]] a library image, "
        "[[video:URL|Title]] a YouTube or Vimeo video."
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
    figures = models.ManyToManyField(
        MediaImage,
        through=FigureUse,
        blank=True,
        editable=False,
        related_name="articles",
        verbose_name="library images placed in the body",
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
            # Search walks the newest title and excerpt matches in here alone
            # (an index-only scan on PostgreSQL; SQLite ignores ``include``).
            # For words in few titles, where walking the newest would not end.
            GinIndex(fields=["rank_vector"], name="article_budget_rank_idx"),
            models.Index(
                fields=["-published_at", "-id"],
                include=["status", "rank_vector"],
                name="article_budget_recent_idx",
            ),
            # An author's page: its newest first, and its count, in here alone.
            models.Index(
                fields=["author", "-published_at", "-id"],
                include=["status"],
                name="article_budget_author_idx",
            ),
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


class SlugRedirectQuerySet(models.QuerySet):
    def to_live(self, old_slug: str):
        """The redirect from ``old_slug``, if its article is live."""
        return self.filter(old_slug=old_slug, article__in=Article.objects.live())


class SlugRedirect(models.Model):
    """An article's former slug, answered with a permanent redirect."""

    old_slug = models.SlugField(max_length=220, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="slug_redirects"
    )

    objects = SlugRedirectQuerySet.as_manager()

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"
