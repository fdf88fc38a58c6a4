"""Clicks on the digest's article links, per article per edition: a count,
never who clicked (newsletter/clicks.py counts and reads them)."""

from django.db import models


class EditionClick(models.Model):
    """How many times the link to one article in one edition's mail was
    followed (robots, prefetches and floods from one address left out)."""

    edition = models.ForeignKey(
        "newsletter.Edition", on_delete=models.CASCADE, related_name="clicks"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+"
    )
    clicks = models.PositiveIntegerField(
        default=0, help_text="Links followed from the mail; nobody's identity kept."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"], name="newsletter_edition_click_once"
            ),
        ]

    def __str__(self):
        return f"{self.edition}: {self.article_id} ({self.clicks})"
