"""How the desk shows an article in its lists and read-only fields (HTML)."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles import read_more
from articles.models import Article

from . import publishing


def image_preview(images: dict, *, width: int, empty: str) -> str:
    """The smallest JPEG rendition of a cover or photo, or ``empty``."""
    smallest = images.get("jpeg") or []
    if not smallest:
        return empty
    return format_html(
        '<img class="cover-preview" src="{}" alt="" width="{}">',
        smallest[0][1],
        width,
    )


def state_summary(article: Article) -> str:
    # The words of the form's first line: one way to say where it stands.
    if article.pk is None:
        return "Not saved yet"
    return publishing.state_line(article)


def state_label(article: Article) -> str:
    """The state, with the preview link under it: a column of its own would
    push the list wider than a laptop screen."""
    state = article.state
    return format_html(
        '<span class="state state--{}">{}</span><br>{}',
        state.value,
        state,
        preview_link(article),
    )


def preview_link(article: Article) -> str:
    return format_html(
        '<a class="preview-link" href="{}" target="_blank" rel="noopener">Preview</a>',
        reverse("admin:articles_article_preview", args=[article.pk]),
    )


def read_more_summary(article: Article) -> str:
    """Each "Read more" reference of the body, with what it points to."""
    refs = list(dict.fromkeys(read_more.references(article.body)))
    if not refs:
        return "None yet."
    # The viewer the desk's lookup noted: without one, only live targets show.
    viewer = getattr(article, "admin_viewer", None)
    targets = read_more.targets_for([article.body_html], viewer=viewer)
    rows = []
    for ref in refs:
        target = targets.get(article.read_more_refs.get(ref))
        if target is None:
            rows.append((ref, "no article you can see", "draft", "Hidden"))
        else:
            rows.append((ref, target.title, target.state.value, target.state))
    return format_html(
        '<ul class="read-more-summary">{}</ul>',
        format_html_join(
            "",
            "<li><code>[[read-more:{}]]</code> → {} "
            '<span class="state state--{}">{}</span></li>',
            rows,
        ),
    )


def topic_list(article: Article) -> str:
    # From the prefetch in the list's queryset: no query per row.
    return ", ".join(sorted(tag.name for tag in article.tags.all())) or "–"
