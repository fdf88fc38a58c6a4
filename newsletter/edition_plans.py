"""What sending or resending an edition would do, for an editor to confirm.

The confirmation pages (newsletter/desk/pages.py) show these before anything
is sent: who gets the edition, what happens to the other scheduled editions,
and, for a resend, exactly which deliveries the editor is confirming.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .audience import edition_audience_counts
from .models import Delivery, Edition

# "pk:attempts" of one delivery, as the resend confirmation lists it.
SHOWN_DELIVERY = re.compile(r"([0-9]{1,18}):([0-9]{1,4})")


@dataclass(frozen=True)
class ScheduledBesides:
    """Another scheduled edition, and what sending one edition now does to it."""

    edition: Edition
    shared: int  # articles in both
    gives_up_shared: bool  # weekly: loses them when the other goes out
    article_count: int

    @property
    def goes_back_to_draft(self) -> bool:
        return self.gives_up_shared and self.shared == self.article_count > 0


def scheduled_besides(edition: Edition) -> list[ScheduledBesides]:
    """The other scheduled editions, soonest first, each with what sending
    ``edition`` now does to it (the rule of EditionQuerySet.yielding_to,
    which delivery applies when sending starts). One query."""
    ours = edition.edition_articles.values("article_id")
    others = (
        Edition.objects.filter(status=Edition.Status.SCHEDULED)
        .exclude(pk=edition.pk)
        .annotate(
            article_count=Count("edition_articles"),
            shared=Count(
                "edition_articles",
                filter=Q(edition_articles__article_id__in=ours),
            ),
            gives_up=Exists(
                Edition.objects.yielding_to(edition).filter(pk=OuterRef("pk"))
            ),
        )
        .order_by("scheduled_for", "pk")
    )
    return [
        ScheduledBesides(
            edition=other,
            shared=other.shared,
            gives_up_shared=bool(other.gives_up),
            article_count=other.article_count,
        )
        for other in others
    ]


@dataclass(frozen=True)
class SendNowPlan:
    """Who gets an edition sent now, and what it does to the others."""

    recipients: int  # get a mail if it starts now (audience.py's rule)
    no_mail: int  # confirmed, not paused, but nothing in their topics
    variants: int  # distinct sets of articles mailed
    articles: int  # live articles in the edition
    scheduled_for: datetime | None  # the time sending now replaces
    others: list[ScheduledBesides]


def edition_send_now_plan(*, edition: Edition) -> SendNowPlan:
    """What "Send now" would do to ``edition``, as its confirmation says."""
    scheduled = edition.status == Edition.Status.SCHEDULED
    audience = edition_audience_counts(edition, timezone.now())
    return SendNowPlan(
        recipients=audience.recipients,
        no_mail=audience.no_mail,
        variants=audience.variants,
        articles=edition.live_articles().count(),
        scheduled_for=edition.scheduled_for if scheduled else None,
        others=scheduled_besides(edition),
    )


def edition_unknown_deliveries(*, edition: Edition) -> list[tuple[int, int, str]]:
    """The edition's mails of unknown outcome: (delivery id, attempts,
    address), in delivery order, as a resend confirmation lists them."""
    unknown = edition.deliveries.filter(Delivery.unknown_q()).order_by("pk")
    return list(unknown.values_list("pk", "attempts", "subscriber__email"))


def shown_deliveries_format(rows: list[tuple[int, int, str]]) -> str:
    """The ``pk:attempts`` list a resend confirmation posts back."""
    return ",".join(f"{pk}:{attempts}" for pk, attempts, _ in rows)


def shown_deliveries_parse(*, edition: Edition, raw: str) -> dict[int, int]:
    """Delivery id to attempts from a posted ``pk:attempts`` list; ValueError
    if it is not one this edition's confirmation page could have made."""
    items = raw.split(",") if raw else []
    matches = [SHOWN_DELIVERY.fullmatch(item) for item in items]
    if not matches or not all(matches):
        raise ValueError("Resend the mails from the confirmation page.")
    shown = {int(match[1]): int(match[2]) for match in matches}
    if edition.deliveries.filter(pk__in=shown).count() != len(shown):
        raise ValueError("These deliveries are not this edition's.")
    return shown
