"""Pasting Google Docs, Word and web pages into the article body keeps their
structure as Markdown (static/js/desk-paste.js).

Each paste hands the body the clipboard HTML those programs really produce
(tests/e2e/fixtures/paste/, README there says where each came from), in a
paste event as Chromium fires it.
"""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from tests.e2e.helpers import log_in_to_admin
from tests.factories import EditorFactory

FIXTURES = Path(__file__).parent / "fixtures" / "paste"

# What the body holds after each paste. Google's own captures are
# pretty-printed (indented) by the project they come from: a space before a
# full stop ("italic* .") is in their text as a browser would show it.
EXPECTED = {
    "google-docs-inline.html": (
        "This is a test of inline formatting.\n\n"
        "This **is bold** ***and italic*** *or just italic* . Or underlined , "
        "~~struck through~~ , or [linked (to GitHub)](https://github.com/) .\n\n"
        "Some text is superscript and some is subscript ."
    ),
    "google-docs-lists.html": (
        "This is a test of lists.\n\n"
        "A bulleted list:\n\n"
        "- This is\n"
        "- A bulleted\n"
        "- List of stuff.\n"
        "  - With\n"
        "  - Subitems\n"
        "    - And\n"
        "    - Sub-subitems\n"
        "      1. But numbered not bulleted!\n"
        "- This item has line breaks.\\\n"
        "  Here is a second line.\n\n"
        "And a numbered list:\n\n"
        "1. This is\n"
        "2. A numbered\n"
        "3. List of stuff.\n"
        "   1. With\n"
        "   2. Subitems\n"
        "      1. And\n"
        "      2. Sub-subitems\n"
        "         - But bulleted not numbered!\n"
        "4. This item has line breaks.\\\n"
        "   Here is a second line."
    ),
    "google-docs-table.html": (
        "This is a test of table support.\n\n"
        "| Column | Headings | Go | Here | And Here |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| Textual | 53 | Right | This | How about |\n"
        "| Column | 23 | Aligned | Aligns | some |\n"
        "| Values | 1120 | 5000 | To center | 🤷 emoji ❓ |"
    ),
    # Word numbers its lists in hidden "1." and "a." runs, one paragraph an
    # item, the second level a list of its own (l1) nested by its level; the
    # heading's bookmarks (<a name>) are not links.
    "word-desktop-nested-list.html": (
        "## Some nested lists\n\n1. one\n2. two\n   1. a\n   2. b"
    ),
    # Word for Mac puts the link on its own line (<a CRLF href=...>).
    "word-desktop-link.html": (
        "X[X](https://en.wikipedia.org/wiki/"
        "United_States_Senate_election_in_Illinois,_2004)X"
    ),
    "word-online-list.html": "asd\n\n- Test",
    # Copied in Chromium from a published Google document: Google's redirect
    # (google.com/url?q=…&sa=D&usg=…) unwrapped to the address it leads to.
    "web-google-docs-published.chromium.html": (
        "This is a test of inline formatting.\n\n"
        "This **is bold *and italic*** *or just italic*. Or underlined, "
        "~~struck through~~, or [linked (to GitHub)](https://github.com/).\n\n"
        "Some textis superscript and someis subscript."
    ),
    # Copied in Chromium from an article page: its styles, fonts, button and
    # tracking pixel gone, utm_*, gclid and fbclid taken out of the links.
    "web-article.chromium.html": (
        "# Three questions to ask at the end of an interview\n\n"
        "The last five minutes are yours. Use them to learn whether you want "
        "the job.\n\n"
        "## Before you ask\n\n"
        "Write your questions down the night before, and **bring a printed "
        "copy**. Interviewers notice when a question was *prepared for them* "
        "rather than for any company. Our [preparation checklist]"
        "(https://careers.example.org/guides/interview-prep?ref=home) has a "
        "template.\n\n"
        "## The questions\n\n"
        "1. What would success look like after six months?\n"
        "   - Listen for **numbers**: targets you can check.\n"
        "   - Listen for people: who you would help.\n"
        "2. What is the hardest part of this role?\n"
        "3. How does the team decide what to work on next?\n\n"
        "> Ask about the work, not the perks. Perks come up once there is an "
        "offer.\n\n"
        "## What the answers tell you\n\n"
        "| Answer | What it suggests |\n"
        "| --- | --- |\n"
        "| Clear goals with figures | A manager who measures fairly |\n"
        "| “It depends” | A role still being defined |\n\n"
        "Read the [salary bands guide](https://careers.example.org/salary-bands) "
        "next.\n\n"
        "[Post it](https://social.example.com/share?u=https%3A%2F%2Fcareers.example.org)"
    ),
}

PASTE = """([html, text]) => {
  const body = document.getElementById("id_body");
  body.focus();
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", text);
  body.dispatchEvent(new ClipboardEvent("paste", {
    clipboardData: data, bubbles: true, cancelable: true,
  }));
}"""


@pytest.fixture
def editor(transactional_db):
    apply_role_permissions()
    return EditorFactory(username="edna")


@pytest.fixture
def settled(page):
    """The page, left quiet at the end: the preview asks the server 0.4 s
    after the last edit, and a request still running when the test ends
    holds SQLite's tables while the database is emptied."""
    yield page
    page.wait_for_timeout(1200)


def paste(page, html: str, text: str = "plain text"):
    page.evaluate(PASTE, [html, text])


def test_every_fixture_is_tested():
    assert sorted(EXPECTED) == sorted(p.name for p in FIXTURES.glob("*.html"))


def test_documents_paste_into_the_body_as_markdown(page, step, editor, settled):
    with step("open a new article"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_add"))
    body = page.locator("#id_body")
    for name, markdown in EXPECTED.items():
        with step(f"paste {name}"):
            body.fill("")
            paste(page, (FIXTURES / name).read_text())
            assert body.input_value() == markdown, name


def test_a_paste_is_one_undo_step_and_the_preview_follows(page, step, editor, settled):
    html = (FIXTURES / "web-article.chromium.html").read_text()
    with step("type a line, then paste a web page after it"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_add"))
        body = page.locator("#id_body")
        body.press_sequentially("My notes")
        body.press("ArrowLeft")  # a pause in the typing: the next edit is a step
        body.press("End")
        paste(page, html)
        value = body.input_value()
        assert value.startswith("My notes\n\n# Three questions to ask")
        frame = page.frame_locator("#desk-preview-frame")
        prose = frame.locator(".prose")
        expect(prose.get_by_role("heading", name="The questions")).to_be_visible()
        expect(prose.locator("table")).to_contain_text("A role still being defined")
        link = prose.get_by_role("link", name="preparation checklist")
        expect(link).to_have_attribute(
            "href", "https://careers.example.org/guides/interview-prep?ref=home"
        )

    with step("undo takes the whole paste back"):
        body.press("Control+z")
        expect(body).to_have_value("My notes")


def test_plain_text_pastes_as_it_is(page, step, editor, settled):
    with step("paste Markdown copied as plain text"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_add"))
        page.evaluate(
            """(text) => {
              const body = document.getElementById("id_body");
              body.focus();
              const data = new DataTransfer();
              data.setData("text/plain", text);
              const event = new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
              });
              body.dispatchEvent(event);
              window.pasteHandled = event.defaultPrevented;
            }""",
            "## Kept *as typed*",
        )
        # Left to the browser: the script did not take it over.
        assert page.evaluate("window.pasteHandled") is False


def test_words_from_a_heading_join_the_sentence_and_references_stay(
    page, step, editor, settled
):
    with step("paste words copied from a heading into a sentence"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_add"))
        body = page.locator("#id_body")
        body.fill("Read  today.")
        body.evaluate("el => el.setSelectionRange(5, 5)")
        # Chromium copies a heading's words with the heading around them.
        paste(page, '<meta charset="utf-8"><h2 style="color: red;">the guide</h2>')
        expect(body).to_have_value("Read the guide today.")

    with step("a Read more line in a document stays a reference"):
        body.fill("")
        paste(
            page,
            '<b style="font-weight:normal;" id="docs-internal-guid-1"><p dir="ltr">'
            "<span>[[read-more:salary-bands]]</span></p><p><span>Next</span></p></b>",
        )
        expect(body).to_have_value("[[read-more:salary-bands]]\n\nNext")
