import calendar

from django import template
from django.conf import settings

from newsletter import consent

register = template.Library()


@register.simple_tag
def newsletter_consent():
    """The current consent text and its version, for the sign-up form."""
    return consent.current()


@register.simple_tag
def digest_weekday() -> str:
    """The day the weekly digest goes out (NEWSLETTER_SEND_WEEKDAY, 0 = Monday)."""
    return calendar.day_name[settings.NEWSLETTER_SEND_WEEKDAY % 7]


@register.simple_tag
def unconfirmed_days() -> int:
    """Days a sign-up never confirmed is kept (NEWSLETTER_UNCONFIRMED_DAYS)."""
    return settings.NEWSLETTER_UNCONFIRMED_DAYS
