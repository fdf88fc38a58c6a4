"""Where an article stands: its stored status and the state editors see."""

from datetime import datetime

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    """The stored column (``Article.Status``): a draft, or published (live or
    scheduled, as its publish date says)."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class State(models.TextChoices):
    """Where an article stands, as editors think of it (derived, not stored)."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"

    def __str__(self):
        # Shown to editors as is ("Draft"); the value is for CSS classes.
        return str(self.label)


def publication_state(status: str, published_at: datetime | None) -> State:
    """The state of one article in Python; ``ArticleQuerySet.state_q`` is the
    same rule in SQL (tests/articles/test_states.py holds them together)."""
    if status != Status.PUBLISHED:
        return State.DRAFT
    if published_at is not None and published_at <= timezone.now():
        return State.PUBLISHED
    return State.SCHEDULED
