"""How the desk describes editions and subscribers to editors: list columns,
the state line above the form, delivery and outcome counts."""

from urllib.parse import urlencode

from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from desk.moments import when

from .. import editions, reports
from ..models import Delivery, Edition

# Editions listed on a subscriber's page: one a week, so about half a year.
HISTORY_LENGTH = 26


def unknown_url(edition) -> str:
    """The delivery list filtered to an edition's mails of unknown outcome."""
    query = urlencode(
        {"edition__id__exact": edition.pk, "failure__exact": Delivery.Failure.UNKNOWN}
    )
    return f"{reverse('admin:newsletter_delivery_changelist')}?{query}"


def state_line(edition) -> str:
    """The sentence beside the edition's status, above its form."""
    if edition is None or edition.pk is None:
        return "Not saved yet."
    Status = Edition.Status
    if edition.status == Status.SCHEDULED and edition.scheduled_for:
        return f"Scheduled for {when(edition.scheduled_for)}."
    if edition.status == Status.SENDING:
        return f"Sending since {when(edition.started_at)}."
    if edition.status == Status.SENT:
        return f"Sent on {when(edition.started_at)}."
    return "Draft: not scheduled, nobody gets it yet."


def week(edition) -> str:
    """The week an edition covers (editions.edition_week), in words."""
    start, end = editions.edition_week(edition=edition or Edition())
    return f"{when(start)} to {when(end)}"


# -- The edition list's columns ------------------------------------------------


@admin.display(description="status", ordering="status")
def state(obj):
    moment = obj.started_at or obj.scheduled_for
    if obj.status == Edition.Status.DRAFT or moment is None:
        return obj.get_status_display()
    short = when(moment, short=True)
    return format_html(
        '{}<br><span class="quiet">{}</span>', obj.get_status_display(), short
    )


@admin.display(description="sent", ordering="sent_count")
def sent(obj):
    if obj.is_editable:
        return "–"
    others = [
        f"{count} {label}"
        for count, label in [
            (obj.failed_count, "failed"),
            (obj.skipped_count, "skipped"),
        ]
        if count
    ]
    if obj.no_mail_count:
        others.append(f"{obj.no_mail_count} no mail (topics)")
    return format_html(
        '{} <span class="quiet">of {}</span>{}{}',
        obj.sent_count,
        obj.recipient_count,
        format_html('<br><span class="quiet">{}</span>', ", ".join(others))
        if others
        else "",
        format_html(
            '<br><a href="{}">{} unknown</a>', unknown_url(obj), obj.unknown_count
        )
        if obj.unknown_count
        else "",
    )


def _outcome(obj, name):
    outcome = getattr(obj, "outcome", None)  # set for the list's page
    return getattr(outcome, name) if outcome else "–"


@admin.display(description="bounced")
def bounced(obj):
    return _outcome(obj, "bounced")


@admin.display(description="complained")
def complained(obj):
    return _outcome(obj, "complained")


@admin.display(description="unsub\u00adscribed after it")
def unsubscribed(obj):
    return _outcome(obj, "unsubscribed")


# -- The edition page's read-only fields -----------------------------------------


@admin.display(description="deliveries")
def delivery_counts(obj):
    if obj is None or obj.pk is None or obj.is_editable:
        return "Recipients are fixed when sending starts."
    counts = (
        f"{obj.recipient_count} recipients = {obj.sent_count} sent + "
        f"{obj.failed_count} failed + {obj.skipped_count} skipped"
    )
    to_go = obj.recipient_count - obj.sent_count - obj.failed_count
    to_go -= obj.skipped_count
    if to_go:
        counts += f" ({to_go} still to send, or failed and to be retried)"
    if not obj.unknown_count:
        return counts
    return format_html(
        "{}<br>Of the failed, <strong>{} of unknown outcome</strong>: the "
        "sender stopped or the connection broke while handing them over, so "
        'they may or may not have gone out. <a href="{}">See who</a> · '
        '<a href="{}">Resend to them…</a>',
        counts,
        obj.unknown_count,
        unknown_url(obj),
        reverse("admin:newsletter_edition_resend_unknown", args=[obj.pk]),
    )


@admin.display(description="by topics")
def topic_variants(obj):
    """Which articles went to how many subscribers (newsletter/audience.py)."""
    if obj is None or obj.pk is None or obj.is_editable:
        return (
            "Subscribers who chose topics get only the articles in them, and no "
            "mail when none is; “Send now” counts who gets what."
        )
    variants = list(obj.variants.order_by("-subscribers", "pk"))
    mailed = [variant for variant in variants if variant.mailed]
    titles = dict(obj.edition_articles.values_list("article_id", "article__title"))
    lines = [
        (
            f"{variant.subscribers} subscriber{pluralize(variant.subscribers)}",
            _articles_in(variant, titles),
        )
        for variant in mailed
    ]
    return format_html(
        "{} different selection{} of the articles went out:"
        '<ul class="edition-variants">{}</ul>{}',
        len(mailed),
        pluralize(len(mailed)),
        format_html_join("", "<li>{}: {}</li>", lines),
        format_html(
            "<p><strong>{} subscriber{} got no mail</strong>: nothing in their "
            "topics.</p>",
            obj.no_mail_count,
            pluralize(obj.no_mail_count),
        )
        if obj.no_mail_count
        else "",
    )


def _articles_in(variant, titles: dict[int, str]) -> str:
    ids = variant.articles
    if len(ids) == len(titles):
        return f"every article ({len(ids)})"
    named = "; ".join(f"“{titles.get(pk, '(removed)')}”" for pk in ids)
    return f"{len(ids)} of {len(titles)}: {named}"


@admin.display(description="after it went out")
def outcome_counts(obj):
    if obj is None or obj.pk is None or obj.is_editable:
        return "Counted once sending starts."
    outcome = reports.edition_outcomes([obj])[obj.pk]
    return (
        f"{outcome.bounced} bounced, {outcome.complained} complained, "
        f"{outcome.unsubscribed} unsubscribed after it (before the next "
        "edition reached them)"
    )


# -- The subscriber page ----------------------------------------------------------


@admin.display(description=f"latest {HISTORY_LENGTH} editions")
def editions_received(subscriber):
    """What was mailed to them, newest first (their bounces are below)."""
    deliveries = subscriber.deliveries.select_related("edition").order_by(
        "-edition__started_at", "-pk"
    )[:HISTORY_LENGTH]
    if not deliveries:
        return "No edition was mailed to this address."
    return format_html(
        '<ul class="subscriber-history">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}{}</li>',
            (
                (
                    reverse(
                        "admin:newsletter_edition_change",
                        args=[delivery.edition_id],
                    ),
                    delivery.edition,
                    delivery.get_status_display().lower(),
                    f" on {when(delivery.sent_at)}" if delivery.sent_at else "",
                )
                for delivery in deliveries
            ),
        ),
    )
