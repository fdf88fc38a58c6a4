"""Publishing from the article form: the state line, the "Publish now",
"Schedule", "Unpublish" and "Submit for review" buttons and the confirmation
page (ArticleAdmin mixes this in; the rules are in desk/publishing.py).

The buttons submit the form, so nothing typed is lost: the article is saved as
it stands (its state unchanged) and the editor is taken to a page saying
exactly what will happen and when, with one button to do it.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from articles import roles

from . import publishing

TZ_FIELD = "_editor_tz"
# Articles named on the list's confirmation page; more are counted.
BULK_SHOWN = 50


class WaitingForReviewFilter(admin.SimpleListFilter):
    """Drafts their writers submitted, oldest request first in mind."""

    title = "review"
    parameter_name = "review_request"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for review")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(publishing.waiting_for_review_q())
        return queryset


class PublishingAdminMixin:
    """For ArticleAdmin: buttons, confirmation page and review requests."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="articles_article_publish",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, **kw):
        article = context.get("original")
        may_publish = roles.can_publish(request.user)
        context["publishing"] = {
            "state": article.state if article else None,
            "line": publishing.state_line(article) if article else "Not saved yet",
            "live_url": article.get_absolute_url()
            if article and article.is_live
            else "",
            "actions": publishing.available_actions(article or self.model())
            if may_publish
            else [],
            "may_submit": self.may_request_review(request, article),
            "tz_field": TZ_FIELD,
            "links_here": publishing.links_here(article, viewer=request.user)
            if article
            else None,
        }
        return super().render_change_form(request, context, add, change, **kw)

    def may_request_review(self, request, article) -> bool:
        """Whether "Submit for review" is offered: to a writer who may save
        the article (the rule the change view answers 403 by), once."""
        if roles.can_publish(request.user):
            return False
        if article is None:
            return self.has_add_permission(request)
        return article.review_requested_at is None and self.has_change_permission(
            request, article
        )

    def _publishing_redirect(self, request, article, *, added=False):
        """After a save by a publishing button: on to its confirmation.

        Said in place of Django's "changed successfully", which reads as if
        the button had done its work already.
        """
        if not roles.can_publish(request.user):
            return None
        for button, action in publishing.BUTTONS.items():
            if button not in request.POST:
                continue
            query = {"action": action}
            tz = request.POST.get(TZ_FIELD, "")
            if publishing.editor_zone(tz):
                query["tz"] = tz
            # A new time for a scheduled article, not saved until confirmed.
            requested = getattr(article, "requested_publish_at", None)
            if action == publishing.SCHEDULE and requested:
                query["at"] = requested.isoformat()
            saved = "saved as a draft" if added else "saved"
            self.message_user(
                request,
                f"Your changes to “{article}” are {saved}. Nothing changes on "
                "the site until you confirm below.",
                messages.INFO,
            )
            url = reverse("admin:articles_article_publish", args=[article.pk])
            return HttpResponseRedirect(f"{url}?{urlencode(query)}")
        return None

    def _after_save(self, request, article, response):
        if publishing.SUBMIT_REVIEW_BUTTON in request.POST:
            publishing.article_request_review(article=article)
            self.message_user(
                request,
                f"“{article}” was submitted for review: editors see it under "
                "“Waiting for review”. You can still change it until it is "
                "published.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[article.pk])
            )
        return response

    def response_change(self, request, obj):
        redirect = self._publishing_redirect(request, obj)
        if redirect is not None:
            return redirect
        return self._after_save(request, obj, super().response_change(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        redirect = self._publishing_redirect(request, obj, added=True)
        if redirect is not None:
            return redirect
        response = super().response_add(request, obj, post_url_continue)
        return self._after_save(request, obj, response)

    def publish_view(self, request, object_id):
        """GET: what the action will do, in words. POST: do it."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No such article.")
        if not (
            roles.can_publish(request.user)
            and self.has_change_permission(request, article)
        ):
            raise PermissionDenied
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
            self.message_user(request, plan.error, messages.WARNING)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            publishing.article_apply(article=article, action=action, at=plan.at)
            self.message_user(request, plan.summary, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{capfirst(plan.action)} “{article}”?",
            "subtitle": str(article),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": article,
            "plan": plan,
            "tz": editor_tz.key if editor_tz else "",
            "at": data.get("at", "") if at else "",
            "change_url": change_url,
            "warnings": self.publish_warnings(request, article, action),
        }
        return TemplateResponse(
            request, "admin/articles/article/publish_confirm.html", context
        )

    def bulk_publishing(self, request, queryset, action, *, done, skipped):
        """A publishing action on the list: a page saying what will happen
        first (as for one article), then, once confirmed, done."""
        now = timezone.now()
        articles = list(queryset.select_related("author"))
        plans = [(a, publishing.plan(a, action, now=now)) for a in articles]
        changing = [(a, p) for a, p in plans if not p.error]
        left = len(plans) - len(changing)
        if request.POST.get("post") == "yes":
            for article, plan in changing:
                publishing.article_apply(article=article, action=action, at=plan.at)
            self._report(request, len(changing), *done, left, skipped)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": publishing.bulk_question(action, len(changing)),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "action": action,
            "action_name": request.POST.get("action", ""),
            "articles": articles,
            "changing": [a for a, _ in changing][:BULK_SHOWN],
            "more": max(len(changing) - BULK_SHOWN, 0),
            "unchanged": [(a, p.error) for a, p in plans if p.error][:BULK_SHOWN],
            "summary": publishing.bulk_summary(
                action, [a for a, _ in changing], now=now
            ),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/articles/article/bulk_publish_confirm.html", context
        )

    def publish_warnings(self, request, article, action) -> list[str]:
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
