"""The article list's bulk actions: featuring, and what each action reports."""

from django.utils.translation import ngettext

from articles import services

from . import publishing

FEATURE, UNFEATURE = "feature", "unfeature"

# Per action: what was done (singular, plural), what was left as it was.
REPORTS = {
    publishing.PUBLISH: (
        ("%(count)d article published now.", "%(count)d articles published now."),
        ("%(count)d was already live.", "%(count)d were already live."),
    ),
    publishing.UNPUBLISH: (
        (
            "%(count)d article unpublished (back to draft).",
            "%(count)d articles unpublished (back to draft).",
        ),
        ("%(count)d was already a draft.", "%(count)d were already drafts."),
    ),
    **{
        action: (
            (f"%(count)d article {word}.", f"%(count)d articles {word}."),
            (f"%(count)d was already {word}.", f"%(count)d were already {word}."),
        )
        for action, word in ((FEATURE, "featured"), (UNFEATURE, "unfeatured"))
    },
}


def report(action: str, done: int, skipped: int) -> str:
    """What an action from the list did, in words."""
    (singular, plural), (skipped_one, skipped_many) = REPORTS[action]
    text = ngettext(singular, plural, done) % {"count": done}
    if skipped:
        text += " " + ngettext(skipped_one, skipped_many, skipped) % {"count": skipped}
    return text


def articles_set_featured(*, articles, featured: bool) -> tuple[int, int]:
    """Feature (or stop featuring) ``articles``; how many changed, how many
    already were."""
    changed = skipped = 0
    for article in articles:
        if article.featured == featured:
            skipped += 1
            continue
        services.article_set_featured(article=article, featured=featured)
        changed += 1
    return changed, skipped
