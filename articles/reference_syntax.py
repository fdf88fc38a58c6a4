"""Reference lines: how an editor places something that is not text (a "Read
more" link, a figure from the media library, a video) in the Markdown, and how
it is kept in the rendered HTML until the page is served.

Text only, no database. One rule for every kind: a reference line is
``[[kind:argument]]`` alone on its line (spaces around it allowed); rendering
keeps it as a paragraph of its own (``<p>[[kind:argument]]</p>``, the token),
which the page swaps for what it stands for when it is served. The kinds:

    [[read-more:some-slug]]     "Read more" link, by slug (current or former)
    [[read-more:42]]            ... or by id (articles/read_more.py)
    [[image:7]]                 figure: image 7 of the media library
                                (articles/figures.py)
    [[video:URL|Title]]         click-to-load YouTube or Vimeo video; the title
                                is what readers see before they play it
                                (articles/video.py)
"""

import re

KINDS = ("read-more", "image", "video")


_ANY_KIND = "(?:" + "|".join(map(re.escape, KINDS)) + ")"


def line(kind: str | None, argument: str = r"[^\]\n]+") -> re.Pattern:
    """Lines of Markdown referring to ``kind``; group 1 is the argument."""
    kind = _ANY_KIND if kind is None else re.escape(kind)
    return re.compile(rf"^[ \t]*\[\[{kind}:({argument})\]\][ \t\r]*$", re.M)


def token(kind: str | None, argument: str = r"[^<\n]*?") -> re.Pattern:
    """The rendered form of ``kind``'s lines (``None``: any kind); group 1 is
    the argument, HTML-escaped as Markdown left it."""
    kind = _ANY_KIND if kind is None else re.escape(kind)
    return re.compile(rf"<p>\[\[{kind}:({argument})\]\]</p>")


# Every reference line and token, whatever its kind.
ANY_LINE = line(None)
ANY_TOKEN = token(None)

LINE = line("read-more", r"[A-Za-z0-9_-]+")
TOKEN = token("read-more", r"[A-Za-z0-9_-]+")
IMAGE_LINE = line("image", r"[0-9]+")
IMAGE_TOKEN = token("image", r"[0-9]+")
VIDEO_LINE = line("video")
VIDEO_TOKEN = token("video")


def references(source: str) -> list[str]:
    """The ids or slugs referenced by "Read more" lines of Markdown, in order."""
    return LINE.findall(source or "")


def to_ids(body: str, mapping: dict) -> str:
    """``body`` with each resolved reference written as its id, for rendering
    (the editor's text itself keeps the slugs as typed)."""

    def replace(match: re.Match) -> str:
        pk = mapping.get(match.group(1))
        return f"[[read-more:{pk}]]" if pk is not None else match.group(0)

    return LINE.sub(replace, body or "")


def to_refs(body: str, mapping: dict) -> str:
    """Undo ``to_ids``: each id written back as the reference it came from."""
    by_id = {str(pk): ref for ref, pk in mapping.items()}

    def replace(match: re.Match) -> str:
        ref = by_id.get(match.group(1))
        return f"[[read-more:{ref}]]" if ref is not None else match.group(0)

    return LINE.sub(replace, body or "")
