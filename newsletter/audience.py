"""Who gets which articles of an edition: the one rule of topic preferences.

A subscriber who chose no topic gets the whole edition; one who chose topics
gets the edition's live articles that share at least one of them, and no mail
at all when none does. A paused subscriber gets nothing
(SubscriberQuerySet.receiving). Sending fixes this once when it starts
(delivery_lifecycle._fix_recipients) and the send-now confirmation counts it
(edition_plans.edition_send_now_plan): both ask this module.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast

from .models import Edition, Subscriber

SUBSCRIBERS_PER_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Share:
    """The articles one subscriber gets (ids, in the edition's order);
    ``mailed`` False: their topics had nothing in it, so no mail."""

    article_ids: tuple[int, ...]
    mailed: bool = True

    @property
    def key(self) -> str:
        return ",".join(map(str, self.article_ids))


@dataclass(frozen=True)
class EditionTopics:
    """An edition's live articles, each with its topic (tag) ids."""

    articles: tuple[tuple[int, frozenset[int]], ...]

    @classmethod
    def of(cls, edition: Edition) -> "EditionTopics":
        tags: dict[int, set[int]] = {}  # in the edition's order
        rows = edition.live_articles().values_list("article_id", "article__tags__id")
        for pk, tag in rows:
            tags.setdefault(pk, set())
            if tag is not None:
                tags[pk].add(tag)
        return cls(tuple((pk, frozenset(topics)) for pk, topics in tags.items()))

    def share_for(self, topics: frozenset[int]) -> Share:
        """The rule: no topic chosen is every article; else those sharing one."""
        if not topics:
            return Share(tuple(pk for pk, _ in self.articles))
        chosen = tuple(pk for pk, tags in self.articles if tags & topics)
        return Share(chosen, mailed=bool(chosen))


def receiving_topics(now: datetime) -> Iterator[list[tuple[int, frozenset[int]]]]:
    """(subscriber id, chosen topic ids) of everyone an edition starting at
    ``now`` goes to, in id order, in chunks: memory stays flat with the list,
    one query per chunk (each subscriber's topics read by index)."""
    chosen = (
        Subscriber.topics.through.objects.filter(subscriber_id=OuterRef("pk"))
        .values("subscriber_id")
        .annotate(ids=StringAgg(Cast("tag_id", CharField()), Value(",")))
        .values("ids")
    )
    receiving = (
        Subscriber.objects.receiving(now)
        .annotate(chosen=Subquery(chosen))
        .order_by("pk")
        .values_list("pk", "chosen")
    )
    last = 0
    while rows := list(receiving.filter(pk__gt=last)[:SUBSCRIBERS_PER_CHUNK]):
        yield [
            (pk, frozenset(map(int, ids.split(","))) if ids else frozenset())
            for pk, ids in rows
        ]
        if len(rows) < SUBSCRIBERS_PER_CHUNK:
            return
        last = rows[-1][0]


def edition_shares(
    edition: Edition, now: datetime
) -> Iterator[list[tuple[int, Share]]]:
    """(subscriber id, their share of ``edition``) in chunks, for everyone
    receiving at ``now``; each distinct topic set is worked out once."""
    edition_topics = EditionTopics.of(edition)
    shares: dict[frozenset[int], Share] = {}
    for chunk in receiving_topics(now):
        rows = []
        for pk, topics in chunk:
            if topics not in shares:
                shares[topics] = edition_topics.share_for(topics)
            rows.append((pk, shares[topics]))
        yield rows


@dataclass(frozen=True)
class AudienceCounts:
    """How an edition would divide among its subscribers at a moment."""

    recipients: int  # get a mail
    no_mail: int  # receiving, but nothing in their topics
    variants: int  # distinct sets of articles mailed (renders)


def edition_audience_counts(edition: Edition, now: datetime) -> AudienceCounts:
    by_share = Counter()
    for chunk in edition_shares(edition, now):
        by_share.update(share for _, share in chunk)
    mailed = [share for share in by_share if share.mailed]
    return AudienceCounts(
        recipients=sum(by_share[share] for share in mailed),
        no_mail=sum(count for share, count in by_share.items() if not share.mailed),
        variants=len(mailed),
    )
