"""Editions of the digest and the articles in each."""

from django.db import models
from django.urls import reverse

from articles.models import Article, ArticleQuerySet

from ..querysets import EditionQuerySet


class Edition(models.Model):
    """One issue of the weekly digest."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    # Sending has not started: editors may still change it (EditionQuerySet.editable).
    EDITABLE = [Status.DRAFT, Status.SCHEDULED]

    subject = models.CharField(
        max_length=150, help_text="The mail's subject line and the archive title."
    )
    intro = models.TextField(
        blank=True,
        help_text="Plain text above the articles. Blank lines separate paragraphs.",
    )
    status = models.CharField(
        max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    scheduled_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When to send. Set a time to schedule; clear it to keep a draft.",
    )
    period_start = models.DateTimeField(
        null=True, blank=True, help_text="Articles published after this are included."
    )
    period_end = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Articles published up to this are included. One edition per "
        "period end, so the weekly job never creates a week twice.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When sending began (recipients fixed)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_end"], name="newsletter_edition_unique_period"
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletter:edition", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def live_articles(self):
        """The edition's articles still published, in the editors' order."""
        return (
            self.edition_articles.filter(article__in=Article.objects.live())
            .select_related("article", "article__author")
            .order_by("position", "pk")
        )


class EditionArticle(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="edition_articles"
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="edition_entries",
        # Pickers (the admin's title search) offer live articles only.
        limit_choices_to=ArticleQuerySet.live_q,
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"], name="newsletter_edition_article_once"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.article}"
