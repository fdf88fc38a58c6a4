from django.conf import settings
from django.db import models
from django.urls import reverse

from ..images import rendition_urls


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
