"""Readers' figures: counts per calendar day (settings.TIME_ZONE), never a
record of who read what.

The aggregates (ArticleDay, SiteDay, ReferrerDay, SearchDay, SignupDay) are
kept AudienceSettings.keep_days. VisitorMark and DaySalt exist only to count
each visitor once a day: a mark is a hash of the day's random salt, the
client's address and its user agent; both are deleted once their day is over,
after which no mark can be linked to anybody (the salt is gone).
"""

from django.core.validators import MinValueValidator
from django.db import models

DIGEST_LENGTH = 32
TERM_LENGTH = 100
DOMAIN_LENGTH = 253


class ArticleDay(models.Model):
    """Views of one article on one day."""

    day = models.DateField()
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+"
    )
    views = models.PositiveIntegerField(db_default=0, default=0)

    class Meta:
        verbose_name = "article's day"
        verbose_name_plural = "articles' days"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "article"],
                name="audience_article_day",
            )
        ]
        indexes = [
            models.Index(
                fields=["article", "day"],
                include=["views"],
                name="audience_ar_article_94eb59_idx",
            ),
            # The dashboard's sums over a period read this index alone on
            # PostgreSQL (SQLite keeps only its key columns: models.W040).
            models.Index(
                fields=["day"],
                include=["article", "views"],
                name="audience_article_day_views",
            ),
        ]

    def __str__(self):
        return f"Article {self.article_id} on {self.day}: {self.views} views"


class SiteDay(models.Model):
    """The whole site's day: page views, estimated visitors, sign-ups."""

    day = models.DateField(unique=True)
    views = models.PositiveIntegerField(
        db_default=0,
        default=0,
        help_text="Pages read that day (every page, not only articles).",
    )
    visitors = models.PositiveIntegerField(
        db_default=0,
        default=0,
        help_text="Different readers that day, estimated: one browser on one "
        "connection counts once.",
    )
    signups = models.PositiveIntegerField(
        db_default=0,
        default=0,
        help_text="Newsletter subscriptions confirmed that day.",
    )

    class Meta:
        verbose_name = "site's day"
        verbose_name_plural = "site's days"

    def __str__(self):
        return f"{self.day}: {self.views} views, {self.visitors} visitors"


class ReferrerDay(models.Model):
    """Views that came from another site (its domain only) on one day."""

    day = models.DateField()
    domain = models.CharField(max_length=DOMAIN_LENGTH)
    views = models.PositiveIntegerField(db_default=0, default=0)

    class Meta:
        verbose_name = "referrer's day"
        verbose_name_plural = "referrers' days"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "domain"], name="audience_referrer_day"
            )
        ]

    def __str__(self):
        return f"{self.domain} on {self.day}: {self.views} views"


class SearchDay(models.Model):
    """Searches for one term on one day, and how many of them found nothing."""

    day = models.DateField()
    term = models.CharField(max_length=TERM_LENGTH)
    searches = models.PositiveIntegerField(db_default=0, default=0)
    empty = models.PositiveIntegerField(
        db_default=0, default=0, help_text="How many of these searches had no results."
    )

    class Meta:
        verbose_name = "search term's day"
        verbose_name_plural = "search terms' days"
        constraints = [
            models.UniqueConstraint(fields=["day", "term"], name="audience_search_day")
        ]

    def __str__(self):
        return f"“{self.term}” on {self.day}: {self.searches} searches"


class SignupDay(models.Model):
    """Confirmed sign-ups made with the form on one article's page, per day."""

    day = models.DateField()
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+"
    )
    signups = models.PositiveIntegerField(db_default=0, default=0)

    class Meta:
        verbose_name = "sign-ups' day"
        verbose_name_plural = "sign-ups' days"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "article"], name="audience_signup_day"
            )
        ]

    def __str__(self):
        return f"Article {self.article_id} on {self.day}: {self.signups} sign-ups"


class VisitorMark(models.Model):
    """One visitor of one day, as a salted hash; deleted when the day ends."""

    day = models.DateField()
    digest = models.CharField(max_length=DIGEST_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "digest"], name="audience_visitor_mark"
            )
        ]

    def __str__(self):
        return f"Visitor of {self.day}"


class DaySalt(models.Model):
    """The random salt of one day's visitor marks; deleted when the day ends."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return f"Salt of {self.day}"


class AudienceSettings(models.Model):
    """What editors set for the readers' figures: one row (``load()``)."""

    keep_days = models.PositiveIntegerField(
        default=730,
        validators=[MinValueValidator(1)],
        help_text="Daily figures are kept this many days, then deleted. "
        "The privacy page tells readers this number.",
    )

    class Meta:
        verbose_name = "readers' figures settings"
        verbose_name_plural = "readers' figures settings"

    def __str__(self):
        return "Readers’ figures settings"

    @classmethod
    def load(cls) -> "AudienceSettings":
        """The one row, created with the defaults the first time it is read."""
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
