"""``{{ moment|when_short }}``: desk.moments.when in templates."""

from django import template

from desk.moments import when

register = template.Library()


@register.filter
def when_short(moment) -> str:
    return when(moment, short=True) if moment else ""
