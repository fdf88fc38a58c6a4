"""Absolute URLs, share images and schema.org data for search engines and shares.

Every absolute URL is built on ``settings.SITE_URL`` (``site_urls.py``).
"""

import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .site_urls import absolute_url

# Facebook, LinkedIn and X all ask for 1200 px wide share images.
SHARE_IMAGE_WIDTH = 1200
SITE_DESCRIPTION = (
    "Practical, honest career advice: interviews, CVs, salary talks, "
    "career changes and more."
)
# Static images for pages without a cover and for the publisher's logo.
DEFAULT_SHARE_IMAGE = ("img/share-default.png", 1200, 630)
LOGO_IMAGE = ("img/logo.png", 512, 512)

# What json_script escapes: a "</script>" inside a title must not end the block.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def rendition(renditions: dict, width: int = SHARE_IMAGE_WIDTH) -> dict | None:
    """The JPEG rendition nearest ``width`` (the next larger if there is one)."""
    jpegs = (renditions or {}).get("jpeg") or []
    if not jpegs:
        return None
    chosen, url = min(
        jpegs, key=lambda entry: (entry[0] < width, abs(entry[0] - width))
    )
    full_width, full_height = renditions.get("width"), renditions.get("height")
    height = round(full_height * chosen / full_width) if full_width else None
    return {"url": absolute_url(url), "width": chosen, "height": height}


def article_image(article) -> dict | None:
    """The cover at share size, with its description, or None."""
    if not article.cover_image:
        return None
    image = rendition(article.cover_images) or {
        "url": absolute_url(article.cover_image.url)
    }
    return {**image, "alt": article.cover_alt}


def site_image() -> dict:
    path, width, height = DEFAULT_SHARE_IMAGE
    return {
        "url": absolute_url(static(path)),
        "width": width,
        "height": height,
        "alt": settings.SITE_NAME,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _image_object(image: dict) -> dict:
    data = {"@type": "ImageObject", "url": image["url"]}
    if image.get("width") and image.get("height"):
        data.update(width=image["width"], height=image["height"])
    return data


def publisher() -> dict:
    path, width, height = LOGO_IMAGE
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "logo": _image_object(
            {"url": absolute_url(static(path)), "width": width, "height": height}
        ),
    }


def person(author) -> dict:
    data = {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }
    if author.job_title:
        data["jobTitle"] = author.job_title
    return data


def article_data(article) -> dict:
    """schema.org Article for the article page (uses its prefetched tags)."""
    url = absolute_url(article.get_absolute_url())
    topics = [tag.name for tag in article.topics]
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _iso(article.published_at),
        "dateModified": _iso(article.date_modified),
        "author": person(article.author),
        "publisher": publisher(),
        "image": _image_object(article_image(article) or site_image()),
        "wordCount": article.word_count,
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if topics:
        data.update(articleSection=topics[0], keywords=topics)
    return {key: value for key, value in data.items() if value is not None}


def author_data(author) -> dict:
    """schema.org ProfilePage whose main entity is the author."""
    url = absolute_url(author.get_absolute_url())
    entity = person(author)
    if author.bio:
        entity["description"] = author.bio
    photo = rendition(author.photo_images) if author.photo else None
    if photo:
        entity["image"] = _image_object(photo)
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": url,
        "mainEntity": entity,
    }


def json_ld(data: dict) -> SafeString:
    """A JSON-LD data block; browsers never run it, so CSP lets it be."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_JSON_SCRIPT_ESCAPES)),
    )
