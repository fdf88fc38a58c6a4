"""Sign-ups per day and per article they came from, counted when confirmed.

The newsletter says when a subscriber confirms (handoffs.welcome_wanted is
sent once per confirmation, by subscribers.subscriber_confirm); this module
listens, so the newsletter knows nothing of the figures. An imported
subscriber confirms nothing here and is not counted as a sign-up.

Sign-ups are few: each is written at once (two statements), after the
confirmation's transaction commits.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from articles.models import Article, SlugRedirect
from reader.site_urls import article_page_slug

from .flush import upsert_add
from .models import SignupDay, SiteDay


def article_of(source: str) -> int | None:
    """The id of the live article whose page ``source`` (a path) is, if any;
    an old slug of a live article counts for it."""
    slug = article_page_slug(source)
    if slug is None:
        return None
    found = Article.objects.live().filter(slug=slug).values_list("pk", flat=True)
    article_id = found.first()
    if article_id is None:
        article_id = (
            SlugRedirect.objects.to_live(slug)
            .values_list("article_id", flat=True)
            .first()
        )
    return article_id


def signup_count(*, source: str, day: date | None = None) -> None:
    """Count one confirmed sign-up made on the page ``source``."""
    day = day or timezone.localdate()
    article_id = article_of(source)
    with transaction.atomic():
        upsert_add(SiteDay, ["day"], ["signups"], [(day, 1)])
        if article_id is not None:
            upsert_add(
                SignupDay, ["day", "article_id"], ["signups"], [(day, article_id, 1)]
            )


def on_confirmed(sender, *, subscriber, **kwargs) -> None:
    """welcome_wanted receiver: count the sign-up once the confirmation is in."""
    source, day = subscriber.source, timezone.localdate()
    transaction.on_commit(lambda: signup_count(source=source, day=day))
