"""What editors set for the whole newsletter."""

from django.db import models


class NewsletterSettings(models.Model):
    """What editors set for the whole newsletter: one row (``load()``)."""

    welcome_subject = models.CharField(
        max_length=150,
        default="Welcome to the digest",
        help_text="Subject of the mail sent once an address is confirmed.",
    )
    welcome_text = models.TextField(
        default=(
            "Thank you for confirming. Every week we send the best new career "
            "advice from the site: one mail, a few articles, nothing else."
        ),
        help_text="The welcome mail's own words, in plain text. Blank lines "
        "separate paragraphs. When it comes, the latest edition and the "
        "preference page are added below it.",
    )
    reader_count_threshold = models.PositiveIntegerField(
        default=500,
        help_text="The sign-up page shows the number of readers (rounded) only "
        "once there are at least this many. 0 never shows it.",
    )

    class Meta:
        verbose_name = "newsletter settings"
        verbose_name_plural = "newsletter settings"

    def __str__(self):
        return "Newsletter settings"

    @classmethod
    def load(cls) -> "NewsletterSettings":
        """The one row, created with the defaults the first time it is read."""
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
