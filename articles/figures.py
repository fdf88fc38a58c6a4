"""Figures: images of the media library placed in an article's body.

An editor puts the image's reference line on a line of its own:

    [[image:7]]         image 7 of the library (its ID, shown in the library
                        and in the article form's picker)

The text keeps the line as typed; the rendered HTML keeps it as a token
(articles/reference_syntax.py) that ``expand`` swaps, when the page is
served, for a figure with the image's *current* renditions, alt text,
caption and credit: editing an image in the library changes every article
that shows it. The images of a page (or of every item of a feed) are read in
one query. ``services.article_write`` records which articles place which
image (``FigureUse``), so an image in use cannot be deleted.
"""

import re
from collections.abc import Iterable

from django.template.loader import render_to_string

from .models import Article, MediaImage
from .reference_syntax import IMAGE_LINE, IMAGE_TOKEN

# Wide enough for the text column on any screen (the body is at most 42rem).
SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2.5rem)"
# Outside the site (feeds, mails) one image of about this width is sent.
OUTSIDE_WIDTH = 800
MAX_ID = 2**63 - 1


def image_ids(source: str) -> list[int]:
    """The library ids placed by the Markdown ``source``, in order, once each."""
    ids = (int(ref) for ref in IMAGE_LINE.findall(source or ""))
    return list(dict.fromkeys(pk for pk in ids if 0 < pk <= MAX_ID))


def missing(source: str) -> list[int]:
    """The ids of ``source``'s image lines that match no library image (one
    query, none without image lines)."""
    ids = image_ids(source)
    if not ids:
        return []
    found = set(MediaImage.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk not in found]


def link_article(article: Article) -> None:
    """Record the library images ``article``'s body places (``FigureUse``)."""
    ids = image_ids(article.body)
    existing = MediaImage.objects.filter(pk__in=ids).values_list("pk", flat=True)
    article.figures.set(list(existing) if ids else [])


def token_ids(bodies_html: Iterable[str]) -> set[int]:
    return {
        pk
        for body in bodies_html
        for ref in IMAGE_TOKEN.findall(body or "")
        if 0 < (pk := int(ref)) <= MAX_ID
    }


def images_for(bodies_html: Iterable[str]) -> dict[int, MediaImage]:
    """The images the rendered bodies place, by id: one query for all of
    them, none when they place none."""
    ids = token_ids(bodies_html)
    return MediaImage.objects.in_bulk(ids) if ids else {}


def outside_image(image: MediaImage) -> dict:
    """One image of about ``OUTSIDE_WIDTH`` for feeds and mails: its URL
    (root-relative on local storage: the caller makes it absolute), width and
    height."""
    urls = image.images
    if not urls:
        return {"url": image.image.url, "width": image.width, "height": image.height}
    width, url = min(urls["jpeg"], key=lambda entry: abs(entry[0] - OUTSIDE_WIDTH))
    height = round(urls["height"] * width / urls["width"])
    return {"url": url, "width": width, "height": height}


def expand(
    body_html: str,
    *,
    images: dict | None = None,
    outside: bool = False,
    eager_first: bool = False,
) -> str:
    """Swap image tokens for figures (an image no longer in the library shows
    nothing). ``images`` (from ``images_for``) saves the query when many
    bodies are expanded; ``outside`` gives feeds and mails one plain image;
    ``eager_first``: a figure that opens the body (no cover above it) is
    fetched at once, every other one lazily, as it nears the screen."""
    if images is None:
        images = images_for([body_html])

    def replace(match: re.Match) -> str:
        image = images.get(int(match.group(1)))
        if image is None:
            return ""
        context = {"figure": image, "sizes": SIZES}
        if outside:
            context["outside"] = outside_image(image)
        else:
            first = eager_first and match.start() == 0
            context["loading"] = "eager" if first else "lazy"
        return render_to_string("articles/_figure.html", context).strip()

    return IMAGE_TOKEN.sub(replace, body_html or "")
