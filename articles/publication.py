""" "Published or scheduled" for one article in Python: the twin of
``ArticleQuerySet.published_or_scheduled_q`` (tests/articles/
test_rules_published_or_scheduled.py holds them together).

An editor has published it, live or waiting for its publish date; not a draft.
Kept free of imports so that every layer (roles, signals, the desk) may ask it.
"""


def is_published_or_scheduled(article) -> bool:
    """True for a live or scheduled article (``State.PUBLISHED`` or
    ``State.SCHEDULED``), False for a draft."""
    return article.status == article.Status.PUBLISHED
