"""The counting script's tag, for base.html: nothing when counting is off."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

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
