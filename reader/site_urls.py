"""The public site's address: every absolute URL the site hands out (pages'
canonical links, feeds, sitemaps, share data, mails) is built here, on
``settings.SITE_URL``, never on the request's host, so pages served through a
proxy or from a cache still point at the real site."""

from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

ARTICLE_VIEW = "articles:detail"


def site_parts() -> SplitResult:
    """``SITE_URL`` split: its scheme, host (``netloc``) and ``hostname``."""
    return urlsplit(settings.SITE_URL)


def site_url(path: str = "/") -> str:
    """``path`` on the public site; a path is read from the site's root."""
    return settings.SITE_URL + ("" if path.startswith("/") else "/") + path


def absolute_url(url: str) -> str:
    """``url`` made absolute on the public site (already absolute URLs stay)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"}:
        return url
    if url.startswith("//"):
        return f"{site_parts().scheme}:{url}"
    return site_url(url)


def article_page_slug(path: str) -> str | None:
    """The slug when ``path`` is the address of an article's page (read by
    the URLconf, so it follows the site's URL rules), else None."""
    try:
        match = resolve(urlsplit(path).path) if path else None
    except Resolver404:
        return None
    if match is None or match.view_name != ARTICLE_VIEW:
        return None
    return match.kwargs.get("slug", "")
