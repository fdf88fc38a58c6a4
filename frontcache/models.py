"""Purges the front cache refused: kept until one succeeds, for the admin."""

from django.db import models


class FailedPurge(models.Model):
    """A purge whose last run failed (it is retried, up to TASKS_MAX_ATTEMPTS
    runs in all, by taskqueue.policy); deleted when a run succeeds."""

    digest = models.CharField(max_length=32, unique=True, editable=False)
    keys = models.TextField(help_text="The keys it was to purge, space-separated.")
    error = models.TextField(help_text="What the front cache or its API answered.")
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField(auto_now_add=True)
    last_failed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = "failed purge"

    def __str__(self):
        return f"Purge of {self.key_count} key(s) failed {self.attempts} time(s)"

    @property
    def key_list(self) -> list[str]:
        return self.keys.split()

    @property
    def key_count(self) -> int:
        return len(self.key_list)
