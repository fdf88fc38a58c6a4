"""What the desk shows each user: the articles and topics they may know of.

The rule itself is ``articles.roles.visible_articles_q``; these selectors
apply it to the admin's lists, pickers, lookups and suggestions.
"""

from django.core.exceptions import ValidationError
from taggit.models import Tag

from articles import roles
from articles.models import Article

TOPIC_FILTER_LIMIT = 30
TOPIC_SUGGESTIONS = 10


def visible_articles(*, user):
    """Every article ``user`` may learn of (pickers, lookups)."""
    return Article.objects.filter(roles.visible_articles_q(user))


def desk_articles(*, queryset, user, picking: bool):
    """The article list's rows for ``user``: an editor's every article, a
    writer's own; a writer picking a related article may pick any they see."""
    if roles.can_publish(user):
        return queryset
    if picking:
        # Writers may still pick any live article as a related one.
        return queryset.filter(roles.visible_articles_q(user))
    author = roles.author_of(user)
    return queryset.filter(author=author) if author else queryset.none()


def desk_article(*, user, field, object_id) -> Article | None:
    """The article at ``object_id`` (a value of ``field``) among those ``user``
    may know of, else None.

    Someone else's draft is, to a writer, simply not found; someone else's
    live article is refused (403) by the permission checks. An id that is
    not a number, or too big for the database, is not found either (Django's
    integer lookups match nothing out of the column's range).
    """
    try:
        value = field.to_python(object_id)
        article = (
            visible_articles(user=user)
            .select_related("author")
            .get(**{field.name: value})
        )
    except (Article.DoesNotExist, ValidationError, ValueError):
        return None
    # For the "Read more" summary, which Django calls with the article only.
    article.admin_viewer = user
    return article


def hidden_related(*, article: Article, user) -> list[Article]:
    """The related articles ``user`` cannot see: not in their form, so kept."""
    return list(article.related.exclude(roles.visible_articles_q(user)))


def topics_seen_by(*, user):
    """Topics of the articles ``user`` may know of: a writer must not learn the
    topics of someone else's drafts from filters or suggestions."""
    return Tag.objects.filter(article__in=visible_articles(user=user))


def topic_suggestions(*, user, term: str) -> list[str]:
    """Existing topic names matching ``term``, for the topic box."""
    term = " ".join(term.split())[:100]
    if not term:
        return []
    return list(
        topics_seen_by(user=user)
        .filter(name__icontains=term)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:TOPIC_SUGGESTIONS]
    )
