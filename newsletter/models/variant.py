"""An edition's variants: which of its articles each group of subscribers
gets, by their topics (the rule is newsletter/audience.py's)."""

from django.db import models


class EditionVariant(models.Model):
    """The articles of an edition one group of subscribers gets (their topics'
    share of it), rendered once per sending run; fixed when sending starts
    (newsletter/audience.py). ``mailed`` False: the subscribers whose topics had
    nothing in the edition, counted but sent nothing."""

    edition = models.ForeignKey(
        "newsletter.Edition", on_delete=models.CASCADE, related_name="variants"
    )
    article_ids = models.CharField(
        max_length=2000,
        blank=True,
        help_text="Comma-separated, in the edition's order.",
    )
    mailed = models.BooleanField(default=True)
    subscribers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article_ids", "mailed"],
                name="newsletter_editionvariant_once",
            ),
        ]

    def __str__(self):
        return f"{self.edition}: {self.article_ids or 'no article'}"

    @property
    def articles(self) -> list[int]:
        return [int(pk) for pk in self.article_ids.split(",") if pk]
