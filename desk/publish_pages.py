"""The publishing confirmation pages: one article's, and the list's.

GET says what the action will do, in words; POST does it. The rules and the
wording are in desk/publishing.py and desk/bulk_actions.py.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from articles import roles

from . import bulk_actions, publishing
from .admin_objects import admin_object_or_404, admin_page_context

# Articles named on the list's confirmation page; more are counted.
BULK_SHOWN = 50


def _article_to_publish(request, model_admin, object_id):
    article = admin_object_or_404(
        model_admin,
        request,
        object_id,
        permission="change",
        not_found="No such article.",
    )
    if not roles.can_publish(request.user):
        raise PermissionDenied
    return article


def publish_page(request, model_admin, object_id):
    """GET: what the action will do, in words. POST: do it."""
    article = _article_to_publish(request, model_admin, object_id)
    data = request.POST if request.method == "POST" else request.GET
    action = data.get("action", "")
    if action not in publishing.ACTIONS:
        raise Http404("No such publishing action.")
    editor_tz = publishing.editor_zone(data.get("tz"))
    at = None
    if data.get("at"):
        at = publishing.parse_moment(data["at"])
        if at is None:
            return HttpResponseBadRequest(
                "The publish time asked for is not a date and time with its "
                "offset between the years 2 and 9998."
            )
    plan = publishing.plan(article, action, editor_tz=editor_tz, at=at)
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    if plan.error:
        model_admin.message_user(request, plan.error, messages.WARNING)
        return HttpResponseRedirect(change_url)
    if request.method == "POST":
        publishing.article_apply(
            article=article, action=action, at=plan.at, user=request.user
        )
        model_admin.message_user(request, plan.summary, messages.SUCCESS)
        return HttpResponseRedirect(change_url)
    context = admin_page_context(
        request,
        model_admin,
        f"{capfirst(plan.action)} “{article}”?",
        subtitle=str(article),
        original=article,
        plan=plan,
        tz=editor_tz.key if editor_tz else "",
        at=data.get("at", "") if at else "",
        change_url=change_url,
        warnings=publish_warnings(article, action),
    )
    return TemplateResponse(
        request, "admin/articles/article/publish_confirm.html", context
    )


def bulk_publish_page(request, model_admin, queryset, action):
    """A publishing action on the list: a page saying what will happen
    first (as for one article), then, once confirmed, done."""
    now = timezone.now()
    articles = list(queryset.select_related("author"))
    plans = [(a, publishing.plan(a, action, now=now)) for a in articles]
    changing = [(a, p) for a, p in plans if not p.error]
    left = len(plans) - len(changing)
    if request.POST.get("post") == "yes":
        for article, plan in changing:
            publishing.article_apply(
                article=article, action=action, at=plan.at, user=request.user
            )
        report_done(request, model_admin, action, len(changing), left)
        return None
    context = admin_page_context(
        request,
        model_admin,
        publishing.bulk_question(action, len(changing)),
        action=action,
        action_name=request.POST.get("action", ""),
        articles=articles,
        changing=[a for a, _ in changing][:BULK_SHOWN],
        more=max(len(changing) - BULK_SHOWN, 0),
        unchanged=[(a, p.error) for a, p in plans if p.error][:BULK_SHOWN],
        summary=publishing.bulk_summary(action, [a for a, _ in changing], now=now),
        action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
    )
    return TemplateResponse(
        request, "admin/articles/article/bulk_publish_confirm.html", context
    )


def report_done(request, model_admin, action: str, done: int, skipped: int):
    model_admin.message_user(
        request,
        bulk_actions.report(action, done, skipped),
        messages.SUCCESS if done else messages.INFO,
    )


def publish_warnings(article, action) -> list[str]:
    if action != publishing.UNPUBLISH:
        warning = publishing.missing_cover_warning(article)
        return [warning] if warning else []
    referrers = list(publishing.live_referrers(article))
    if not referrers:
        return []
    names = ", ".join(f"“{referrer}”" for referrer in referrers)
    return [
        f"{len(referrers)} live article(s) link to it: {names}. Their "
        "“Read more” line or related card for it disappears until it is "
        "published again."
    ]
