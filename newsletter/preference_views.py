"""A subscriber's preference page, reached from the link in every mail.

No account and no password: the link carries the subscriber's stored random
secret (``Subscriber.token``, the one the unsubscribe links use), which names
them and nobody else. Forms carry no subscriber, so a page can only ever read
or change its own link's subscriber. An unknown or malformed link gets a 404
page. The pages are the subscriber's own: never stored by any cache
(``never_cache``: private, no-store), and not indexed; their address is a
secret, so no Referer carries it to another site (``same-origin``). Forms
are POSTs, each counted against the client's newsletter rate limit.

CSRF: exempt, as the unsubscribe link is (newsletter/views.py), so nothing
is stored on the subscriber's device (no CSRF cookie): the unguessable
token in the URL is what authorises a POST, and a forger who had it could
use the page itself.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from httpguard import ratelimit

from . import preferences, subscribers, tokens, views
from .models import Subscriber
from .preference_forms import PauseForm, TopicsForm

RATE_SCOPE = "newsletter-preferences"
NOTICES = {
    "topics": "Your topics are saved.",
    "paused": "The digest is paused.",
    "resumed": "The digest is on again.",
    "unsubscribed": "You’re unsubscribed.",
}


@method_decorator(csrf_exempt, name="dispatch")
class SubscriberLinkView(View):
    """Finds the link's subscriber (a 404 page for an unknown link) and
    counts a form's POST against the rate limit."""

    def dispatch(self, request, token):
        response = self.answer(request, token)
        add_never_cache_headers(response)  # private, no-store
        response["Referrer-Policy"] = "same-origin"
        return response

    def answer(self, request, token):
        self.subscriber = tokens.subscriber_for_unsubscribe_token(token)
        if self.subscriber is None:
            return render(request, "newsletter/preferences_unknown.html", status=404)
        # Counted once a POST reaches a form: an unknown link costs one
        # indexed read, as a GET does, and guessing a 256-bit token is hopeless.
        if request.method == "POST" and hasattr(self, "post"):
            wait = ratelimit.hit(
                request, scope=RATE_SCOPE, rate=settings.NEWSLETTER_RATE_LIMIT
            )
            if wait:
                return views.rate_limited(request, wait, attempts="changes")
        return super().dispatch(request, token)

    def page(self, *, notice="", topics_form=None, pause_form=None, status=200):
        subscriber = self.subscriber
        if self.request.method == "POST":  # changed by the services' updates
            subscriber.refresh_from_db()
        context = {
            "subscriber": subscriber,
            "token": subscriber.token,
            "active": preferences.is_active(subscriber),
            "paused": preferences.is_paused(subscriber),
            "notice": NOTICES.get(notice, ""),
            "topics_form": topics_form or TopicsForm(subscriber=subscriber),
            "pause_form": pause_form or PauseForm(),
        }
        return render(
            self.request, "newsletter/preferences.html", context, status=status
        )

    def ended(self):
        """A POST to change a subscription that has ended: nothing changes."""
        return self.page(status=409)


class PreferencesView(SubscriberLinkView):
    def get(self, request, token):
        return self.page()


class TopicsView(SubscriberLinkView):
    def post(self, request, token):
        form = TopicsForm(request.POST, subscriber=self.subscriber)
        if not form.is_valid():
            return self.page(topics_form=form, status=400)
        if not preferences.subscriber_set_topics(
            subscriber=self.subscriber, topics=form.chosen_topics()
        ):
            return self.ended()
        return self.page(notice="topics")


class PauseView(SubscriberLinkView):
    """Pause for a number of weeks, or (the resume button) end a pause."""

    def post(self, request, token):
        if "resume" in request.POST:
            done = preferences.subscriber_resume(subscriber=self.subscriber)
            return self.page(notice="resumed") if done else self.ended()
        form = PauseForm(request.POST)
        if not form.is_valid():
            return self.page(pause_form=form, status=400)
        if not preferences.subscriber_pause(
            subscriber=self.subscriber, weeks=form.cleaned_data["weeks"]
        ):
            return self.ended()
        return self.page(notice="paused")


class UnsubscribeFromPreferencesView(SubscriberLinkView):
    """The unsubscribe rule of every link (subscribers.subscriber_unsubscribe)."""

    def post(self, request, token):
        subscribers.subscriber_unsubscribe(
            subscriber=self.subscriber, method=Subscriber.UnsubscribeMethod.PAGE
        )
        return self.page(notice="unsubscribed")


class DataView(SubscriberLinkView):
    """What is stored about the subscriber, as a page to read."""

    def get(self, request, token):
        subscriber = self.subscriber
        context = {
            "subscriber": subscriber,
            "token": subscriber.token,
            "consent_text": preferences.consent_record(subscriber),
            "topics": list(subscriber.topics.order_by("name")),
            "deliveries": list(preferences.editions_received(subscriber)),
            "mail_events": list(subscriber.mail_events.all()),
        }
        return render(request, "newsletter/preferences_data.html", context)


class DataDownloadView(SubscriberLinkView):
    """The same, as a JSON file to keep."""

    def get(self, request, token):
        response = JsonResponse(
            preferences.subscriber_data(subscriber=self.subscriber),
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        response["Content-Disposition"] = 'attachment; filename="newsletter-data.json"'
        return response
