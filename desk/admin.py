"""The editors' desk: articles and authors in the Django admin.

Roles (articles/roles.py): whoever may publish is an editor and may change
every article; a writer sees and changes only their own drafts, and the
publishing fields are read-only for them.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, F
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import ngettext
from taggit.admin import TagAdmin, TaggedItemInline
from taggit.models import Tag

from articles import read_more, roles, services
from articles.models import (
    Article,
    ArticleQuerySet,
    Author,
    State,
    Topic,
    TopicDescription,
)

from . import publishing
from .admin_desk import ArticleDeskMixin
from .admin_filters import ReviewFreshnessFilter
from .admin_publish import PublishingAdminMixin, WaitingForReviewFilter
from .forms import ArticleAdminForm, AuthorAdminForm, ImageUploadField
from .preview import ArticlePreviewView

# Editors' fields: read-only for writers ("reviewed on" says an editor checked
# the facts, and flows into feeds and search engines' "modified" dates). The
# state itself is no field: only the publishing buttons change it.
PUBLISHING_FIELDS = ("published_at", "featured", "reviewed_at")
# A change to any of these remakes the cover's renditions.
COVER_FIELDS = {"cover_image", "cover_focal_x", "cover_focal_y"}
TOPIC_FILTER_LIMIT = 30
TOPIC_SUGGESTIONS = 10


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.in_state(self.value())
        return queryset


class TopicFilter(admin.SimpleListFilter):
    """The most used topics (a bounded list, one query), plus the chosen one."""

    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        top = list(
            _topics_seen_by(request.user)
            .annotate(uses=Count("article"))
            .order_by("-uses", "name")
            .values_list("slug", "name")[:TOPIC_FILTER_LIMIT]
        )
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _ in top}:
            tag = (
                _topics_seen_by(request.user)
                .filter(slug=chosen)
                .values_list("slug", "name")
                .first()
            )
            if tag:
                top.append(tag)
        return top

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


def _topics_seen_by(user):
    """Topics of the articles ``user`` may know of: a writer must not learn the
    topics of someone else's drafts from filters or suggestions."""
    visible = Article.objects.filter(roles.visible_articles_q(user))
    return Tag.objects.filter(article__in=visible)


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
                "as a writer, they can add articles and edit their own drafts.",
            },
        ),
    ]

    def get_queryset(self, request):
        # A grouped query drops Meta.ordering: order again, or the article
        # form's author picker pages through an unordered list.
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_count=Count(
                    "articles", filter=ArticleQuerySet.live_q("articles__")
                )
            )
            .order_by("name", "pk")
        )

    @admin.display(description="published articles", ordering="published_count")
    def article_count(self, author):
        return author.published_count

    @admin.display(description="photo", boolean=True)
    def has_photo(self, author):
        return bool(author.photo)

    @admin.display(description="current photo")
    def photo_preview(self, author):
        smallest = author.photo_images.get("jpeg") or []
        if not smallest:
            return "No photo yet."
        return format_html(
            '<img class="cover-preview" src="{}" alt="" width="160">', smallest[0][1]
        )

    def save_model(self, request, obj, form, change):
        services.author_save(author=obj, photo_changed="photo" in form.changed_data)


@admin.register(Article)
class ArticleAdmin(ArticleDeskMixin, PublishingAdminMixin, admin.ModelAdmin):
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

    # -- Form layout -------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        may_publish = roles.can_publish(request.user)
        publishing_fields = {
            "fields": [
                "state_summary",
                "published_at",
                "featured",
                "reviewed_at",
            ],
            "description": (
                f"Dates and times are in the site's time zone, {settings.TIME_ZONE}. "
                f"It is now {publishing.when(timezone.now())}."
                if may_publish
                else "Only editors publish. When your draft is ready, press "
                "“Submit for review” at the top of the form; you can no longer "
                "change it once it is published."
            ),
        }
        writing = ["title", "slug", "body", "read_more_summary", "excerpt"]
        cover = ["cover_preview", "cover_image", "cover_alt"]
        if obj is None or self.has_change_permission(request, obj):
            # Hidden inputs of the cover widget; nothing to show read-only.
            cover += ["cover_focal_x", "cover_focal_y", "cover_staged"]
        if obj is None:
            # Nothing saved yet to summarise.
            publishing_fields["fields"] = publishing_fields["fields"][1:]
            writing.remove("read_more_summary")
            cover.remove("cover_preview")
        return [
            (None, {"fields": writing}),
            ("Topics", {"fields": self._topic_fields(request)}),
            (
                "Cover image",
                {
                    "fields": cover,
                    "description": "Shown at the top of the article and on "
                    "article cards.",
                },
            ),
            ("Author and related articles", self._people_fieldset(request, obj)),
            ("Publishing", publishing_fields),
            (
                "Search engines and sharing",
                {
                    "fields": ["meta_description"],
                    "classes": ["collapse"],
                    "description": "How the article looks in search results "
                    "and when shared. Left blank, the excerpt is used.",
                },
            ),
        ]

    def _topic_fields(self, request):
        if roles.can_create_topics(request.user):
            return ["tags", "create_topics"]
        return ["tags"]

    def _people_fieldset(self, request, obj):
        if roles.can_publish(request.user):
            return {"fields": ["author", "related"]}
        author = roles.author_of(request.user)
        options = {"fields": ["related"] if obj is None else ["author", "related"]}
        if obj is None and author is not None:
            options["description"] = f"Your articles are credited to {author}."
        return options

    def get_readonly_fields(self, request, obj=None):
        readonly = ["state_summary", "read_more_summary", "cover_preview"]
        if not roles.can_publish(request.user):
            readonly += [*PUBLISHING_FIELDS, "author"]
        return readonly

    @admin.display(description="state now")
    def state_summary(self, article):
        # The words of the form's first line: one way to say where it stands.
        if article.pk is None:
            return "Not saved yet"
        return publishing.state_line(article)

    @admin.display(description="“Read more” links")
    def read_more_summary(self, article):
        refs = list(dict.fromkeys(read_more.references(article.body)))
        if not refs:
            return "None yet."
        # The viewer get_object noted: without one, only live targets show.
        viewer = getattr(article, "admin_viewer", None)
        targets = read_more.targets_for([article.body_html], viewer=viewer)
        rows = []
        for ref in refs:
            target = targets.get(article.read_more_refs.get(ref))
            if target is None:
                rows.append((ref, "no article you can see", "draft", "Hidden"))
            else:
                rows.append((ref, target.title, target.state.value, target.state))
        return format_html(
            '<ul class="read-more-summary">{}</ul>',
            format_html_join(
                "",
                "<li><code>[[read-more:{}]]</code> → {} "
                '<span class="state state--{}">{}</span></li>',
                rows,
            ),
        )

    @admin.display(description="current cover")
    def cover_preview(self, article):
        smallest = article.cover_images.get("jpeg") or []
        if not smallest:
            return "No cover image yet."
        return format_html(
            '<img class="cover-preview" src="{}" alt="" width="240">', smallest[0][1]
        )

    # -- Changelist columns ------------------------------------------------

    @admin.display(description="state", ordering="status")
    def state_label(self, article):
        # The preview link sits under the state: a column of its own would
        # push the list wider than a laptop screen.
        state = article.state
        return format_html(
            '<span class="state state--{}">{}</span><br>{}',
            state.value,
            state,
            self.preview_link(article),
        )

    @admin.display(description="publish date", ordering="published_at")
    def publish_date(self, article):
        return display_for_value(article.published_at, "–")

    @admin.display(description="topics")
    def topic_list(self, article):
        # From the prefetch in get_queryset: no query per row.
        return ", ".join(sorted(tag.name for tag in article.tags.all())) or "–"

    def preview_link(self, article):
        return format_html(
            '<a class="preview-link" href="{}" target="_blank" rel="noopener">'
            "Preview</a>",
            reverse("admin:articles_article_preview", args=[article.pk]),
        )

    def view_on_site(self, article):
        # Only live articles have a public page to show.
        return article.get_absolute_url() if article.is_live else None

    # -- Who sees and changes what -----------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("tags")
        if roles.can_publish(request.user):
            return queryset
        if request.path == reverse("admin:autocomplete"):
            # Writers may still pick any live article as a related one.
            return queryset.filter(roles.visible_articles_q(request.user))
        author = roles.author_of(request.user)
        return queryset.filter(author=author) if author else queryset.none()

    def get_object(self, request, object_id, from_field=None):
        # Among the articles the user may know of: someone else's draft is, to
        # a writer, simply not found; someone else's live article is refused
        # (403) by the permission checks. An id that is not a number, or too
        # big for the database, is not found either (Django's integer lookups
        # match nothing out of the column's range).
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        articles = Article.objects.filter(roles.visible_articles_q(request.user))
        try:
            value = field.to_python(object_id)
            article = articles.select_related("author").get(**{field.name: value})
        except (Article.DoesNotExist, ValidationError, ValueError):
            return None
        # For read_more_summary, which Django calls with the article only.
        article.admin_viewer = request.user
        return article

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return roles.can_view_article(request.user, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return roles.can_change_article(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return roles.can_change_article(request.user, obj)

    def has_publish_permission(self, request):
        return roles.can_publish(request.user)

    def get_search_results(self, request, queryset, search_term):
        if request.path == reverse("admin:autocomplete"):
            # Pickers match titles only: the body matches far too much.
            return queryset.filter(title__icontains=search_term), False
        return super().get_search_results(request, queryset, search_term)

    # -- Forms ---------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # "Read more" references resolve among what this user may see.
        form.viewer = request.user
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related":
            # A forged POST may only pick what the picker offers: an article
            # the user may not see is "not one of the available choices",
            # exactly like one that does not exist.
            kwargs["queryset"] = Article.objects.filter(
                roles.visible_articles_q(request.user)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # Related articles the user cannot see were not in the form: keep them.
        hidden = []
        if change:
            hidden = list(
                form.instance.related.exclude(roles.visible_articles_q(request.user))
            )
        super().save_related(request, form, formsets, change)
        if hidden:
            form.instance.related.add(*hidden)

    # -- Saving ------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change and not roles.can_publish(request.user):
            obj.author = roles.author_of(request.user)
        # Never publishes: the form has no state, and keeps the publish date
        # of a scheduled or live article (publishing.publish_date_on_save).
        services.article_save(
            article=obj, cover_changed=bool(COVER_FIELDS & set(form.changed_data))
        )
        # "Schedule" with a new time: for the confirmation (admin_publish.py).
        obj.requested_publish_at = getattr(form, "requested_publish_at", None)
        self._warn_unpublished_read_more(request, obj)
        if warning := publishing.missing_cover_warning(obj):
            if obj.status == Article.Status.PUBLISHED:
                self.message_user(request, warning, messages.WARNING)

    def _warn_unpublished_read_more(self, request, article):
        targets = read_more.targets_for([article.body_html], viewer=request.user)
        for target in sorted(targets.values(), key=lambda target: target.title):
            if target.is_live:
                continue
            when = (
                f"is scheduled for {publishing.when(target.published_at)}"
                if target.state == State.SCHEDULED and target.published_at
                else "is a draft"
            )
            self.message_user(
                request,
                f"“Read more” points to “{target}”, which {when}: readers will "
                "not see that line until it is published.",
                messages.WARNING,
            )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        author = roles.author_of(request.user)
        if author is not None:
            initial.setdefault("author", author.pk)
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        if (
            self.has_add_permission(request)
            and not roles.can_publish(request.user)
            and not roles.author_of(request.user)
        ):
            self.message_user(
                request,
                "Your login is not linked to an author yet, so articles cannot be "
                "credited to you. Ask an editor to link it on your author page.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "preview_url": reverse("admin:articles_article_preview", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # -- Bulk actions (editors only) ---------------------------------------

    def _report(self, request, count, singular, plural, skipped, skipped_text):
        text = ngettext(singular, plural, count) % {"count": count}
        if skipped:
            text += " " + ngettext(skipped_text[0], skipped_text[1], skipped) % {
                "count": skipped
            }
        self.message_user(request, text, messages.SUCCESS if count else messages.INFO)

    @admin.action(description="Publish selected articles now…", permissions=["publish"])
    def publish_now(self, request, queryset):
        return self.bulk_publishing(
            request,
            queryset,
            publishing.PUBLISH,
            done=(
                "%(count)d article published now.",
                "%(count)d articles published now.",
            ),
            skipped=("%(count)d was already live.", "%(count)d were already live."),
        )

    @admin.action(description="Unpublish selected articles…", permissions=["publish"])
    def unpublish(self, request, queryset):
        return self.bulk_publishing(
            request,
            queryset,
            publishing.UNPUBLISH,
            done=(
                "%(count)d article unpublished (back to draft).",
                "%(count)d articles unpublished (back to draft).",
            ),
            skipped=(
                "%(count)d was already a draft.",
                "%(count)d were already drafts.",
            ),
        )

    def _set_featured(self, request, queryset, featured):
        changed = skipped = 0
        for article in queryset:
            if article.featured == featured:
                skipped += 1
                continue
            services.article_set_featured(article=article, featured=featured)
            changed += 1
        word = "featured" if featured else "unfeatured"
        self._report(
            request,
            changed,
            f"%(count)d article {word}.",
            f"%(count)d articles {word}.",
            skipped,
            (f"%(count)d was already {word}.", f"%(count)d were already {word}."),
        )

    @admin.action(description="Feature selected articles", permissions=["publish"])
    def feature(self, request, queryset):
        self._set_featured(request, queryset, True)

    @admin.action(
        description="Stop featuring selected articles", permissions=["publish"]
    )
    def unfeature(self, request, queryset):
        self._set_featured(request, queryset, False)

    # -- Extra pages: preview, topic suggestions, Markdown help -------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/preview/",
                wrap(ArticlePreviewView.as_view(model_admin=self)),
                name="articles_article_preview",
            ),
            path(
                "topics/",
                wrap(self.topic_suggestions_view),
                name="articles_article_topics",
            ),
            path(
                "markdown-help/",
                wrap(self.markdown_help_view),
                name="articles_article_markdown_help",
            ),
            *super().get_urls(),
        ]

    def topic_suggestions_view(self, request):
        """Existing topics matching ``q``, for the topic box's suggestions."""
        if not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied
        term = " ".join(request.GET.get("q", "").split())[:100]
        names = []
        if term:
            names = list(
                _topics_seen_by(request.user)
                .filter(name__icontains=term)
                .order_by("name")
                .values_list("name", flat=True)
                .distinct()[:TOPIC_SUGGESTIONS]
            )
        return JsonResponse({"results": names})

    def markdown_help_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Writing articles in Markdown",
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "subtitle": capfirst(self.opts.verbose_name_plural),
        }
        return TemplateResponse(
            request, "admin/articles/article/markdown_help.html", context
        )


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
