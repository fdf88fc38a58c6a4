"""One chunk of an import written: the new subscribers, their topics, and
the confirmation mails of the pending ones, in the caller's transaction."""

from django.db import connection
from django.db.models.functions import Lower
from django.utils import timezone
from taggit.models import Tag

from newsletter.handoffs import confirmations_wanted
from newsletter.models import Subscriber

from .models import SubscriberImport
from .plan import IMPORT_CONSENT_VERSION, Decision, Outcome, Tally

SOURCE_MAX = Subscriber._meta.get_field("source").max_length
PENDING_NOTE = "Imported without a record of consent: asked to confirm by mail."


class Topics:
    """The site's topics by lower-cased name and by slug (tags of the file
    matched to them; others are counted and ignored)."""

    def __init__(self):
        self.ids = {}
        for pk, name, slug in Tag.objects.values_list("pk", "name", "slug"):
            self.ids.setdefault(name.lower(), pk)
            self.ids.setdefault(slug.lower(), pk)

    def match(self, tags: list[str], tally: Tally) -> set[int]:
        found = set()
        for tag in tags:
            pk = self.ids.get(tag.strip().lower())
            if pk is None:
                tally.counts["tags_unknown"] += 1
            else:
                tally.counts["tags_matched"] += 1
                found.add(pk)
        return found


def consent_record(decision: Decision, source: SubscriberImport) -> str:
    """What ``source`` says of this subscriber's consent."""
    if decision.outcome == Outcome.NEW_PENDING:
        text = PENDING_NOTE
    elif decision.row.consent:
        text = f"Imported: {decision.row.consent}"
    elif decision.outcome == Outcome.NEW_CONFIRMED:
        text = f"Imported with the editor's statement (import {source.pk})"
    else:
        text = f"Imported as {decision.outcome.value}"
    return text[:SOURCE_MAX]


def new_subscriber(decision: Decision, source: SubscriberImport, now) -> Subscriber:
    row, outcome = decision.row, decision.outcome
    subscriber = Subscriber(
        email=decision.address,
        source_import=source,
        consent_version=IMPORT_CONSENT_VERSION,
        source=consent_record(decision, source),
        signed_up_at=row.signed_up_at or now,
        status=Subscriber.Status.PENDING,
    )
    if outcome == Outcome.NEW_CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = row.confirmed_at or now
    elif outcome == Outcome.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
    elif outcome == Outcome.SUPPRESSED:
        subscriber.status = Subscriber.Status.SUPPRESSED
        subscriber.suppressed_at = now
        subscriber.suppression_source = "import"
        subscriber.suppression_reason = (
            Subscriber.SuppressionReason.COMPLAINT
            if row.status == "complained"
            else Subscriber.SuppressionReason.HARD_BOUNCE
        )
    return subscriber


def topics_link(pairs: list[tuple[int, int]]) -> None:
    """Give subscribers topics: (subscriber id, tag id) pairs, those already
    there left alone. On PostgreSQL one INSERT of two arrays: the ORM's
    bulk_create builds a model instance a link, most of an import's time
    when rows carry tags."""
    through = Subscriber.topics.through
    if not pairs:
        return
    if connection.vendor != "postgresql":
        through.objects.bulk_create(
            [through(subscriber_id=s, tag_id=t) for s, t in pairs],
            ignore_conflicts=True,
        )
        return
    table = connection.ops.quote_name(through._meta.db_table)
    subscriber = through._meta.get_field("subscriber").column
    tag = through._meta.get_field("tag").column
    subscribers, tags = zip(*pairs, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({subscriber}, {tag}) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
            [list(subscribers), list(tags)],
        )


def chunk_write(
    *, decisions: list[Decision], source: SubscriberImport, topics: Topics, tally: Tally
) -> None:
    """Insert the chunk's new subscribers (an address that arrived meanwhile
    is left as it is: ON CONFLICT DO NOTHING), give them their topics, and
    ask for the pending ones' confirmation mails."""
    now = timezone.now()
    new = [d for d in decisions if d.is_new]
    Subscriber.objects.bulk_create(
        [new_subscriber(d, source, now) for d in new], ignore_conflicts=True
    )
    if not new:
        return
    created = dict(
        Subscriber.objects.filter(source_import=source)
        .annotate(address=Lower("email"))
        .filter(address__in=[d.address.lower() for d in new])
        .values_list("address", "pk")
    )
    topics_link(
        [
            (created[d.address.lower()], tag)
            for d in new
            if d.address.lower() in created
            for tag in topics.match(d.row.tags, tally)
        ]
    )
    pending = Subscriber.objects.filter(
        pk__in=[
            created[d.address.lower()] for d in new if d.address.lower() in created
        ],
        status=Subscriber.Status.PENDING,
    )
    pending_ids = list(pending.values_list("pk", flat=True))
    if pending_ids:
        confirmations_wanted.send(sender=Subscriber, subscriber_ids=pending_ids)
