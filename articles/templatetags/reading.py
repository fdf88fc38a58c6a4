"""Filters for how articles read in lists: typographic quotes, card topics."""

from django import template
from django.utils import timezone

from articles import rendering, topics

register = template.Library()


@register.filter(is_safe=True)
def smartquotes(text) -> str:
    """Typographic quotes for plain text (titles, excerpts); adds no markup."""
    return rendering.smart_quotes(str(text))


@register.simple_tag(takes_context=True)
def card_topic(context, article):
    """The topic a card shows: its first one other than the page's own topic
    (``current_topic`` in the context, on topic pages).

    Reads the prefetched topics, so it costs no query.
    """
    current_pk = getattr(context.get("current_topic"), "pk", None)
    for topic in article.topics:
        if topic.pk != current_pk:
            return topic
    return None


@register.filter
def short_excerpt(article, limit=120) -> str:
    """The article's summary cut for a compact card."""
    return rendering.cut_excerpt(article.summary, int(limit))


@register.filter
def tone(topic) -> int:
    """The topic's colour number (``articles.topics.topic_tone``)."""
    return topics.topic_tone(topic)


@register.filter
def html_datetime(value) -> str:
    """A ``datetime`` attribute HTML accepts: ISO 8601 to the second, local time.

    Django's "c" format keeps microseconds, which HTML does not allow.
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
