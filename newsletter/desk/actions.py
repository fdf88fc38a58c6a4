"""What the desk's buttons and admin actions do: each calls a service and
tells the editor what came of it."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from .. import editions, exports, subscribers
from ..models import Subscriber
from . import wording

# -- Edition buttons ---------------------------------------------------------------


def send_test(model_admin, request, edition) -> None:
    """Mail the edition as saved to the editor, marked as a test."""
    if not request.user.email:
        model_admin.message_user(
            request,
            "Your account has no email address; add one to receive tests.",
            messages.ERROR,
        )
        return
    try:
        editions.edition_send_test(edition=edition, to=request.user.email)
    except Exception as error:  # the mail server's answer, shown to the editor
        model_admin.message_user(
            request, f"The test could not be sent: {error}", messages.ERROR
        )
        return
    model_admin.message_user(
        request, f"Sent a test of “{edition}” to {request.user.email}."
    )


def schedule_now(model_admin, request, chosen) -> None:
    """Send the chosen editions now (those not yet sending or sent)."""
    now = timezone.now()
    scheduled = [
        edition
        for edition in chosen
        if editions.edition_schedule(edition=edition, when=now)
    ]
    if scheduled:
        model_admin.message_user(
            request,
            f"{len(scheduled)} edition(s) queued for sending; the first mails "
            "go out within seconds (see Delivery counts).",
        )
    if len(scheduled) < len(chosen):
        model_admin.message_user(
            request,
            "Editions already sending or sent were left alone.",
            messages.WARNING,
        )


def add_week(model_admin, request, edition) -> None:
    """Add the week's live articles not yet in the edition, at the end."""
    added = editions.edition_add_week_articles(edition=edition)
    week = wording.week(edition)
    if not added:
        model_admin.message_user(
            request,
            f"No articles to add: every live article published from {week} "
            "is in the edition already (or there is none).",
            messages.WARNING,
        )
        return
    titles = ", ".join(f"“{article}”" for article in added)
    model_admin.message_user(
        request,
        f"Added {len(added)} article(s) published from {week}, at the end: {titles}.",
        messages.SUCCESS,
    )


# -- Edition list actions ------------------------------------------------------------


@admin.action(description="Send a test to myself", permissions=["change"])
def send_test_to_me(model_admin, request, queryset):
    for edition in queryset:
        send_test(model_admin, request, edition)


@admin.action(description="Send now (asks to confirm)", permissions=["change"])
def send_now(model_admin, request, queryset):
    chosen = list(queryset[:2])
    if len(chosen) != 1:
        model_admin.message_user(
            request,
            "Choose one edition to send: its confirmation says how many "
            "subscribers it goes to.",
            messages.WARNING,
        )
        return None
    return HttpResponseRedirect(
        reverse("admin:newsletter_edition_send_now", args=[chosen[0].pk])
    )


@admin.action(description="Unschedule (back to draft)", permissions=["change"])
def unschedule(model_admin, request, queryset):
    changed = sum(
        editions.edition_schedule(edition=edition, when=None) for edition in queryset
    )
    model_admin.message_user(request, f"{changed} edition(s) back to draft.")


# -- Subscriber list actions -----------------------------------------------------


@admin.action(description="Export selected subscribers as CSV", permissions=["view"])
def export_csv(model_admin, request, queryset):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return StreamingHttpResponse(
        exports.subscribers_csv_lines(subscribers=queryset),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="subscribers-{stamp}.csv"'
        },
    )


@admin.action(
    description="Resend the confirmation email (pending only)",
    permissions=["change"],
)
def resend_confirmation(model_admin, request, queryset):
    queued = sum(
        subscribers.subscriber_resend_confirmation(subscriber=subscriber)
        for subscriber in queryset
    )
    model_admin.message_user(
        request, f"{queued} confirmation email(s) queued; they go out in seconds."
    )
    if queued < len(queryset):
        model_admin.message_user(
            request, "Subscribers not pending were left alone.", messages.WARNING
        )


@admin.action(description="Unsubscribe selected subscribers", permissions=["change"])
def unsubscribe(model_admin, request, queryset):
    changed = sum(
        subscribers.subscriber_unsubscribe(
            subscriber=subscriber, method=Subscriber.UnsubscribeMethod.ADMIN
        )
        for subscriber in queryset
    )
    model_admin.message_user(request, f"Unsubscribed {changed} subscriber(s).")
