"""The table of subscriber imports (registered through newsletter/models.py)."""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone


class PrivateStorage(Storage):
    """STORAGES["private"] as configured at each use, never served.

    A FileField calls its storage callable once, at import; this stand-in
    asks ``storages`` every time, so a changed setting (tests) is obeyed."""

    def __getattribute__(self, name):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["private"], name)


def private_storage() -> Storage:
    """Where uploaded imports are kept (the field's storage callable)."""
    return PrivateStorage()


class PrivateFileField(models.FileField):
    """A FileField in private storage. Migrations see a plain FileField (the
    storage is no part of the schema), so they import no project code."""

    def __init__(self, *args, **kwargs):
        kwargs["storage"] = private_storage
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("storage", None)
        return name, "django.db.models.FileField", args, kwargs


class SubscriberImport(models.Model):
    """A CSV of subscribers an editor brought from another platform: the file,
    where the list came from, and what a dry run and the import made of it
    (subscriber_imports/)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded (dry run under way)"
        CHECKED = "checked", "Dry run done: waiting for your go-ahead"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    file = PrivateFileField(
        upload_to="newsletter-imports/%Y/%m/",
        max_length=300,
        editable=False,
    )
    file_name = models.CharField(
        max_length=255, editable=False, help_text="The name the file was uploaded as."
    )
    file_format = models.CharField(
        max_length=20,
        blank=True,
        editable=False,
        help_text="The export it was read as.",
    )
    consent_statement = models.TextField(
        blank=True,
        help_text="Where the list came from and how its people agreed to get "
        "mail from you. Kept as the consent record of every row without its "
        "own opt-in column; left blank, those rows get a confirmation mail "
        "and stay pending until they confirm.",
    )
    status = models.CharField(
        max_length=10, choices=Status, default=Status.UPLOADED, editable=False
    )
    counts = models.JSONField(
        default=dict, editable=False, help_text="Rows per outcome (imports/plan.py)."
    )
    samples = models.JSONField(
        default=dict, editable=False, help_text="The dry run's first rows per outcome."
    )
    total_rows = models.PositiveIntegerField(default=0, editable=False)
    rows_done = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Rows imported and committed; a resumed import starts after them.",
    )
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "subscriber import"

    def __str__(self):
        return f"{self.file_name} ({timezone.localdate(self.uploaded_at)})"
