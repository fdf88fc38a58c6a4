"""Parts of public pages kept rendered between changes of content.

A fragment (an article's header and body, its related list, its sharing
metadata, a feed item's body) is stored in Django's cache under the page
cache's current *generation* (``pagecache.current_generation``): any change
to public content, and the moment a scheduled article goes live, starts a new
generation, so a fragment is never shown after the content it was rendered
from has changed, on every app server (within ``PAGE_CACHE_POLL_SECONDS``
when each process keeps its own cache). Whole cached pages
serve anonymous readers without cookies; fragments make the pages rendered
for everyone else (staff, readers with cookies, ``PAGE_CACHE_SECONDS=0``)
cheap too.
"""

from collections.abc import Callable, Iterable
from hashlib import md5

from django.utils import timezone

from . import pagecache

# Keys name their generation, so a stale fragment is never read; this only
# bounds how long a superseded one occupies the cache.
FRAGMENT_SECONDS = 3600
KEY_PREFIX = "fragment"


def version() -> str | None:
    """The current fragment version, or None if the cache cannot be reached
    (then pages are rendered whole, as without fragments).

    The day is part of it: what is shown as an article's last change leaves
    out review dates still to come (``Article.date_modified``).
    """
    generation = pagecache.guarded(pagecache.current_generation, serving=True)
    if generation is None:
        return None
    return f"{generation.token}:{timezone.localdate():%Y-%m-%d}"


def key(version: str, name: str, *parts) -> str:
    address = md5(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"{KEY_PREFIX}:{version}:{name}:{address}"


def prefetch(version: str | None, names: Iterable[str], *parts) -> dict:
    """The fragments a page is about to show, read in one round trip (pass
    the result to ``get_or_render``; parts as the template gives them)."""
    return prefetch_each(version, [(name, parts) for name in names])


def prefetch_each(version: str | None, wanted: Iterable[tuple[str, tuple]]) -> dict:
    """``prefetch`` for fragments with parts of their own: ``(name, parts)``."""
    keys = [key(version, name, *map(str, parts)) for name, parts in wanted]
    if not (version and keys):
        return {}
    return pagecache.guarded(pagecache.page_cache().get_many, keys) or {}


def get_or_render(
    version: str | None,
    name: str,
    parts: tuple,
    render: Callable,
    prefetched: dict | None = None,
):
    """The fragment ``name`` for ``parts`` as stored, or ``render()`` stored."""
    if not version:
        return render()
    fragment_key = key(version, name, *parts)
    if prefetched and fragment_key in prefetched:
        return prefetched[fragment_key]
    found = pagecache.guarded(pagecache.page_cache().get, fragment_key)
    if found is not None:
        return found
    value = render()
    pagecache.guarded(
        pagecache.page_cache().set, fragment_key, value, timeout=FRAGMENT_SECONDS
    )
    return value


def stored(keys: Iterable[str]) -> dict:
    """Those of ``keys`` held in the cache, in one round trip."""
    return pagecache.guarded(pagecache.page_cache().get_many, list(keys)) or {}


def store(values: dict) -> None:
    """Keep ``{key: fragment}``, in one round trip."""
    if values:
        pagecache.guarded(
            pagecache.page_cache().set_many, values, timeout=FRAGMENT_SECONDS
        )


def many(version: str | None, name: str, items: Iterable, render: Callable) -> dict:
    """``{item.pk: fragment}`` for several items in one cache round trip;
    ``render(missing_items)`` returns ``{pk: fragment}`` for those not stored."""
    items = list(items)
    if not version:
        return render(items)
    keys = {key(version, name, item.pk): item for item in items}
    found = stored(keys)
    result = {keys[k].pk: value for k, value in found.items()}
    missing = [item for k, item in keys.items() if k not in found]
    if missing:
        rendered = render(missing)
        result.update(rendered)
        store({key(version, name, pk): value for pk, value in rendered.items()})
    return result
