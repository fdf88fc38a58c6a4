"""The article form's layout for each role: which fields, in which sections,
which of them read-only (ArticleAdmin asks these)."""

from django.conf import settings
from django.utils import timezone

from articles import roles

from . import moments

# Editors' fields: read-only for writers ("reviewed on" says an editor checked
# the facts, and flows into feeds and search engines' "modified" dates). The
# state itself is no field: only the publishing buttons change it.
PUBLISHING_FIELDS = ("published_at", "featured", "reviewed_at")
SUMMARIES = ["state_summary", "read_more_summary", "cover_preview", "media_picker"]


def article_fieldsets(*, user, is_new: bool, may_change: bool) -> list:
    """The form's sections for ``user``, on a new article or a saved one
    (``may_change``: whether they may change it, so edit it at all)."""
    writing = ["title", "slug", "body", "media_picker", "read_more_summary", "excerpt"]
    if is_new:  # Nothing saved yet to summarise.
        writing.remove("read_more_summary")
    return [
        (None, {"fields": writing}),
        ("Topics", {"fields": _topic_fields(user)}),
        ("Cover image", _cover_fieldset(is_new=is_new, may_change=may_change)),
        ("Author and related articles", _people_fieldset(user, is_new=is_new)),
        ("Publishing", _publishing_fieldset(user, is_new=is_new)),
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


def article_readonly_fields(*, user) -> list[str]:
    if roles.can_publish(user):
        return list(SUMMARIES)
    return [*SUMMARIES, *PUBLISHING_FIELDS, "author"]


def _topic_fields(user) -> list[str]:
    if roles.can_create_topics(user):
        return ["tags", "create_topics"]
    return ["tags"]


def _cover_fieldset(*, is_new: bool, may_change: bool) -> dict:
    cover = ["cover_preview", "cover_image", "cover_alt"]
    if is_new or may_change:
        # Hidden inputs of the cover widget; nothing to show read-only.
        cover += ["cover_focal_x", "cover_focal_y", "cover_staged"]
    if is_new:
        cover.remove("cover_preview")
    return {
        "fields": cover,
        "description": "Shown at the top of the article and on article cards.",
    }


def _people_fieldset(user, *, is_new: bool) -> dict:
    if roles.can_publish(user):
        return {"fields": ["author", "related"]}
    author = roles.author_of(user)
    options = {"fields": ["related"] if is_new else ["author", "related"]}
    if is_new and author is not None:
        options["description"] = f"Your articles are credited to {author}."
    return options


def _publishing_fieldset(user, *, is_new: bool) -> dict:
    fields = ["state_summary", *PUBLISHING_FIELDS]
    if is_new:
        fields.remove("state_summary")
    return {
        "fields": fields,
        "description": (
            f"Dates and times are in the site's time zone, {settings.TIME_ZONE}. "
            f"It is now {moments.when(timezone.now())}."
            if roles.can_publish(user)
            else "Only editors publish. When your draft is ready, press "
            "“Submit for review” at the top of the form; you can no longer "
            "change it once it is published."
        ),
    }
