"""An article's body as it is shown: the stored HTML with its reference
tokens expanded ("Read more" links, figures, videos), for a page of the site
or for outside it (feeds, mails). Every caller goes through here, so a new
kind of reference line is added once."""

from collections.abc import Iterable

from . import figures, read_more, video


def for_page(article, *, viewer=None) -> str:
    """The body for the article's page (or the desk's preview, with
    ``viewer``): a query for "Read more" targets and one for the figures'
    images, each only when the body has such lines."""
    body = read_more.expand(article.body_html, viewer=viewer)
    body = figures.expand(body, eager_first=not article.cover_image)
    return video.expand(body)


def lookups(articles: Iterable) -> dict:
    """What ``for_outside`` needs for many bodies, in two queries at most."""
    bodies = [article.body_html for article in articles]
    return {
        "targets": read_more.targets_for(bodies),
        "images": figures.images_for(bodies),
    }


def for_outside(article, *, targets: dict, images: dict) -> str:
    """The body for a feed reader or a mail: figures as one plain image of a
    sensible size, videos as a link with their title. URLs on local storage
    are root-relative: the caller makes them absolute for where it goes."""
    body = read_more.expand(article.body_html, targets=targets)
    body = figures.expand(body, images=images, outside=True)
    return video.expand(body, outside=True)
