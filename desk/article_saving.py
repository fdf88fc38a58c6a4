"""Saving an article from the desk's form, as its user may."""

from articles import roles, services
from articles.models import Article

from . import publishing

# A change to any of these remakes the cover's renditions.
COVER_FIELDS = {"cover_image", "cover_focal_x", "cover_focal_y"}
UNCREDITED_WRITER = (
    "Your login is not linked to an author yet, so articles cannot be "
    "credited to you. Ask an editor to link it on your author page."
)


def is_uncredited_writer(user) -> bool:
    """A writer with no author to credit: they cannot add articles yet."""
    return not roles.can_publish(user) and not roles.author_of(user)


def article_desk_save(
    *, article: Article, user, is_new: bool, changed_fields: list[str]
) -> list[str]:
    """Store what the form holds; return the warnings to show its user.

    A writer's new article is credited to them. Never publishes: the form has
    no state, and keeps the publish date of a scheduled or live article
    (``publishing.publish_date_on_save``).
    """
    if is_new and not roles.can_publish(user):
        article.author = roles.author_of(user)
    services.article_save(
        article=article, cover_changed=bool(COVER_FIELDS & set(changed_fields))
    )
    warnings = publishing.read_more_warnings(article, viewer=user)
    if warning := publishing.missing_cover_warning(article):
        if article.status == Article.Status.PUBLISHED:
            warnings.append(warning)
    return warnings
