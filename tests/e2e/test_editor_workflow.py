"""A new editor's first article, in Chromium: write, preview, schedule, publish.

Self-contained (Playwright's sync API, no shared browser fixtures) and skipped
when Chromium is not installed.
"""

import io
import re
import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from articles.roles import apply_role_permissions
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page(page):
    """The shared e2e page (Chromium, CSP watch), at an admin-friendly width."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


@pytest.fixture
def newsroom(django_db_setup, live_server, settings):
    """The editor account `make run` prints, an author and an article to cite.

    Made before the browser starts: the ORM is not used once Playwright runs
    its event loop in this thread. django_db_setup comes before live_server
    so the server shares an in-memory SQLite test database.
    """
    settings.DEBUG = True  # create_local_editor is for development only
    apply_role_permissions()  # A transactional test starts from a flushed database.
    call_command("create_local_editor", stdout=io.StringIO())
    AuthorFactory(name="Priya Raman")
    ArticleFactory(title="Negotiating your first offer", slug="first-offer")
    return live_server


def test_new_editor_writes_previews_schedules_and_publishes(
    newsroom, browser_page, tmp_path
):
    live_server = newsroom
    cover = tmp_path / "desk.jpg"
    Image.new("RGB", (1600, 900), "teal").save(cover, "JPEG")
    page = browser_page
    admin = live_server.url + "/admin/"

    page.goto(admin)
    page.fill("#id_username", "editor")
    page.fill("#id_password", "careerhub-editor")
    page.click("input[type=submit]")

    page.goto(live_server.url + reverse("admin:articles_article_add"))
    page.click("#id_title")
    page.keyboard.type("Asking for a pay rise")
    assert page.input_value("#id_slug") == "asking-for-a-pay-rise"
    page.fill(
        "#id_body", "## Prepare\n\nKnow your numbers.\n\n[[read-more:first-offer]]\n"
    )
    page.fill("#id_tags", "Salary, Negotiation")
    page.set_input_files("#id_cover_image", str(cover))
    page.fill("#id_cover_alt", "A tidy desk by a window")
    page.click("#id_author + .select2")
    page.keyboard.type("Priya")
    page.wait_for_selector(".select2-results__option--highlighted")
    page.keyboard.press("Enter")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    assert "was added successfully" in page.inner_text("ul.messagelist")

    with page.context.expect_page() as opened:
        page.click("a.previewlink")
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.inner_text("h1") == "Asking for a pay rise"
    assert "State: Draft" in preview.inner_text(".preview-banner")
    assert "Negotiating your first offer" in preview.inner_text(".read-more")
    assert preview.locator("meta[name=robots]").get_attribute("content") == (
        "noindex, nofollow"
    )
    preview.close()

    page.select_option("#id_status", "published")
    page.fill("#id_published_at_0", "15/01/2099")
    page.fill("#id_published_at_1", "09:00")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    assert "is scheduled: it goes live on 15 January 2099, 09:00 GMT" in (
        page.inner_text("ul.messagelist")
    )
    assert page.inner_text(".field-state_summary .readonly").startswith("Scheduled")
    article_url = "/articles/asking-for-a-pay-rise/"
    assert page.request.get(live_server.url + article_url).status == 404

    page.goto(live_server.url + reverse("admin:articles_article_changelist"))
    page.fill("#searchbar", "pay rise")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    assert page.locator("input[name=_selected_action]").count() == 1
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "publish_now")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")
    assert "1 article published now." in page.inner_text("ul.messagelist")

    page.goto(live_server.url + reverse("articles:list"))
    page.get_by_role("link", name="Asking for a pay rise").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + article_url
    srcset = page.locator(".article__cover img").get_attribute("srcset")
    assert re.search(r"-480w\.jpg 480w, .*-1600w\.jpg 1600w", srcset)
    assert page.csp_errors == []
