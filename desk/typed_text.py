"""Text as editors type it. Browsers send a textarea's line breaks as CRLF;
the desk stores, compares, previews and autosaves text with LF, so a text sent
back untouched is not "changed" (nor noted so in the versions)."""


def typed_text(value: str) -> str:
    """``value`` with the browser's CRLF line endings made LF."""
    return value.replace("\r\n", "\n")
