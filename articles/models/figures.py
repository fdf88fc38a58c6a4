"""The media library: images uploaded once and placed in any article's body
with a reference line, ``[[image:ID]]`` (articles/figures.py).

An image carries what every figure showing it needs: its alt text (or an
explicit "decorative" choice), caption and credit, and its renditions, made
by the task worker as for covers. ``FigureUse`` records which articles place
it, so an image in use cannot be deleted (the database refuses too).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..images import rendition_urls


class MediaImage(models.Model):
    title = models.CharField(
        max_length=200,
        help_text="For finding the image in the library (with the alt text); "
        "readers do not see it.",
    )
    image = models.ImageField(
        upload_to="library/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    alt = models.CharField(
        "alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who cannot see it: “Bar "
        "chart: most hires come through referrals”. Required unless the image "
        "is decorative.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Tick only when the image adds nothing a reader would miss "
        "(an ornament): screen readers then skip it. Leave the alt text empty.",
    )
    caption = models.CharField(
        max_length=300, blank=True, help_text="Shown under the image."
    )
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who made or owns the image, e.g. “Photo: Ana Ruiz”. Shown "
        "after the caption.",
    )
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "library image"
        constraints = [
            models.CheckConstraint(
                condition=Q(decorative=True, alt="") | Q(decorative=False) & ~Q(alt=""),
                name="media_image_alt_or_decorative",
                violation_error_message="Give the image alt text, or tick "
                "“decorative” and leave the alt text empty.",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.decorative and self.alt.strip():
            raise ValidationError(
                {
                    "alt": "A decorative image has no alt text: empty it, or "
                    "untick “decorative” if readers would miss the image."
                }
            )
        if not self.decorative and not self.alt.strip():
            raise ValidationError(
                {
                    "alt": "Describe the image for readers who cannot see it, "
                    "or tick “decorative” if it adds nothing they would miss."
                }
            )

    @property
    def reference_line(self) -> str:
        """What an editor puts on a line of its own to place this image."""
        return f"[[image:{self.pk}]]"

    @property
    def alt_text(self) -> str:
        """The ``alt`` attribute: empty for a decorative image."""
        return "" if self.decorative else self.alt

    @property
    def images(self) -> dict:
        """Renditions with their URLs, for templates (no query)."""
        return rendition_urls(self.renditions)


class FigureUse(models.Model):
    """An article placing a library image in its body (kept by
    ``services.article_write`` from the reference lines)."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="figure_uses"
    )
    image = models.ForeignKey(MediaImage, on_delete=models.PROTECT, related_name="uses")

    class Meta:
        verbose_name = "use in an article"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "image"], name="figure_use_once_per_article"
            )
        ]

    def __str__(self):
        return f"Placed in the article “{self.article}” (ID {self.article_id})"
