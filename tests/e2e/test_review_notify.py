"""Review that notifies, in Chromium (issue 24 item 5): a writer submits, the
editor sends the draft back with a note, the writer fixes it and resubmits,
the editor publishes; every mail arrives once (the locmem outbox: the live
server runs in this process, tasks run at once). The pages on the way pass
axe with no violation, at 390 and 1280 px."""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import apply_role_permissions
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    log_in_to_admin,
)
from tests.factories import DraftArticleFactory, EditorFactory, WriterFactory
from tests.newsletter.test_mail_quality import vnu_jar
from tests.npm import need

NOTE = "Add a source for the salary figures in the second section."


@pytest.fixture
def people(transactional_db):
    apply_role_permissions()  # a transactional test flushed the migration's groups
    editor = EditorFactory(username="edna", first_name="Edna", last_name="Moss")
    writer = WriterFactory(username="wanda", first_name="Wanda", last_name="Lee")
    return editor, writer


@pytest.fixture
def outbox(settings, live_server, mailoutbox):
    settings.SITE_URL = live_server.url
    return mailoutbox


@pytest.fixture
def viewport():
    return DESKTOP


def path_of(mail) -> str:
    """The admin link a mail carries, as a path on the live server."""
    link = next(word for word in mail.body.split() if "/admin/articles/" in word)
    return urlsplit(link).path


def nu_check(html: str, folder: Path, *, known: tuple[str, ...] = ()) -> None:
    """The Nu Html Checker finds no error in ``html`` but the ``known`` ones
    (errors in Django's own admin markup, named where they are allowed)."""
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    path = folder / "page.html"
    path.write_text(html, encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    errors = [
        line
        for line in result.stderr.splitlines()
        if "error:" in line and not any(text in line for text in known)
    ]
    assert errors == [], result.stderr


def fragment(page, selector: str) -> str:
    """A part of a page as a document of its own, for the Nu checker (the
    article form as a whole has Nu errors of its own, outside this markup)."""
    html = page.locator(selector).evaluate("element => element.outerHTML")
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Part</title></head>'
        f"<body><form>{html}</form></body></html>"
    )


def scan(new_context, axe_js, url: str, username: str, shots, *, nu=True) -> None:
    """axe at 1280 px and 390 px, with a screenshot of each (bypass_csp: axe
    is injected inline), and the Nu checker once (``nu``: the article form
    as a whole has Nu errors of its own, outside this flow's markup)."""
    for name, size in (("1280", DESKTOP), ("390", PHONE)):
        context = new_context(bypass_csp=True, viewport=size)
        page = context.new_page()
        log_in_to_admin(page, username)
        page.goto(url)
        page.screenshot(path=shots / f"{name}px.png", full_page=True)
        if nu and size == DESKTOP:
            nu_check(page.request.get(page.url).text(), shots)  # as served
        violations = axe_violations(page, axe_js)
        assert violations == [], describe_violations(violations)
        context.close()


def test_writer_submits_editor_sends_back_writer_resubmits_editor_publishes(
    page, new_context, step, people, outbox, axe_js, tmp_path, request
):
    editor, writer = people
    draft = DraftArticleFactory(
        author=writer.author,
        title="Ask for the salary range first",
        body="## Why\n\nIt anchors the talk.\n",
    )
    change = reverse("admin:articles_article_change", args=[draft.pk])
    editor_page = new_context(viewport=DESKTOP).new_page()

    with step("the writer submits the draft"):
        log_in_to_admin(page, "wanda")
        page.goto(change)
        page.get_by_role("button", name="Submit for review").click()
        expect(page.locator(".messagelist")).to_contain_text("The editors are told")
        assert [mail.to for mail in outbox] == [["edna@example.com"]]

    with step("the editor follows the mail's link and sends it back", page=editor_page):
        log_in_to_admin(editor_page, "edna")
        editor_page.goto(path_of(outbox[0]))
        editor_page.get_by_role("link", name="Send back to the writer…").click()
        editor_page.get_by_role("button", name="Send back with this note").click()
        expect(editor_page.locator("#error-summary")).to_be_focused()
        editor_page.get_by_label("Your note to the writer").fill(NOTE)
        editor_page.get_by_role("button", name="Send back with this note").click()
        expect(editor_page.locator(".messagelist")).to_contain_text(
            "went back to its writer, who is told by mail"
        )
        assert len(outbox) == 2 and outbox[1].to == ["wanda@example.com"]
        assert NOTE in outbox[1].body

    with step("the writer reads the note on the article, fixes and resubmits"):
        page.goto(path_of(outbox[1]))
        note = page.get_by_role("note").filter(has_text="Sent back by Edna Moss")
        expect(note).to_contain_text(NOTE)
        page.locator("#id_body").fill(
            "## Why\n\nIt anchors the talk (a 2025 survey of 900 recruiters).\n"
        )
        page.get_by_role("button", name="Submit for review").click()
        expect(page.locator(".messagelist")).to_contain_text("submitted for review")
        assert len(outbox) == 3 and outbox[2].to == ["edna@example.com"]

    with step("the editor publishes it", page=editor_page):
        editor_page.goto(path_of(outbox[2]))
        editor_page.get_by_role("button", name="Publish now…").click()
        editor_page.get_by_role("button", name="Yes, publish").click()
        expect(editor_page.locator(".messagelist")).to_contain_text("goes live now")
        assert Article.objects.get(pk=draft.pk).is_live

    with step("every mail arrived once"):
        assert [(mail.to, mail.subject) for mail in outbox] == [
            (
                ["edna@example.com"],
                "Ready for review: “Ask for the salary range first”",
            ),
            (
                ["wanda@example.com"],
                "Sent back with a note: “Ask for the salary range first”",
            ),
            (
                ["edna@example.com"],
                "Ready for review: “Ask for the salary range first”",
            ),
            (["wanda@example.com"], "Published: “Ask for the salary range first”"),
        ]

    # The pages of the flow, at both widths, through axe.
    from tests.e2e.helpers import SCREENSHOTS, slugify

    shots = SCREENSHOTS / slugify(request.node.name)
    draft.refresh_from_db()
    waiting = DraftArticleFactory(author=writer.author, title="A second draft")
    page.goto(reverse("admin:articles_article_change", args=[waiting.pk]))
    page.get_by_role("button", name="Submit for review").click()
    for name, url, username in (
        (
            "send-back",
            reverse("admin:articles_article_send_back", args=[waiting.pk]),
            "edna",
        ),
        (
            "change-waiting",
            reverse("admin:articles_article_change", args=[waiting.pk]),
            "edna",
        ),
    ):
        folder = shots / name
        folder.mkdir(parents=True, exist_ok=True)
        scan(new_context, axe_js, url, username, folder, nu=name == "send-back")
    editor_page.goto(reverse("admin:articles_article_send_back", args=[waiting.pk]))
    editor_page.get_by_label("Your note to the writer").fill("Shorter, please.")
    editor_page.get_by_role("button", name="Send back with this note").click()
    folder = shots / "writer-note"
    folder.mkdir(parents=True, exist_ok=True)
    scan(
        new_context,
        axe_js,
        reverse("admin:articles_article_change", args=[waiting.pk]),
        "wanda",
        folder,
        nu=False,
    )
    page.goto(reverse("admin:articles_article_change", args=[waiting.pk]))
    nu_check(fragment(page, ".publishing-bar"), folder)
