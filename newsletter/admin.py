import csv
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Max, Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.csp import csp_override

from articles.models import Article, ArticleQuerySet
from desk.publishing import when

from . import editions, emails, reports, subscribers
from .models import Delivery, Edition, EditionArticle, MailEvent, Subscriber

CSV_COLUMNS = [
    "email",
    "status",
    "signed_up_at",
    "source",
    "consent_version",
    "confirmed_at",
    "unsubscribed_at",
    "unsubscribe_method",
]
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


# Editions listed on a subscriber's page: one a week, so about half a year.
HISTORY_LENGTH = 26


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


class MailEventInline(admin.TabularInline):
    """The subscriber's bounces and complaints (newsletter/bounces.py)."""

    model = MailEvent
    fields = ["occurred_at", "kind", "source", "event_id", "detail", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Bounces and complaints"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    inlines = [MailEventInline]
    # The sign-up page is on each subscriber's page and in the CSV export:
    # without it the list fits 1280 px beside the menu and the filters.
    list_display = [
        "email",
        "status",
        "signed_up_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    list_filter = [
        "status",
        "signed_up_at",
        "confirmed_at",
        "unsubscribe_method",
        "suppression_reason",
        "consent_version",
    ]
    search_fields = ["email"]
    date_hierarchy = "signed_up_at"
    list_per_page = 100
    show_full_result_count = False
    actions = ["export_csv", "resend_confirmation", "unsubscribe"]
    # The consent record is evidence: nobody edits it by hand. Addresses only
    # arrive through the double opt-in form.
    readonly_fields = [
        "email",
        "status",
        "signed_up_at",
        "source",
        "consent_version",
        "confirmed_at",
        "unsubscribed_at",
        "unsubscribe_method",
        "last_confirmation_sent_at",
        "suppressed_at",
        "suppression_reason",
        "suppression_source",
        "soft_bounces",
        "editions_received",
    ]
    fields = readonly_fields

    class Media:
        css = {"all": ["css/newsletter-admin.css"]}

    def has_add_permission(self, request):
        return False

    @admin.display(description=f"latest {HISTORY_LENGTH} editions")
    def editions_received(self, subscriber):
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

    def changelist_view(self, request, extra_context=None):
        counts = Subscriber.objects.counts_by_status()
        extra_context = {
            **(extra_context or {}),
            "status_counts": [
                (label, counts[value]) for value, label in Subscriber.Status.choices
            ],
            "total_count": counts["total"],
        }
        return super().changelist_view(request, extra_context)

    @admin.action(
        description="Export selected subscribers as CSV", permissions=["view"]
    )
    def export_csv(self, request, queryset):
        writer = csv.writer(_Echo())
        rows = queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator()
        lines = (
            writer.writerow([_csv_cell(value) for value in row])
            for row in [CSV_COLUMNS, *rows]
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            lines,
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="subscribers-{stamp}.csv"'
            },
        )

    @admin.action(
        description="Resend the confirmation email (pending only)",
        permissions=["change"],
    )
    def resend_confirmation(self, request, queryset):
        queued = sum(
            subscribers.subscriber_resend_confirmation(subscriber=subscriber)
            for subscriber in queryset
        )
        self.message_user(
            request, f"{queued} confirmation email(s) queued; they go out in seconds."
        )
        if queued < len(queryset):
            self.message_user(
                request, "Subscribers not pending were left alone.", messages.WARNING
            )

    @admin.action(
        description="Unsubscribe selected subscribers", permissions=["change"]
    )
    def unsubscribe(self, request, queryset):
        changed = sum(
            subscribers.subscriber_unsubscribe(
                subscriber=subscriber, method=Subscriber.UnsubscribeMethod.ADMIN
            )
            for subscriber in queryset
        )
        self.message_user(request, f"Unsubscribed {changed} subscriber(s).")


class EditionArticleForm(forms.ModelForm):
    """One article of an edition: picked by title; a blank position adds it
    at the end."""

    class Meta:
        model = EditionArticle
        fields = ["position", "article"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].widget.attrs["min"] = 0
        if self.instance.pk is None:
            self.initial.pop("position", None)  # blank: goes last
            self.fields["position"].initial = None
        if self.instance.article_id:
            # An article no longer live stays choosable in its own row, so the
            # edition can still be saved; the mail leaves it out.
            self.fields["article"].queryset = Article.objects.filter(
                ArticleQuerySet.live_q() | Q(pk=self.instance.article_id)
            )

    def _get_validation_exclusions(self):
        excluded = super()._get_validation_exclusions()
        if self.instance.pk and "article" not in self.changed_data:
            # Kept as it was: the form field checked it above; the model's
            # check would refuse an article that is no longer live.
            excluded.add("article")
        return excluded


class EditionArticleInline(admin.TabularInline):
    model = EditionArticle
    form = EditionArticleForm
    template = "admin/newsletter/edition/articles_inline.html"
    fields = ["position", "article"]
    autocomplete_fields = ["article"]
    ordering = ["position", "pk"]
    extra = 0
    verbose_name = "article"
    verbose_name_plural = "articles"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "article":
            # Articles are picked by title here, not edited in pop-ups.
            for link in ["add", "change", "delete", "view"]:
                setattr(field.widget, f"can_{link}_related", False)
        return field

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


def unknown_url(edition) -> str:
    """The delivery list filtered to an edition's mails of unknown outcome."""
    query = urlencode(
        {"edition__id__exact": edition.pk, "failure__exact": Delivery.Failure.UNKNOWN}
    )
    return f"{reverse('admin:newsletter_delivery_changelist')}?{query}"


# "pk:attempts" of one delivery, as the resend confirmation lists it.
SHOWN_DELIVERY = re.compile(r"([0-9]{1,18}):([0-9]{1,4})")
RESEND_LISTED = 100  # addresses named on the confirmation page; the rest linked


SEND_NOW_BUTTON = "_send_now"
SEND_TEST_BUTTON = "_send_test"
ADD_WEEK_BUTTON = "_add_week"


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    change_form_template = "admin/newsletter/edition/change_form.html"
    # Short columns, so the list fits 1280 px beside the menu and the filter.
    list_display = ["subject", "state", "sent", "bounced", "complained", "unsubscribed"]
    list_filter = ["status"]
    search_fields = ["subject"]
    inlines = [EditionArticleInline]
    actions = ["send_test_to_me", "send_now", "unschedule"]
    fields = [
        "subject",
        "intro",
        "scheduled_for",
        "status",
        "period_start",
        "period_end",
        "started_at",
        "finished_at",
        "delivery_counts",
        "outcome_counts",
    ]
    readonly_fields = [
        "status",
        "period_start",
        "period_end",
        "started_at",
        "finished_at",
        "delivery_counts",
        "outcome_counts",
    ]

    class Media:
        css = {"all": ["css/newsletter-admin.css"]}
        # Names the title pickers after their (visually hidden) labels.
        js = ["js/admin-a11y.js", "js/newsletter-admin.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_delivery_counts()

    def get_fieldsets(self, request, obj=None):
        sending = [field for field in self.fields if field in self.readonly_fields]
        return [
            (None, {"fields": ["subject", "intro", "scheduled_for"]}),
            (
                "Period and deliveries",
                {
                    "fields": sending,
                    # Nothing to read there before sending starts.
                    "classes": ["collapse"] if obj is None or obj.is_editable else [],
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return self.fields  # sending started: the mail must stay as sent
        return self.readonly_fields

    def get_view_on_site_url(self, obj=None):
        # Only editions in the public archive have a page to show.
        if obj is None or not Edition.objects.archived().filter(pk=obj.pk).exists():
            return None
        return super().get_view_on_site_url(obj)

    # -- The edition list --------------------------------------------------

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Two queries for the whole page, whatever its number of editions.
        shown = list(changelist.result_list)
        outcomes = reports.edition_outcomes([e for e in shown if not e.is_editable])
        for edition in shown:
            edition.outcome = outcomes.get(edition.pk)
        return changelist

    @admin.display(description="status", ordering="status")
    def state(self, obj):
        moment = obj.started_at or obj.scheduled_for
        if obj.status == Edition.Status.DRAFT or moment is None:
            return obj.get_status_display()
        short = date_format(timezone.localtime(moment), "j M Y, H:i")
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.get_status_display(), short
        )

    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
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

    def _outcome(self, obj, name):
        outcome = getattr(obj, "outcome", None)
        return getattr(outcome, name) if outcome else "–"

    @admin.display(description="bounced")
    def bounced(self, obj):
        return self._outcome(obj, "bounced")

    @admin.display(description="complained")
    def complained(self, obj):
        return self._outcome(obj, "complained")

    @admin.display(description="unsub\u00adscribed after it")
    def unsubscribed(self, obj):
        return self._outcome(obj, "unsubscribed")

    @admin.display(description="deliveries")
    def delivery_counts(self, obj):
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

    @admin.display(description="after it went out")
    def outcome_counts(self, obj):
        if obj is None or obj.pk is None or obj.is_editable:
            return "Counted once sending starts."
        outcome = reports.edition_outcomes([obj])[obj.pk]
        return (
            f"{outcome.bounced} bounced, {outcome.complained} complained, "
            f"{outcome.unsubscribed} unsubscribed after it (before the next "
            "edition reached them)"
        )

    # -- The change form ---------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, **kw):
        edition = context.get("original")
        may_change = self.has_change_permission(request, edition)
        public = edition is not None and self.get_view_on_site_url(edition)
        context["sending"] = {
            "line": self._state_line(edition),
            "archive_url": edition.get_absolute_url() if public else None,
            "editable": edition is None or edition.is_editable,
            "may_change": may_change,
            "week": self._week(edition),
        }
        if edition is not None and not edition.is_editable:
            # Sending started: the form is read-only, nothing to save.
            context.update(
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
            )
        return super().render_change_form(request, context, add, change, **kw)

    def _week(self, edition) -> str:
        start, end = editions.edition_week(edition=edition or Edition())
        return f"{when(start)} to {when(end)}"

    def _state_line(self, edition) -> str:
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.status = Edition.Status.DRAFT
            obj.save()
            if obj.scheduled_for:
                editions.edition_schedule(edition=obj, when=obj.scheduled_for)
            return
        if not editions.edition_update(
            edition=obj,
            subject=obj.subject,
            intro=obj.intro,
            scheduled_for=obj.scheduled_for,
        ):
            raise PermissionDenied("This edition started sending; it can't change.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not EditionArticle:
            return super().save_formset(request, form, formset, change)
        entries = formset.save(commit=False)
        for entry in formset.deleted_objects:
            entry.delete()
        kept = form.instance.edition_articles.exclude(
            pk__in=[entry.pk for entry in entries if entry.pk]
        )
        last = max(
            [entry.position or 0 for entry in entries]
            + [kept.aggregate(last=Max("position"))["last"] or 0]
        )
        for entry in entries:
            if entry.position is None:  # left blank: after the others
                last += 1
                entry.position = last
            entry.save()
        formset.save_m2m()

    def _after_save(self, request, edition, response):
        """The buttons that save first, then act on what was saved."""
        if SEND_NOW_BUTTON in request.POST:
            return HttpResponseRedirect(
                reverse("admin:newsletter_edition_send_now", args=[edition.pk])
            )
        if SEND_TEST_BUTTON in request.POST:
            self._send_test(request, edition)
            return self._back(edition)
        if ADD_WEEK_BUTTON in request.POST:
            self._add_week(request, edition)
            return self._back(edition)
        return response

    def response_change(self, request, obj):
        return self._after_save(request, obj, super().response_change(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._after_save(request, obj, response)

    def _add_week(self, request, edition):
        added = editions.edition_add_week_articles(edition=edition)
        start, end = editions.edition_week(edition=edition)
        week = f"{when(start)} to {when(end)}"
        if not added:
            self.message_user(
                request,
                f"No articles to add: every live article published from {week} "
                "is in the edition already (or there is none).",
                messages.WARNING,
            )
            return
        titles = ", ".join(f"“{article}”" for article in added)
        self.message_user(
            request,
            f"Added {len(added)} article(s) published from {week}, at the end: "
            f"{titles}.",
            messages.SUCCESS,
        )

    # -- Own pages ---------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_edition_preview",
            ),
            path(
                "<int:pk>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="newsletter_edition_send_test",
            ),
            path(
                "<int:pk>/send-now/",
                self.admin_site.admin_view(self.send_now_view),
                name="newsletter_edition_send_now",
            ),
            path(
                "<int:pk>/resend-unknown/",
                self.admin_site.admin_view(self.resend_unknown_view),
                name="newsletter_edition_resend_unknown",
            ),
        ]
        return own + super().get_urls()

    def _edition_or_403(self, request, pk, *, change: bool) -> Edition:
        edition = self.get_object(request, str(pk))
        if edition is None:
            raise Http404("No such edition.")
        allowed = (
            self.has_change_permission(request, edition)
            if change
            else self.has_view_permission(request, edition)
        )
        if not allowed:
            raise PermissionDenied
        return edition

    def _back(self, edition):
        return HttpResponseRedirect(
            reverse("admin:newsletter_edition_change", args=[edition.pk])
        )

    @csp_override(PREVIEW_CSP)
    def preview_view(self, request, pk):
        edition = self._edition_or_403(request, pk, change=False)
        _, html = emails.edition_render(edition=edition)
        sample = reverse("newsletter:unsubscribe", kwargs={"token": "preview"})
        html = html.replace(emails.UNSUBSCRIBE_PLACEHOLDER, sample)
        return HttpResponse(html)

    def send_test_view(self, request, pk):
        """A test of the edition as saved (the form's button saves first)."""
        edition = self._edition_or_403(request, pk, change=True)
        if request.method != "POST":
            return self._back(edition)
        self._send_test(request, edition)
        return self._back(edition)

    def send_now_view(self, request, pk):
        """GET: who gets the edition and when, in words. POST: send it."""
        edition = self._edition_or_403(request, pk, change=True)
        if not edition.is_editable:
            self.message_user(
                request,
                f"“{edition}” has already been sent or is being sent; it can't "
                "be sent again.",
                messages.WARNING,
            )
            return self._back(edition)
        if request.method == "POST":
            self._send_now(request, [edition])
            return self._back(edition)
        now = timezone.now()
        recipients = Subscriber.objects.confirmed().count()
        articles = edition.live_articles().count()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Send “{edition}” now?",
            "subtitle": str(edition),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": edition,
            "recipients": recipients,
            "articles": articles,
            "when": when(now),
            "scheduled_for": when(edition.scheduled_for)
            if edition.status == Edition.Status.SCHEDULED and edition.scheduled_for
            else "",
            "others": [
                (other, when(other.edition.scheduled_for))
                for other in editions.scheduled_besides(edition)
            ],
            "change_url": reverse("admin:newsletter_edition_change", args=[edition.pk]),
        }
        return TemplateResponse(
            request, "admin/newsletter/edition/send_confirm.html", context
        )

    def resend_unknown_view(self, request, pk):
        """GET: who would get the edition again, and that some may have it.
        POST: resend to exactly the deliveries the page listed."""
        edition = self._edition_or_403(request, pk, change=True)
        if request.method == "POST":
            shown = self._shown_deliveries(request, edition)
            resent = editions.edition_resend_unknown(edition=edition, shown=shown)
            if resent:
                self.message_user(
                    request,
                    f"Resending “{edition}” to {resent} subscriber(s) whose mail "
                    "had an unknown outcome; the mails go out within seconds.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    "Nothing was resent: those mails were resent already (by "
                    "you or another editor) or are no longer of unknown outcome.",
                    messages.WARNING,
                )
            return self._back(edition)
        unknown = edition.deliveries.filter(Delivery.unknown_q()).order_by("pk")
        rows = list(unknown.values_list("pk", "attempts", "subscriber__email"))
        if not rows:
            self.message_user(
                request,
                f"No mail of “{edition}” has an unknown outcome: nothing to resend.",
                messages.WARNING,
            )
            return self._back(edition)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Resend “{edition}” to {len(rows)} subscriber(s)?",
            "subtitle": str(edition),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": edition,
            "count": len(rows),
            "addresses": [email for _, _, email in rows[:RESEND_LISTED]],
            "more": max(0, len(rows) - RESEND_LISTED),
            "shown": ",".join(f"{pk}:{attempts}" for pk, attempts, _ in rows),
            "unknown_url": unknown_url(edition),
            "change_url": reverse("admin:newsletter_edition_change", args=[edition.pk]),
        }
        return TemplateResponse(
            request, "admin/newsletter/edition/resend_unknown.html", context
        )

    def _shown_deliveries(self, request, edition) -> dict[int, int]:
        """The ``pk:attempts`` list the confirmation page posted; 400 if it is
        not one this edition's page could have made."""
        raw = request.POST.get("deliveries", "")
        items = raw.split(",") if raw else []
        matches = [SHOWN_DELIVERY.fullmatch(item) for item in items]
        if not matches or not all(matches):
            raise BadRequest("Resend the mails from the confirmation page.")
        shown = {int(match[1]): int(match[2]) for match in matches}
        if edition.deliveries.filter(pk__in=shown).count() != len(shown):
            raise BadRequest("These deliveries are not this edition's.")
        return shown

    def _send_test(self, request, edition):
        if not request.user.email:
            self.message_user(
                request,
                "Your account has no email address; add one to receive tests.",
                messages.ERROR,
            )
            return
        try:
            editions.edition_send_test(edition=edition, to=request.user.email)
        except Exception as error:  # the mail server's answer, shown to the editor
            self.message_user(
                request, f"The test could not be sent: {error}", messages.ERROR
            )
            return
        self.message_user(
            request, f"Sent a test of “{edition}” to {request.user.email}."
        )

    def _send_now(self, request, chosen):
        now = timezone.now()
        scheduled = [
            edition
            for edition in chosen
            if editions.edition_schedule(edition=edition, when=now)
        ]
        if scheduled:
            self.message_user(
                request,
                f"{len(scheduled)} edition(s) queued for sending; the first mails "
                "go out within seconds (see Delivery counts).",
            )
        if len(scheduled) < len(chosen):
            self.message_user(
                request,
                "Editions already sending or sent were left alone.",
                messages.WARNING,
            )

    @admin.action(description="Send a test to myself", permissions=["change"])
    def send_test_to_me(self, request, queryset):
        for edition in queryset:
            self._send_test(request, edition)

    @admin.action(description="Send now (asks to confirm)", permissions=["change"])
    def send_now(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(
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
    def unschedule(self, request, queryset):
        changed = sum(
            editions.edition_schedule(edition=edition, when=None)
            for edition in queryset
        )
        self.message_user(request, f"{changed} edition(s) back to draft.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: who got which edition, and why a mail failed."""

    list_display = ["edition", "subscriber", "status", "failure", "attempts", "sent_at"]
    list_filter = ["status", "failure", "retryable", "edition"]
    search_fields = ["subscriber__email"]
    list_select_related = ["edition", "subscriber"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
