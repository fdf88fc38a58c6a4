"""Browsers send CRLF; the desk keeps text with LF (desk/typed_text.py)."""

from desk.typed_text import typed_text


def test_a_browsers_line_endings_become_the_stored_ones():
    typed = "First line\r\n\r\n## Heading\r\n"

    assert typed_text(typed) == "First line\n\n## Heading\n"


def test_text_already_stored_comes_back_unchanged():
    body = "First line\n\n- a\n- b\n"

    assert typed_text(body) == body
    assert typed_text(typed_text("a\r\nb")) == "a\nb"
