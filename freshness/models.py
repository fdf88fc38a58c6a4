from django.db import models


class Generation(models.Model):
    """The current generation of public content: one row, replaced after
    every committed change (``reader.pagecache``).

    Only read when the configured cache is kept per process (``locmem://``,
    ``dummy://``): each gunicorn worker then polls this row instead of a
    marker the other workers cannot see.
    """

    ROW = 1

    token = models.CharField(max_length=64)
    changed_at = models.DateTimeField()
    next_publish_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"generation {self.token} of {self.changed_at:%Y-%m-%d %H:%M:%S}"
