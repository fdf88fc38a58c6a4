import math

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView

from httpguard import ratelimit
from httpguard.views import DATABASE_UNAVAILABLE, unavailable
from reader.site_urls import article_page_slug
from reader.views import PublicPageMixin

from . import showcase, subscribers, tokens
from .forms import SignupForm, clean_source
from .models import Edition, Subscriber

LINK_STATUS = {
    tokens.LinkState.INVALID: 400,
    tokens.LinkState.EXPIRED: 410,
    tokens.LinkState.STALE: 410,
    tokens.LinkState.SUPPRESSED: 410,
}


def _article_path(path: str) -> str:
    """``path`` if it is one of our article pages (checked), else nothing."""
    return path if article_page_slug(path) is not None else ""


def _private(response):
    add_never_cache_headers(response)
    return response


def rate_limited(request, wait: int, *, attempts: str = "") -> HttpResponse:
    """The 429 page of every newsletter form: the minutes to wait, and
    Retry-After in seconds. ``attempts`` names what was refused (the page
    says "sign-ups" by default)."""
    response = render(
        request,
        "newsletter/rate_limited.html",
        {"minutes": math.ceil(wait / 60), "attempts": attempts},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


# CSRF: the sign-up form sits on every article page, and those pages are
# served from shared caches to anonymous readers, so they cannot carry a
# per-reader CSRF token (nor set a cookie). The POST is exempt instead, which
# is safe because of double opt-in: a forged sign-up can at most cause one
# throttled confirmation mail, the same as typing the address into the form;
# nothing is confirmed without the mailbox owner's own POST from the mail's
# link, and each client is rate-limited. No session or login is involved.
@method_decorator(csrf_exempt, name="dispatch")
class SignupView(PublicPageMixin, View):
    """The sign-up page (GET, cacheable) and the form's target (POST)."""

    template_name = "newsletter/signup.html"

    def page(self, request, form, status=200):
        """The page that sells the digest around its form (newsletter/showcase.py)."""
        context = {"form": form, "showcase": showcase.showcase()}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.page(request, SignupForm())

    def post(self, request):
        wait = ratelimit.hit(
            request, scope="newsletter-signup", rate=settings.NEWSLETTER_RATE_LIMIT
        )
        if wait:
            return _private(rate_limited(request, wait))
        form = SignupForm(request.POST)
        if form.is_bot:
            return self.check_your_inbox(request, form)
        if not form.is_valid():
            return _private(self.page(request, form, status=400))
        try:
            subscribers.subscriber_signup(
                email=form.cleaned_data["email"],
                source=form.cleaned_data["source"],
                consent_version=form.cleaned_data["consent_version"],
            )
        except DATABASE_UNAVAILABLE:
            # Nothing was kept (one transaction): say so, with the address
            # typed in a form that sends it again.
            return self.not_saved(request, form)
        return self.check_your_inbox(request, form)

    def not_saved(self, request, form):
        """503 with the form filled in, rendered without the database."""
        context = {"form": form, "request": request}
        page = loader.get_template("newsletter/signup_unavailable.html")
        return unavailable(page.render(context))

    def check_your_inbox(self, request, form):
        # One page, byte for byte, whatever the address's state: the answer
        # must not tell anyone whether an address is subscribed. It repeats
        # only what the reader typed (the address, the page they came from).
        context = {
            "typed_email": (form["email"].value() or "").strip(),
            "back_to": _article_path(clean_source(form.data.get("source", ""))),
        }
        return _private(render(request, "newsletter/check_inbox.html", context))


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """GET shows a button (mail scanners open links); only the POST confirms.

    The page is never cached, so its form carries Django's CSRF token.
    """

    template_name = "newsletter/confirm.html"

    def get(self, request, token):
        return self.respond(request, tokens.read_confirmation_token(token))

    def post(self, request, token):
        link = tokens.read_confirmation_token(token)
        if link.state is tokens.LinkState.READY and subscribers.subscriber_confirm(
            subscriber=link.subscriber, issued_at=link.issued_at
        ):
            return self.respond(request, link, just_confirmed=True)
        # Not confirmable, or changed since the page was shown: say how it is.
        return self.respond(request, tokens.read_confirmation_token(token))

    def respond(self, request, link, *, just_confirmed=False):
        return render(
            request,
            self.template_name,
            {
                "state": link.state.value,
                "just_confirmed": just_confirmed,
                # The link was mailed to this address: it is the reader's own.
                "email": link.subscriber.email if link.subscriber else "",
            },
            status=LINK_STATUS.get(link.state, 200),
        )


# CSRF: exempt because RFC 8058 one-click unsubscribes come from mail
# programs with no cookies at all. The unguessable per-subscriber token in
# the URL is what authorises the POST; a forger would need that token.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    """GET shows a button; any POST unsubscribes at once, without a redirect."""

    template_name = "newsletter/unsubscribe.html"

    def get(self, request, token):
        subscriber = tokens.subscriber_for_unsubscribe_token(token)
        return self.respond(request, subscriber)

    def post(self, request, token):
        subscriber = tokens.subscriber_for_unsubscribe_token(token)
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        if subscriber is not None:
            subscribers.subscriber_unsubscribe(
                subscriber=subscriber,
                method=Subscriber.UnsubscribeMethod.ONE_CLICK
                if one_click
                else Subscriber.UnsubscribeMethod.PAGE,
            )
        if one_click:
            if subscriber is None:
                return HttpResponse(
                    "Unknown unsubscribe link.\n",
                    status=404,
                    content_type="text/plain; charset=utf-8",
                )
            return HttpResponse(
                "You are unsubscribed.\n", content_type="text/plain; charset=utf-8"
            )
        return self.respond(request, subscriber, done=True)

    def respond(self, request, subscriber, *, done=False):
        return render(
            request,
            self.template_name,
            {"subscriber": subscriber, "done": done},
            status=200 if subscriber else 404,
        )


class ArchivedEditionsMixin(PublicPageMixin):
    def get_queryset(self):
        return Edition.objects.archived().order_by("-started_at", "-pk")


class EditionListView(ArchivedEditionsMixin, ListView):
    template_name = "newsletter/edition_list.html"
    context_object_name = "editions"
    paginate_by = 20


class EditionDetailView(ArchivedEditionsMixin, DetailView):
    template_name = "newsletter/edition_detail.html"
    context_object_name = "edition"

    def get_context_data(self, **kwargs):
        entries = self.object.live_articles().prefetch_related("article__tags")
        return super().get_context_data(
            articles=[entry.article for entry in entries], **kwargs
        )
