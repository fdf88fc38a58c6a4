from django import template

from newsletter import consent

register = template.Library()


@register.simple_tag
def newsletter_consent():
    """The current consent text and its version, for the sign-up form."""
    return consent.current()
