"""The counting script's tag, for base.html: nothing when counting is off."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from ..models import AudienceSettings

register = template.Library()


@register.simple_tag
def count_script():
    """static/js/count.js, deferred, told where the beacon goes."""
    if not settings.AUDIENCE_COUNTING:
        return ""
    return format_html(
        '<script src="{}" data-url="{}" defer></script>',
        static("js/count.js"),
        reverse("audience:count"),
    )


@register.simple_tag
def figures_keep_days() -> int:
    """How many days the daily figures are kept (the privacy page says it)."""
    return AudienceSettings.load().keep_days
