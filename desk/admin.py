"""The editors' desk: articles, authors and topics in the Django admin.

Roles (articles/roles.py): whoever may publish is an editor and may change
every article; a writer sees and changes only their own drafts, and the
publishing fields are read-only for them. The admins wire the desk's
modules together: form layout (article_layout.py), who sees what
(visibility.py), saving (article_saving.py), publishing (admin_publish.py,
publish_pages.py, bulk_actions.py), the writing desk (admin_desk.py) and the
pages beside the form (article_urls.py).
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.db import models
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from taggit.admin import TagAdmin, TaggedItemInline
from taggit.models import Tag

from articles import roles, services
from articles.models import Article, Author, Topic, TopicDescription

from . import article_display as display
from . import article_layout, bulk_actions, publishing
from . import task_results as task_results  # the task results page's wording
from .admin_desk import ArticleDeskMixin
from .admin_filters import (
    ReviewFreshnessFilter,
    StateFilter,
    TopicFilter,
    WaitingForReviewFilter,
)
from .admin_publish import PublishingAdminMixin
from .admin_visibility import ArticleVisibilityMixin
from .article_saving import UNCREDITED_WRITER, article_desk_save, is_uncredited_writer
from .article_urls import article_admin_urls
from .author_list import authors_with_counts
from .forms import ArticleAdminForm, AuthorAdminForm, ImageUploadField
from .media_admin import media_picker
from .publish_pages import bulk_publish_page, report_done


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "job_title", "user", "article_count", "has_photo"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "job_title"]
    readonly_fields = ["photo_preview"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "job_title", "bio"]}),
        ("Photo", {"fields": ["photo_preview", "photo"]}),
        (
            "Login",
            {
                "fields": ["user"],
                "description": "Link the author to their admin login so that, "
                "as a writer, they can add articles and edit their own drafts, "
                "and as an editor, new articles are credited to them. Review "
                "mails go to the login's email address: a login without one "
                "is not told by mail.",
            },
        ),
    ]

    def get_queryset(self, request):
        return authors_with_counts(queryset=super().get_queryset(request))

    @admin.display(description="published articles", ordering="published_count")
    def article_count(self, author):
        return author.published_count

    @admin.display(description="photo", boolean=True)
    def has_photo(self, author):
        return bool(author.photo)

    @admin.display(description="current photo")
    def photo_preview(self, author):
        return display.image_preview(
            author.photo_images, width=160, empty="No photo yet."
        )

    def save_model(self, request, obj, form, change):
        services.author_save(author=obj, photo_changed="photo" in form.changed_data)


@admin.register(Article)
class ArticleAdmin(
    ArticleVisibilityMixin, ArticleDeskMixin, PublishingAdminMixin, admin.ModelAdmin
):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title",
        "state_label",
        "author",
        "publish_date",
        "topic_list",
        "featured",
    ]
    list_select_related = ["author"]
    list_filter = [
        StateFilter,
        WaitingForReviewFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
        TopicFilter,
        "featured",
        ReviewFreshnessFilter,
    ]
    list_per_page = 50
    date_hierarchy = "published_at"
    search_fields = ["title", "body"]
    search_help_text = (
        f"Searches titles and article text. Dates are in {settings.TIME_ZONE} time."
    )
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "related"]
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
    actions = ["publish_now", "unpublish", "feature", "unfeature"]
    # Drafts (no date yet) first on every database, then the newest.
    ordering = [F("published_at").desc(nulls_first=True), "-pk"]

    class Media:
        css = {"all": ["css/admin-articles.css"]}

    def get_urls(self):
        return [*article_admin_urls(self), *super().get_urls()]

    # -- The form: layout per role, read-only summaries ----------------------

    def get_fieldsets(self, request, obj=None):
        may_change = obj is None or self.has_change_permission(request, obj)
        return article_layout.article_fieldsets(
            user=request.user, is_new=obj is None, may_change=may_change
        )

    def get_readonly_fields(self, request, obj=None):
        return article_layout.article_readonly_fields(user=request.user)

    @admin.display(description="state now")
    def state_summary(self, article):
        return display.state_summary(article)

    @admin.display(description="“Read more” links")
    def read_more_summary(self, article):
        return display.read_more_summary(article)

    @admin.display(description="Insert an image from the library")
    def media_picker(self, article):
        return media_picker()

    @admin.display(description="current cover")
    def cover_preview(self, article):
        return display.image_preview(
            article.cover_images, width=240, empty="No cover image yet."
        )

    # -- Changelist columns ------------------------------------------------

    @admin.display(description="state", ordering="status")
    def state_label(self, article):
        return display.state_label(article)

    @admin.display(description="publish date", ordering="published_at")
    def publish_date(self, article):
        return display_for_value(article.published_at, "–")

    @admin.display(description="topics")
    def topic_list(self, article):
        return display.topic_list(article)

    def view_on_site(self, article):
        # Only live articles have a public page to show.
        return article.get_absolute_url() if article.is_live else None

    # -- Saving --------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        warnings = article_desk_save(
            article=obj,
            user=request.user,
            is_new=not change,
            changed_fields=form.changed_data,
        )
        # "Schedule" with a new time: for the confirmation (admin_publish.py).
        obj.requested_publish_at = getattr(form, "requested_publish_at", None)
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if (author := roles.author_of(request.user)) is not None:
            initial.setdefault("author", author.pk)
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        if self.has_add_permission(request) and is_uncredited_writer(request.user):
            self.message_user(request, UNCREDITED_WRITER, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        url = reverse("admin:articles_article_preview", args=[object_id])
        extra_context = {**(extra_context or {}), "preview_url": url}
        return super().change_view(request, object_id, form_url, extra_context)

    # -- Bulk actions (editors only) -----------------------------------------

    @admin.action(description="Publish selected articles now…", permissions=["publish"])
    def publish_now(self, request, queryset):
        return bulk_publish_page(request, self, queryset, publishing.PUBLISH)

    @admin.action(description="Unpublish selected articles…", permissions=["publish"])
    def unpublish(self, request, queryset):
        return bulk_publish_page(request, self, queryset, publishing.UNPUBLISH)

    @admin.action(description="Feature selected articles", permissions=["publish"])
    def feature(self, request, queryset):
        done = bulk_actions.articles_set_featured(articles=queryset, featured=True)
        report_done(request, self, bulk_actions.FEATURE, *done)

    @admin.action(
        description="Stop featuring selected articles", permissions=["publish"]
    )
    def unfeature(self, request, queryset):
        done = bulk_actions.articles_set_featured(articles=queryset, featured=False)
        report_done(request, self, bulk_actions.UNFEATURE, *done)


class TopicDescriptionInline(admin.StackedInline):
    model = TopicDescription
    can_delete = False
    verbose_name_plural = "description"


# Topics are taggit's tags: its admin, named "Topics" (a proxy model), with
# the topic's description on top.
admin.site.unregister(Tag)


class TopicUseInline(TaggedItemInline):
    verbose_name = "use of this topic"
    verbose_name_plural = "uses of this topic"


@admin.register(Topic)
class TopicAdmin(TagAdmin):
    inlines = [TopicDescriptionInline, TopicUseInline]
    actions = ["merge_topics"]

    @admin.action(description="Merge selected topics")
    def merge_topics(self, request, queryset):
        return self.render_tag_form(request, queryset)

    def message_user(self, request, message, *args, **kwargs):
        # taggit's merge view speaks of tags; editors know them as topics.
        message = str(message).replace("Tags", "Topics").replace("tag", "topic")
        super().message_user(request, message, *args, **kwargs)
