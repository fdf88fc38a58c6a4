"""An edition's own admin pages: the preview, the test mail, and the
confirmations of "Send now" and of a resend to mails of unknown outcome.

Every page finds its edition the same way (edition_or_403): 404 when there
is none, 403 without the permission the page needs.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

from desk.admin_objects import admin_object_or_404, admin_page_context
from desk.moments import when

from .. import edition_plans, editions, emails
from ..models import Edition
from . import actions, wording

# The preview shows the mail as sent: its <style> block needs inline styles;
# nothing else (no script, no form) may run in it.
PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "https:", "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
RESEND_LISTED = 100  # addresses named on the confirmation page; the rest linked


def edition_urls(model_admin) -> list:
    """The pages' URLs, each behind the admin's login and CSRF checks."""

    def page(route, view, name):
        view = model_admin.admin_site.admin_view(partial(view, model_admin))
        return path(f"<int:pk>/{route}/", view, name=f"newsletter_edition_{name}")

    return [
        page("preview", csp_override(PREVIEW_CSP)(preview), "preview"),
        page("send-test", send_test, "send_test"),
        page("send-now", send_now, "send_now"),
        page("resend-unknown", resend_unknown, "resend_unknown"),
    ]


def edition_or_403(model_admin, request, pk, *, change: bool) -> Edition:
    return admin_object_or_404(
        model_admin,
        request,
        pk,
        permission="change" if change else "view",
        not_found="No such edition.",
    )


def back(edition) -> HttpResponseRedirect:
    """To the edition's change page."""
    return HttpResponseRedirect(
        reverse("admin:newsletter_edition_change", args=[edition.pk])
    )


def _confirmation(model_admin, request, edition, template, *, title, **context):
    """A confirmation page of the edition (templates/admin/newsletter/edition/)."""
    context = admin_page_context(
        request,
        model_admin,
        title,
        subtitle=str(edition),
        original=edition,
        change_url=reverse("admin:newsletter_edition_change", args=[edition.pk]),
        **context,
    )
    return TemplateResponse(
        request, f"admin/newsletter/edition/{template}.html", context
    )


def preview(model_admin, request, pk):
    edition = edition_or_403(model_admin, request, pk, change=False)
    _, html = emails.edition_render(edition=edition)
    for placeholder, name in (
        (emails.UNSUBSCRIBE_PLACEHOLDER, "newsletter:unsubscribe"),
        (emails.PREFERENCES_PLACEHOLDER, "newsletter:preferences"),
    ):
        sample = reverse(name, kwargs={"token": "preview"})
        html = html.replace(placeholder, sample)
    return HttpResponse(html)


def send_test(model_admin, request, pk):
    """A test of the edition as saved (the form's button saves first)."""
    edition = edition_or_403(model_admin, request, pk, change=True)
    if request.method == "POST":
        actions.send_test(model_admin, request, edition)
    return back(edition)


def send_now(model_admin, request, pk):
    """GET: who gets the edition and when, in words. POST: send it."""
    edition = edition_or_403(model_admin, request, pk, change=True)
    if not edition.is_editable:
        model_admin.message_user(
            request,
            f"“{edition}” has already been sent or is being sent; it can't "
            "be sent again.",
            messages.WARNING,
        )
        return back(edition)
    if request.method == "POST":
        actions.schedule_now(model_admin, request, [edition])
        return back(edition)
    now = timezone.now()
    plan = edition_plans.edition_send_now_plan(edition=edition)
    return _confirmation(
        model_admin,
        request,
        edition,
        "send_confirm",
        title=f"Send “{edition}” now?",
        recipients=plan.recipients,
        no_mail=plan.no_mail,
        variants=plan.variants,
        articles=plan.articles,
        when=when(now),
        scheduled_for=when(plan.scheduled_for) if plan.scheduled_for else "",
        others=[(other, when(other.edition.scheduled_for)) for other in plan.others],
    )


def resend_unknown(model_admin, request, pk):
    """GET: who would get the edition again, and that some may have it.
    POST: resend to exactly the deliveries the page listed."""
    edition = edition_or_403(model_admin, request, pk, change=True)
    if request.method == "POST":
        _resend(model_admin, request, edition)
        return back(edition)
    rows = edition_plans.edition_unknown_deliveries(edition=edition)
    if not rows:
        model_admin.message_user(
            request,
            f"No mail of “{edition}” has an unknown outcome: nothing to resend.",
            messages.WARNING,
        )
        return back(edition)
    return _confirmation(
        model_admin,
        request,
        edition,
        "resend_unknown",
        title=f"Resend “{edition}” to {len(rows)} subscriber(s)?",
        count=len(rows),
        addresses=[email for _, _, email in rows[:RESEND_LISTED]],
        more=max(0, len(rows) - RESEND_LISTED),
        shown=edition_plans.shown_deliveries_format(rows),
        unknown_url=wording.unknown_url(edition),
    )


def _resend(model_admin, request, edition) -> None:
    """The confirmed resend; 400 for a list the page could not have made."""
    try:
        shown = edition_plans.shown_deliveries_parse(
            edition=edition, raw=request.POST.get("deliveries", "")
        )
    except ValueError as error:
        raise BadRequest(str(error)) from error
    resent = editions.edition_resend_unknown(edition=edition, shown=shown)
    if resent:
        model_admin.message_user(
            request,
            f"Resending “{edition}” to {resent} subscriber(s) whose mail "
            "had an unknown outcome; the mails go out within seconds.",
            messages.SUCCESS,
        )
    else:
        model_admin.message_user(
            request,
            "Nothing was resent: those mails were resent already (by "
            "you or another editor) or are no longer of unknown outcome.",
            messages.WARNING,
        )
