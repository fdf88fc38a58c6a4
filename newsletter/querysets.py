"""How the newsletter's rows are read: the querysets of its models.

They ask their model for its statuses (``self.model.Status``) and reach the
related models through the model's fields, so the models (models/) import this module
and nothing here imports them back.
"""

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.dispatch import Signal
from django.utils import timezone

# Sent with the new ``status`` when editions change status through update().
edition_status_changed = Signal()


class SubscriberQuerySet(models.QuerySet):
    def with_email(self, email: str):
        """The subscriber with this (normalised) address, whatever its case.

        Compares lower-cased values so PostgreSQL uses the unique index on
        LOWER(email).
        """
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def confirmed(self):
        return self.filter(status=self.model.Status.CONFIRMED)

    def receiving(self, now):
        """Who an edition starting to send at ``now`` goes to: confirmed and
        not paused (``paused_until`` unset or come). Which of its articles
        each gets is newsletter/audience.py's rule (their topics)."""
        return self.confirmed().filter(
            Q(paused_until__isnull=True) | Q(paused_until__lte=now)
        )

    def confirmable_q(self, issued_at) -> Q:
        """Who a confirmation link issued at ``issued_at`` may confirm: a
        pending subscriber who has not unsubscribed since it was issued.

        The one rule for "who can confirm": the link's page (tokens.py) and
        the confirmation itself (subscribers.subscriber_confirm) both ask it,
        so a page never offers a confirmation the POST would refuse.
        Confirmed, unsubscribed and suppressed (bounced or complained)
        addresses are not confirmable.
        """
        return Q(status=self.model.Status.PENDING) & (
            Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__lt=issued_at)
        )

    def confirmable(self, issued_at):
        return self.filter(self.confirmable_q(issued_at))

    def counts_by_status(self) -> dict[str, int]:
        """Number of subscribers in each status, plus the total (one query)."""
        counts = self.aggregate(
            total=Count("pk"),
            **{
                status.value: Count("pk", filter=Q(status=status))
                for status in self.model.Status
            },
        )
        return counts


class EditionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """As QuerySet.update, telling listeners when editions change status
        (sending moves editions on with update(), which sends no post_save)."""
        rows = super().update(**kwargs)
        if rows and "status" in kwargs:
            edition_status_changed.send(sender=self.model, status=kwargs["status"])
        return rows

    def archived(self):
        """Editions readers may see on the web: those going or gone out."""
        return self.filter(
            status__in=[self.model.Status.SENDING, self.model.Status.SENT]
        )

    def with_contents_end(self):
        """Annotate ``contents_end``: up to when an edition going or gone out
        covered the site's articles. A weekly edition covers its period; one
        made by hand covers its week up to the moment it went out."""
        return self.annotate(contents_end=Coalesce("period_end", "started_at"))

    def sent_articles(self):
        """Ids of the articles in editions going or gone out: they have reached
        (or are reaching) subscribers, and go in no other automatic edition."""
        entries = self.model._meta.get_field("edition_articles").related_model
        return entries.objects.filter(edition__in=self.archived().values("pk")).values(
            "article_id"
        )

    def automatic(self):
        """Editions the weekly job made (they have a period)."""
        return self.filter(period_end__isnull=False)

    def editable(self):
        """Editions whose sending has not started (Edition.EDITABLE)."""
        return self.filter(status__in=self.model.EDITABLE)

    def yielding_to(self, edition):
        """The weekly editions not gone out yet that give up their copies of
        ``edition``'s articles when it goes out (delivery_lifecycle.start_sending), so
        no article reaches subscribers twice. Hand-made ones are left as the
        editors made them."""
        return self.automatic().editable().exclude(pk=edition.pk)

    def due(self, now=None):
        """Editions the sender should work on now."""
        now = now or timezone.now()
        return self.filter(
            Q(status=self.model.Status.SCHEDULED, scheduled_for__lte=now)
            | Q(status=self.model.Status.SENDING)
        ).order_by("scheduled_for", "pk")

    def with_delivery_counts(self):
        """Recipients and their mails' statuses; ``no_mail_count``: the
        subscribers whose topics had nothing in it (no delivery for them)."""
        delivery = self.model._meta.get_field("deliveries").related_model
        variant = self.model._meta.get_field("variants").related_model
        statuses = delivery.Status
        no_mail = variant.objects.filter(edition=OuterRef("pk"), mailed=False)
        return self.annotate(
            no_mail_count=Coalesce(Subquery(no_mail.values("subscribers")[:1]), 0),
            recipient_count=Count("deliveries"),
            sent_count=Count("deliveries", filter=Q(deliveries__status=statuses.SENT)),
            failed_count=Count(
                "deliveries", filter=Q(deliveries__status=statuses.FAILED)
            ),
            skipped_count=Count(
                "deliveries", filter=Q(deliveries__status=statuses.SKIPPED)
            ),
            unknown_count=Count(
                "deliveries", filter=delivery.unknown_q("deliveries__")
            ),
        )
