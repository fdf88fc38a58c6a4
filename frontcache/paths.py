"""Keys as paths, for a front cache that purges by path only (CloudFront).

A key names what a page shows; here it becomes the paths of the pages that
show it: its own page and its feeds (a trailing ``*`` takes in query strings
and the pages under it). Article pages showing an article in their related
list or a Read more link cannot be found by path: CloudFront serves those for
up to SHARED_CACHE_SECONDS (keep it short there), Varnish and the CDNs with
tags purge them exactly.
"""

from django.urls import reverse

from reader import front_keys

FIXED = {
    front_keys.ALL: ["/*"],
    front_keys.HOME: ["/"],
    front_keys.LIST: ["/articles/", "/articles/?*"],
    front_keys.TOPICS: ["/topics/"],
    front_keys.FEED: ["/feed/*"],
    front_keys.SITEMAP: ["/sitemap*"],
    front_keys.SEARCH: ["/search/*"],
    front_keys.ARTICLES: ["/newsletter/editions/*"],
    front_keys.EDITIONS: ["/newsletter/editions/", "/newsletter/editions/?*"],
    front_keys.SIGNUP: ["/newsletter/"],
}


def _slugs(model, pks) -> dict:
    return dict(model.objects.filter(pk__in=pks).values_list("pk", "slug"))


def paths_for(keys: list[str]) -> list[str]:
    """The paths to invalidate for ``keys``, unique, in their order."""
    from taggit.models import Tag

    from articles.models import Article, Author

    by_kind = {"a": [], "u": [], "t": [], "e": []}
    paths = []
    for key in keys:
        if key in FIXED:
            paths += FIXED[key]
        elif key[:1] in by_kind and key[1:].isdigit():
            by_kind[key[:1]].append(int(key[1:]))
    if front_keys.ALL in keys:
        return ["/*"]
    articles = _slugs(Article, by_kind["a"])
    for pk in by_kind["a"]:
        # A deleted article's address is gone with it: every article page.
        slug = articles.get(pk)
        paths.append(reverse("articles:detail", args=[slug]) if slug else "/articles/*")
    for slug in _slugs(Author, by_kind["u"]).values():
        paths.append(reverse("articles:author", args=[slug]) + "*")
    for slug in _slugs(Tag, by_kind["t"]).values():
        paths.append(reverse("articles:topic", args=[slug]) + "*")
    for pk in by_kind["e"]:
        paths.append(reverse("newsletter:edition", args=[pk]))
    return list(dict.fromkeys(paths))
