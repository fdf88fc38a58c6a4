"""The newsletter's tables: subscribers, their mail events, editions, their
variants, deliveries and clicks, and the editors' settings, a module each. Their
reads (the "which rows" rules) are in newsletter/querysets.py."""

from .clicks import EditionClick
from .delivery import Delivery
from .edition import Edition, EditionArticle
from .settings import NewsletterSettings
from .subscriber import MailEvent, Subscriber, new_unsubscribe_token
from .variant import EditionVariant

__all__ = [
    "Delivery",
    "Edition",
    "EditionArticle",
    "EditionClick",
    "EditionVariant",
    "MailEvent",
    "NewsletterSettings",
    "Subscriber",
    "new_unsubscribe_token",
]
