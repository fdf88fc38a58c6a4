""" "Read more" references: parse them, resolve them for a viewer, expand them.

Editors reference another article on a line of its own:

    [[read-more:some-slug]]     by slug, current or former
    [[read-more:42]]            by id

The text keeps what the editor typed; ``link`` resolves each reference once
and the article stores the ids beside the text (``read_more_refs``, and the
``reads_more`` relation for "What links here"). The stored HTML holds each
reference as an id token; ``expand`` swaps it for a link to the target's
*current* title and URL when the page is served, so renames never break.
Every lookup goes through ``visible_targets``: a reader sees only live targets,
and in the admin a viewer learns nothing about an article they may not view
(roles.visible_articles_q): it behaves exactly like a missing one.
"""

import html
import re
from collections.abc import Iterable

from django.db.models import F, Q

from httpguard.ids import parse_id

from . import roles
from .reference_syntax import LINE as LINE
from .reference_syntax import TOKEN
from .reference_syntax import references as references
from .reference_syntax import to_ids as to_ids
from .reference_syntax import to_refs as to_refs
from .rendering import smart_quotes

# What a target needs for a link or a state: no long text columns.
TARGET_FIELDS = ("title", "slug", "status", "published_at")
# The viewer of commands run by the site's operators (load_demo): everything.
SYSTEM = object()


# -- Parse (the syntax itself: articles/reference_syntax.py) -------------


def target_ids(body_html: str) -> list[int]:
    """The ids referenced in rendered HTML, in order."""
    refs = TOKEN.findall(body_html or "")
    # The shared id rule: larger than a bigint matches nothing.
    return [pk for ref in refs if (pk := parse_id(ref)) is not None]


# -- Resolve --------------------------------------------------------------


def visible_targets(viewer=None):
    """Articles a reference may resolve to: live ones for readers (no
    ``viewer``), those the admin ``viewer`` may view otherwise."""
    from .models import Article

    articles = Article.objects.only(*TARGET_FIELDS)
    if viewer is None:
        return articles.live()
    if viewer is SYSTEM:
        return articles
    return articles.filter(roles.visible_articles_q(viewer))


def resolve(refs: Iterable[str], *, viewer=None) -> dict:
    """Map each reference (id, slug or former slug) to its article.

    References that match nothing the viewer may see are left out. Two
    queries at most, whatever the number of references.
    """
    refs = set(refs)
    ids = {pk for ref in refs if (pk := parse_id(ref)) is not None}
    slugs = {ref for ref in refs if not ref.isdigit()}
    found = {}
    if ids or slugs:
        matching = Q(pk__in=ids) | Q(slug__in=slugs)
        for article in visible_targets(viewer).filter(matching):
            if article.pk in ids:
                found[str(article.pk)] = article
            if article.slug in slugs:
                found[article.slug] = article
    # Leading zeros ("007") name the same id.
    for ref in refs:
        pk = parse_id(ref)
        if pk is not None and ref not in found and str(pk) in found:
            found[ref] = found[str(pk)]
    former = slugs - found.keys()
    if former:
        renamed = (
            visible_targets(viewer)
            .filter(slug_redirects__old_slug__in=former)
            .annotate(old_slug=F("slug_redirects__old_slug"))
        )
        found.update({article.old_slug: article for article in renamed})
    return found


def link(body: str, known: dict | None = None, *, viewer) -> tuple[dict, list[str]]:
    """Resolve the references of ``body`` to article ids, as ``viewer`` may see.

    Returns ``{reference: id}`` for every reference that matches, to store
    beside the text (``Article.read_more_refs``), and the references that
    match no article the viewer may see, in order, so a form can name them
    (as missing, whatever the reason: a writer must not learn that someone
    else's draft exists). ``known`` is the stored mapping: a reference
    already resolved keeps its article, so a slug the editor typed still
    points at the same article after that one is renamed (or after another
    article takes over the slug). One query per lookup kind, none when every
    reference is known.
    """
    refs = list(dict.fromkeys(references(body)))
    known = known or {}
    mapping = {ref: known[ref] for ref in refs if ref in known}
    new = [ref for ref in refs if ref not in mapping]
    found = resolve(new, viewer=viewer) if new else {}
    mapping.update({ref: found[ref].pk for ref in new if ref in found})
    return mapping, [ref for ref in new if ref not in found]


def link_article(article, *, viewer) -> list[str]:
    """Resolve ``article``'s "Read more" references not resolved yet, into
    ``article.read_more_refs``; returns the references that match nothing.

    Forms call it with the editor as ``viewer`` and report what is missing;
    ``services.article_write`` calls it as the system for every other writer
    of the body (commands, services), who may reference any article.
    """
    article.read_more_refs, missing = link(
        article.body, article.read_more_refs, viewer=viewer
    )
    return missing


def targets_for(bodies_html: Iterable[str], *, viewer=None) -> dict:
    """The targets of every body, by id, in one query (none without refs)."""
    ids = {pk for body in bodies_html for pk in target_ids(body)}
    return visible_targets(viewer).in_bulk(ids) if ids else {}


# -- Expand ---------------------------------------------------------------


def expand(body_html: str, *, viewer=None, targets: dict | None = None) -> str:
    """Replace reference tokens by links to the targets' current title and URL.

    A target that is not live is never linked. Readers see nothing of it; an
    admin viewer allowed to see it gets its title as plain text, marked as not
    published yet. ``targets`` (from ``targets_for``) saves the query when
    many bodies are expanded.
    """
    if targets is None:
        targets = targets_for([body_html], viewer=viewer)

    def replace(match: re.Match) -> str:
        ref = match.group(1)
        # A slug that was never resolved to an id matches nothing.
        target = targets.get(parse_id(ref))
        if target is None:
            return ""
        title = html.escape(smart_quotes(target.title))
        label = '<span class="read-more__label">Read more:</span>'
        if not target.is_live:
            if viewer is None:
                return ""
            return (
                f'<p class="read-more read-more--pending">{label} {title} '
                "<em>(not published yet: readers will not see this line)</em></p>"
            )
        url = html.escape(target.get_absolute_url())
        return f'<p class="read-more">{label} <a href="{url}">{title}</a></p>'

    return TOKEN.sub(replace, body_html or "")


def body_for_page(article, viewer=None) -> str:
    """``article``'s body HTML with "Read more" references expanded (one query
    at most).

    Without ``viewer`` (readers) only live targets are linked; an admin
    ``viewer`` also sees the titles of unpublished targets they may view.
    """
    return expand(article.body_html, viewer=viewer)
