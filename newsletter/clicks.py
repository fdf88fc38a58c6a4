"""Clicks on the digest's article links, counted per article per edition.

Each article link in the digest goes through the site (``/newsletter/r/<token>/``,
click_views.py). The token is signed and holds the edition's id and the
article's, nothing about the subscriber: every subscriber's mail carries the
same links, the digest is still rendered once per variant, and a count is all
a click leaves behind. The redirect's target is worked out from the article id,
never read from the link, so it cannot be turned into an open redirect.
"""

import re
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from reader.site_urls import site_url

from .models import Edition, EditionClick

SALT = "newsletter.click"
# "<edition id>-<article id>.<signature>": the signature is URL-safe base64,
# which has no dot, so a dot separates it (no colon in the link's path).
_SIGNER = signing.Signer(salt=SALT, sep=".")
CLICK_TOKEN = re.compile(r"([0-9]{1,18})-([0-9]{1,18})\.[A-Za-z0-9_-]{20,100}")


@dataclass(frozen=True, slots=True)
class ClickLink:
    edition_id: int
    article_id: int


def click_token(*, edition_id: int, article_id: int) -> str:
    return _SIGNER.sign(f"{edition_id}-{article_id}")


def click_url(*, edition_id: int, article_id: int) -> str:
    """The absolute link the digest carries for one article of one edition."""
    token = click_token(edition_id=edition_id, article_id=article_id)
    return site_url(reverse("newsletter:click", kwargs={"token": token}))


def read_click_token(token: str) -> ClickLink | None:
    """The link a token stands for, or None if it is not one we signed."""
    match = CLICK_TOKEN.fullmatch(token)
    if match is None:
        return None
    try:
        _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    return ClickLink(int(match[1]), int(match[2]))


def edition_click_count(*, edition_id: int, article_id: int) -> None:
    """Add one click: one atomic UPDATE, or the row's first INSERT. The
    edition and the article must exist (the caller has read them)."""
    rows = EditionClick.objects.filter(edition_id=edition_id, article_id=article_id)
    if rows.update(clicks=F("clicks") + 1):
        return
    try:
        with transaction.atomic():
            EditionClick.objects.create(
                edition_id=edition_id, article_id=article_id, clicks=1
            )
    except IntegrityError:  # another click made the row first
        rows.update(clicks=F("clicks") + 1)


def edition_clicks(edition: Edition) -> list[tuple]:
    """``(article, clicks)`` for each article of the edition, in its order,
    zeros included: one query."""
    clicks = EditionClick.objects.filter(
        edition_id=OuterRef("edition_id"), article_id=OuterRef("article_id")
    ).values("clicks")
    entries = (
        edition.edition_articles.select_related("article")
        .annotate(click_count=Coalesce(Subquery(clicks), Value(0)))
        .order_by("position", "pk")
    )
    return [(entry.article, entry.click_count) for entry in entries]
