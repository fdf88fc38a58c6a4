"""The Markdown toolbar and shortcuts above the article body
(static/js/desk-toolbar.js): for editors who do not know Markdown, by mouse
or keyboard alone, each change one undo step that the preview follows."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from tests.e2e.helpers import both_viewports, log_in_to_admin, tab_to
from tests.factories import EditorFactory

BUTTONS = [
    "Bold",
    "Italic",
    "Link",
    "Heading",
    "Bulleted list",
    "Numbered list",
    "Image",
    "Read more",
]


@pytest.fixture
def editor(transactional_db):
    apply_role_permissions()
    return EditorFactory(username="edna")


def open_new_article(page):
    log_in_to_admin(page, "edna")
    page.goto(reverse("admin:articles_article_add"))
    return page.locator("#id_body")


def select(body, text: str):
    """Select ``text`` in the body, as an editor dragging over it does."""
    body.evaluate(
        """(el, text) => {
             const start = el.value.indexOf(text);
             el.focus();
             el.setSelectionRange(start, start + text.length);
           }""",
        text,
    )


@both_viewports
def test_toolbar_buttons_write_the_markdown(page, step, editor):
    with step("the toolbar sits above the body, every button named"):
        body = open_new_article(page)
        toolbar = page.get_by_role("toolbar", name="Formatting")
        names = toolbar.get_by_role("button").evaluate_all(
            "buttons => buttons.map((b) => b.getAttribute('aria-label'))"
        )
        assert names == BUTTONS
        body.scroll_into_view_if_needed()
        expect(toolbar).to_be_in_viewport()
        expect(body).to_be_in_viewport()

    with step("bold, italic and a link around selected words"):
        body.fill("Ask for the salary range early.")
        select(body, "salary range")
        toolbar.get_by_role("button", name="Bold").click()
        expect(body).to_have_value("Ask for the **salary range** early.")
        select(body, "early")
        toolbar.get_by_role("button", name="Italic").click()
        expect(body).to_have_value("Ask for the **salary range** *early*.")
        select(body, "Ask")
        toolbar.get_by_role("button", name="Link").click()
        # The address is selected, to be typed over.
        page.keyboard.type("https://example.org/")
        expect(body).to_have_value(
            "[Ask](https://example.org/) for the **salary range** *early*."
        )

    with step("a heading, a list, an image line and a Read more line"):
        body.fill("Before the call\nWrite the number down\nKnow your limit")
        select(body, "Before")
        toolbar.get_by_role("button", name="Heading").click()
        select(body, "Write the number down\nKnow your limit")
        toolbar.get_by_role("button", name="Bulleted list").click()
        expect(body).to_have_value(
            "## Before the call\n- Write the number down\n- Know your limit"
        )
        body.press("Control+End")
        toolbar.get_by_role("button", name="Read more").click()
        page.keyboard.type("salary-bands")
        toolbar.get_by_role("button", name="Image").click()
        expect(body).to_have_value(
            "## Before the call\n- Write the number down\n- Know your limit\n\n"
            "[[read-more:salary-bands]]\n\n[[image:image-name]]\n\n"
        )
        # The placeholder name is selected, for the editor to replace.
        selected = body.evaluate(
            "el => el.value.slice(el.selectionStart, el.selectionEnd)"
        )
        assert selected == "image-name"

    with step("the preview follows the toolbar's changes"):
        frame = page.frame_locator("#desk-preview-frame")
        expect(
            frame.locator(".prose").get_by_role("heading", name="Before the call")
        ).to_be_visible()


def test_shortcuts_and_undo(page, step, editor):
    with step("Ctrl+B, Ctrl+I and Ctrl+K on selected words"):
        body = open_new_article(page)
        body.fill("Negotiate the offer")
        select(body, "Negotiate")
        body.press("Control+b")
        expect(body).to_have_value("**Negotiate** the offer")
        select(body, "offer")
        body.press("Control+i")
        expect(body).to_have_value("**Negotiate** the *offer*")
        body.press("Control+b")  # bold the selection, still "offer"
        expect(body).to_have_value("**Negotiate** the ***offer***")
        body.press("Control+b")  # and back
        expect(body).to_have_value("**Negotiate** the *offer*")

    with step("with nothing selected, a placeholder to type over"):
        body.press("Control+End")
        body.press("Control+k")
        page.keyboard.type("the guide")
        expect(body).to_have_value("**Negotiate** the *offer*[the guide](https://)")

    with step("each change is one undo step"):
        body.press("Control+z")
        body.press("Control+z")
        expect(body).to_have_value("**Negotiate** the *offer*")


def test_toolbar_works_by_keyboard_alone(page, step, editor):
    with step("Tab reaches the toolbar once; arrows move between buttons"):
        open_new_article(page)
        page.locator("#id_slug").focus()
        bold = page.get_by_role("button", name="Bold")
        tab_to(page, bold)
        page.keyboard.press("ArrowRight")
        expect(page.get_by_role("button", name="Italic")).to_be_focused()
        page.keyboard.press("End")
        expect(page.get_by_role("button", name="Read more")).to_be_focused()
        page.keyboard.press("ArrowRight")
        expect(bold).to_be_focused()
        page.keyboard.press("ArrowLeft")
        read_more = page.get_by_role("button", name="Read more")
        expect(read_more).to_be_focused()
        # One stop for the whole toolbar: the next Tab leaves it for the body.
        page.keyboard.press("Tab")
        expect(page.locator("#id_body")).to_be_focused()

    with step("Shift+Tab returns to the last button used; Enter presses it"):
        page.keyboard.press("Shift+Tab")
        expect(read_more).to_be_focused()
        page.keyboard.press("Enter")
        body = page.locator("#id_body")
        expect(body).to_be_focused()
        expect(body).to_have_value("[[read-more:article-slug]]\n\n")
