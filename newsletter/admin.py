"""The newsletter in the Django admin: what each list and form shows.

The desk around it (newsletter/desk/) holds the wording, the edition's own
pages and the actions; the rules are the services' (editions.py and others).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from . import editions, reports
from .desk import actions, pages, wording
from .desk.click_table import click_counts
from .desk.inlines import EditionArticleInline, MailEventInline
from .desk.settings_admin import NewsletterSettingsAdmin
from .models import (
    Delivery,
    Edition,
    EditionArticle,
    NewsletterSettings,
    Subscriber,
)

SEND_NOW_BUTTON = "_send_now"
SEND_TEST_BUTTON = "_send_test"
ADD_WEEK_BUTTON = "_add_week"


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
        "source_import",
    ]
    search_fields = ["email"]
    date_hierarchy = "signed_up_at"
    list_per_page = 100
    show_full_result_count = False
    actions = [actions.export_csv, actions.resend_confirmation, actions.unsubscribe]
    # The consent record is evidence: nobody edits it by hand. Addresses only
    # arrive through the double opt-in form.
    readonly_fields = [
        "email",
        "status",
        "paused_until",
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
        "source_import",
        "editions_received",
    ]
    # Topics: what the subscriber chose (none: every topic); editors may set
    # them, e.g. at a reader's request.
    fields = [*readonly_fields[:3], "topics", *readonly_fields[3:]]
    editions_received = staticmethod(wording.editions_received)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "topics":  # a few dozen at most: boxes to tick
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    class Media:
        css = {"all": ["css/newsletter-admin.css"]}

    def has_add_permission(self, request):
        return False

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


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    change_form_template = "admin/newsletter/edition/change_form.html"
    # Short columns, so the list fits 1280 px beside the menu and the filter.
    list_display = ["subject", "state", "sent", "bounced", "complained", "unsubscribed"]
    list_filter = ["status"]
    search_fields = ["subject"]
    inlines = [EditionArticleInline]
    actions = [actions.send_test_to_me, actions.send_now, actions.unschedule]
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
        "topic_variants",
        "outcome_counts",
        "click_counts",
    ]
    readonly_fields = fields[3:]  # all but the first three: the sender writes them
    state = staticmethod(wording.state)
    sent = staticmethod(wording.sent)
    bounced = staticmethod(wording.bounced)
    complained = staticmethod(wording.complained)
    unsubscribed = staticmethod(wording.unsubscribed)
    delivery_counts = staticmethod(wording.delivery_counts)
    topic_variants = staticmethod(wording.topic_variants)
    outcome_counts = staticmethod(wording.outcome_counts)
    click_counts = staticmethod(click_counts)

    class Media:
        css = {"all": ["css/newsletter-admin.css"]}
        # Names the title pickers after their (visually hidden) labels.
        js = ["js/admin-a11y.js", "js/newsletter-admin.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_delivery_counts()

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": self.fields[:3]}),
            (
                "Period and deliveries",
                {
                    "fields": self.readonly_fields,
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

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Two queries for the whole page, whatever its number of editions.
        shown = list(changelist.result_list)
        outcomes = reports.edition_outcomes([e for e in shown if not e.is_editable])
        for edition in shown:
            edition.outcome = outcomes.get(edition.pk)
        return changelist

    def render_change_form(self, request, context, add=False, change=False, **kw):
        edition = context.get("original")
        public = edition is not None and self.get_view_on_site_url(edition)
        context["sending"] = {
            "line": wording.state_line(edition),
            "archive_url": edition.get_absolute_url() if public else None,
            "editable": edition is None or edition.is_editable,
            "may_change": self.has_change_permission(request, edition),
            "week": wording.week(edition),
        }
        if edition is not None and not edition.is_editable:
            # Sending started: the form is read-only, nothing to save.
            context.update(
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
            )
        return super().render_change_form(request, context, add, change, **kw)

    def save_model(self, request, obj, form, change):
        if not editions.edition_save(edition=obj, is_new=not change):
            raise PermissionDenied("This edition started sending; it can't change.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not EditionArticle:
            return super().save_formset(request, form, formset, change)
        entries = formset.save(commit=False)
        editions.edition_articles_place(
            edition=form.instance, entries=entries, removed=formset.deleted_objects
        )
        formset.save_m2m()

    def _after_save(self, request, edition, response):
        """The buttons that save first, then act on what was saved."""
        if SEND_NOW_BUTTON in request.POST:
            return HttpResponseRedirect(
                reverse("admin:newsletter_edition_send_now", args=[edition.pk])
            )
        if SEND_TEST_BUTTON in request.POST:
            actions.send_test(self, request, edition)
            return pages.back(edition)
        if ADD_WEEK_BUTTON in request.POST:
            actions.add_week(self, request, edition)
            return pages.back(edition)
        return response

    def response_change(self, request, obj):
        return self._after_save(request, obj, super().response_change(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._after_save(request, obj, response)

    def get_urls(self):
        return pages.edition_urls(self) + super().get_urls()


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


admin.site.register(NewsletterSettings, NewsletterSettingsAdmin)
