"""Publishing from the article form: the state line, the "Publish now",
"Schedule", "Unpublish" and "Submit for review" buttons (ArticleAdmin mixes
this in; the rules are in desk/publishing.py, the confirmation pages in
desk/publish_pages.py).

The buttons submit the form, so nothing typed is lost: the article is saved as
it stands (its state unchanged) and the editor is taken to a page saying
exactly what will happen and when, with one button to do it.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from articles import roles

from . import publishing, reviews

TZ_FIELD = "_editor_tz"


class PublishingAdminMixin:
    """For ArticleAdmin: the publishing bar and review requests."""

    def render_change_form(self, request, context, add=False, change=False, **kw):
        article = context.get("original")
        context["publishing"] = publishing.bar(
            article or self.model(),
            saved=article is not None,
            viewer=request.user,
            may_submit=self.may_request_review(request, article),
            tz_field=TZ_FIELD,
        )
        context["review"] = reviews.review_bar(article, viewer=request.user)
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
        action = publishing.pressed(request.POST)
        if not action or not roles.can_publish(request.user):
            return None
        query = publishing.confirmation_query(
            action,
            tz=request.POST.get(TZ_FIELD, ""),
            # A new time for a scheduled article, not saved until confirmed.
            requested=getattr(article, "requested_publish_at", None),
        )
        saved = "saved as a draft" if added else "saved"
        self.message_user(
            request,
            f"Your changes to “{article}” are {saved}. Nothing changes on "
            "the site until you confirm below.",
            messages.INFO,
        )
        url = reverse("admin:articles_article_publish", args=[article.pk])
        return HttpResponseRedirect(f"{url}?{urlencode(query)}")

    def _after_save(self, request, article, response):
        if publishing.SUBMIT_REVIEW_BUTTON not in request.POST:
            return response
        step = reviews.review_submit(article=article, user=request.user)
        self.message_user(
            request,
            f"“{article}” was submitted for review: editors see it under "
            f"“Waiting for review”. {reviews.submit_told(step)}You can still "
            "change it until it is published.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )

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
