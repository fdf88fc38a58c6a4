""" "Read more" reference syntax: how a reference is written, in Markdown and
in the rendered HTML, and the text rewrites between slugs and ids.

Text only, no database: rendering (which keeps a reference line as a
paragraph of its own) and the resolver (articles/read_more.py) both build on
it.

    [[read-more:some-slug]]     by slug, current or former
    [[read-more:42]]            by id
"""

import re

LINE = re.compile(r"^[ \t]*\[\[read-more:([A-Za-z0-9_-]+)\]\][ \t\r]*$", re.M)
# After rendering, a reference line is a paragraph of its own.
TOKEN = re.compile(r"<p>\[\[read-more:([A-Za-z0-9_-]+)\]\]</p>")


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
