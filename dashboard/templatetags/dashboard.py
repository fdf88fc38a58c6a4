"""``{% dashboard %}`` (the admin's index) and ``{% article_figures original %}``
(the article's change form): the templates ask for the dashboard, so neither
the admin site (httpguard) nor the desk imports it."""

from datetime import date, datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

from desk.moments import when

from ..article_figures import article_figures as figures_of
from ..page import dashboard_context
from ..tables import ArticleRef

register = template.Library()


@register.inclusion_tag("dashboard/_dashboard.html", takes_context=True)
def dashboard(context):
    return dashboard_context(context["request"].user)


@register.inclusion_tag("dashboard/_article_figures.html", takes_context=True)
def article_figures(context, article):
    return figures_of(article=article, user=context["request"].user)


@register.filter
def index(values, position: int):
    """``values[position]``, or None past the end."""
    try:
        return values[position]
    except (IndexError, TypeError):
        return None


@register.filter
def dash_cell(value) -> str:
    """A table cell: an article as a link to its admin page, a moment as the
    desk words it, a day short, a number with thousands separated."""
    if isinstance(value, ArticleRef):
        return format_html('<a href="{}">{}</a>', value.url, value)
    if isinstance(value, datetime):
        return when(value, short=True)
    if isinstance(value, date):
        return date_format(value, "D j M")
    if isinstance(value, int):
        return f"{value:,}"  # the site's language (en-GB) groups with commas
    return "" if value is None else str(value)
