"""The editor's desk as a whole, in Chromium: the journey issue 12 is checked
with, one step after another, asserting at each what the editor relies on.

An editor writes an article with a "Read more" line and a cover, watches the
live preview, publishes with the button and its confirmation, edits it,
restores the previous version; two editors edit it at once; a writer submits
a draft for review and the editor finds it. The change page, the publish
confirmation and the versions page are also saved at 390 and 1280 px.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from articles.management.commands import create_local_editor
from articles.models import Article, State
from articles.roles import apply_role_permissions
from desk import versions
from tests.e2e.helpers import DESKTOP, PHONE, SCREENSHOTS, log_in_to_admin, screenshot
from tests.factories import EditorFactory, WriterFactory

TITLE = "Asking for a pay rise"
SLUG = "asking-for-a-pay-rise"
# A demo article the new one cites in a "Read more" line.
CITED_SLUG = "negotiating-without-a-competing-offer"
FIRST_BODY = f"## Prepare\n\nKnow your numbers.\n\n[[read-more:{CITED_SLUG}]]"
SECOND_BODY = "## Prepare\n\nKnow your numbers, and your market.\n\n" + (
    f"[[read-more:{CITED_SLUG}]]"
)


@pytest.fixture
def roles(transactional_db):
    """The Editors and Writers groups: a transactional test flushed the migration's."""
    apply_role_permissions()


@pytest.fixture
def cover(tmp_path):
    path = tmp_path / "desk.jpg"
    Image.new("RGB", (1600, 900), "teal").save(path, "JPEG")
    return path


def messages(page):
    return page.locator("ul.messagelist")


def at_both_widths(page, name: str):
    """The page as it is now, at 390 and at 1280 px, for a person to look at."""
    folder = SCREENSHOTS / "editor-journey"
    folder.mkdir(parents=True, exist_ok=True)
    for label, size in (("390px", PHONE), ("1280px", DESKTOP)):
        page.set_viewport_size(size)
        screenshot(page, folder / f"{name}-{label}.png")
        # Nothing sticks out sideways at either width.
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        ), f"{name} scrolls sideways at {label}"


def test_editor_journey(page, step, demo_site, roles, cover, new_context, page_watch):
    # The account `make run` prints: Editors group, not a superuser.
    with override_settings(DEBUG=True):  # the command refuses to run otherwise
        call_command("create_local_editor", stdout=io.StringIO())
    EditorFactory(username="bea", first_name="Bea", last_name="Editor")
    WriterFactory(username="wanda", first_name="Wanda", last_name="Writer")
    cited = Article.objects.get(slug=CITED_SLUG)

    with step("log in as the local editor"):
        log_in_to_admin(
            page, create_local_editor.USERNAME, create_local_editor.PASSWORD
        )

    with step("write an article: the preview and counts follow the typing"):
        page.goto(reverse("admin:articles_article_add"))
        page.locator("#id_title").press_sequentially(TITLE)
        expect(page.locator("#id_slug")).to_have_value(SLUG)
        page.locator("#id_body").press_sequentially(FIRST_BODY, delay=5)
        preview = page.frame_locator("#desk-preview-frame").locator(".prose")
        expect(preview.get_by_role("heading", name="Prepare")).to_be_visible()
        # The "Read more" line, as readers get it: the cited article's title.
        expect(preview.get_by_role("link", name=cited.title)).to_be_visible()
        expect(page.locator("#desk-counts")).to_contain_text("words · 1 minute")
        page.locator("#id_tags").fill("Salary, Negotiation")
        page.get_by_label("Create new topics").check()

    with step("choose a cover: previewed before saving"):
        page.locator("#id_cover_image").set_input_files(cover)
        focus = page.locator("[data-cover-focus] img")
        expect(focus).to_be_visible()
        assert focus.evaluate("img => img.complete && img.naturalWidth > 0")
        page.locator("#id_cover_alt").fill("A tidy desk by a window")
        page.locator("#id_author + .select2").click()
        page.keyboard.type("Priya")
        expect(page.locator(".select2-results__option--highlighted")).to_have_text(
            "Priya Raman"
        )
        page.keyboard.press("Enter")

    with step("save the draft: not on the site, the slug kept as typed"):
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was added successfully")
        bar = page.get_by_role("region", name="Publishing")
        expect(bar).to_contain_text("Draft: not on the site")
        expect(page.locator(".read-more-summary")).to_contain_text(
            f"[[read-more:{CITED_SLUG}]] → {cited.title}"
        )
        expect(page.locator("#id_body")).to_have_value(FIRST_BODY)
        # A state can only be changed with the buttons: no state field.
        expect(page.locator("[name=status]")).to_have_count(0)
        assert page.request.get(f"/articles/{SLUG}/").status == 404
        article = Article.objects.get(slug=SLUG)
        at_both_widths(page, "change-page-draft")
        page.set_viewport_size(DESKTOP)

    with step("press Publish now: the page says what happens, and when"):
        bar.get_by_role("button", name="Publish now…").click()
        summary = page.locator(".publish-confirm__summary")
        expect(summary).to_contain_text(f"“{TITLE}” goes live now, at ")
        expect(summary).to_contain_text("(Europe/London)")
        expect(summary).to_contain_text("in the next weekly digest")
        assert Article.objects.get(pk=article.pk).state == State.DRAFT
        at_both_widths(page, "publish-confirmation")
        page.set_viewport_size(DESKTOP)

    with step("confirm: live, with a link to the live page"):
        page.get_by_role("button", name="Yes, publish").click()
        expect(messages(page)).to_contain_text("goes live now")
        bar = page.get_by_role("region", name="Publishing")
        expect(bar).to_contain_text("Live since")
        live_link = bar.get_by_role("link", name="View the live page")
        expect(live_link).to_have_attribute("href", f"/articles/{SLUG}/")
        assert Article.objects.get(pk=article.pk).state == State.PUBLISHED
        at_both_widths(page, "change-page-live")
        page.set_viewport_size(DESKTOP)

    with step("readers see it, with its cover and its Read more line"):
        page.goto("/")
        latest = page.get_by_role("region", name="Latest articles")
        expect(latest.locator(".card__title").first).to_have_text(TITLE)
        latest.get_by_role("link", name=TITLE).click()
        expect(page).to_have_url(re.compile(rf"/articles/{SLUG}/$"))
        srcset = page.locator(".article__cover img").get_attribute("srcset")
        assert re.search(r"-480w\.jpg 480w, .*-800w\.jpg 800w", srcset)
        expect(page.locator(".read-more a")).to_have_text(cited.title)

    with step("edit the live article: saving keeps it live"):
        page.goto(reverse("admin:articles_article_change", args=[article.pk]))
        page.locator("#id_body").fill(SECOND_BODY)
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was changed successfully")
        expect(page.get_by_role("region", name="Publishing")).to_contain_text(
            "Live since"
        )
        assert page.request.get(f"/articles/{SLUG}/").status == 200

    with step("compare the versions"):
        page.get_by_role("link", name="Versions").click()
        diff = page.locator(".desk-diff__lines")
        expect(diff.locator("del mark")).to_have_text(["numbers."])
        expect(diff.locator("ins mark").first).to_contain_text("and your market")
        at_both_widths(page, "versions-page")
        page.set_viewport_size(DESKTOP)

    with step("restore the previous version: still live, the old text back"):
        page.get_by_role("button", name="Restore version 1").click()
        # A live article: the restore says what readers will see, and asks.
        expect(page.locator(".publish-confirm__summary")).to_contain_text(
            "Readers see the version of"
        )
        article.refresh_from_db()
        assert "and your market" in article.body  # nothing changed yet
        page.get_by_role("button", name="Yes, restore this version").click()
        expect(messages(page)).to_contain_text("is back")
        expect(page.locator("#id_body")).to_have_value(FIRST_BODY)
        expect(page.get_by_role("region", name="Publishing")).to_contain_text(
            "Live since"
        )
        article.refresh_from_db()
        assert (article.body, article.state) == (FIRST_BODY, State.PUBLISHED)
        reader = page.request.get(f"/articles/{SLUG}/").text()
        assert "and your market" not in reader and "Know your numbers." in reader

    bea_context = new_context(viewport=DESKTOP)
    page_watch.attach(bea_context)
    bea = bea_context.new_page()
    change = reverse("admin:articles_article_change", args=[article.pk])

    with step("two editors open the article at once"):
        page.goto(change)
        log_in_to_admin(bea, "bea")
        bea.goto(change)

    with step("Bea saves first", page=bea):
        bea.locator("#id_title").fill("Asking for a raise")
        bea.get_by_role("button", name="Save and continue editing").click()
        expect(messages(bea)).to_contain_text("was changed successfully")

    with step("the second save is refused, both texts kept"):
        page.locator("#id_body").fill(FIRST_BODY + "\n\nPractise out loud.")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".errorlist.nonfield")).to_contain_text(
            "Not saved: Bea Editor saved this article at"
        )
        expect(page.locator("#id_body")).to_have_value(
            FIRST_BODY + "\n\nPractise out loud."
        )
        expect(page.locator(".desk-conflict__title")).to_have_text("Asking for a raise")
        article.refresh_from_db()
        assert article.title == "Asking for a raise"
        assert (
            "Practise out loud." in versions.versions_of(article)[0].field_dict["body"]
        )

    with step("saving again, knowingly, keeps both changes the editor chose"):
        page.locator("#id_title").fill("Asking for a raise")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was changed successfully")
        article.refresh_from_db()
        assert article.title == "Asking for a raise"
        assert article.body.endswith("Practise out loud.")
        assert article.state == State.PUBLISHED

    writer_context = new_context(viewport=DESKTOP)
    page_watch.attach(writer_context)
    wanda = writer_context.new_page()

    with step("a writer writes a draft and submits it for review", page=wanda):
        log_in_to_admin(wanda, "wanda")
        wanda.goto(reverse("admin:articles_article_add"))
        bar = wanda.get_by_role("region", name="Publishing")
        expect(bar.get_by_role("button", name="Publish now…")).to_have_count(0)
        wanda.locator("#id_title").fill("My first piece")
        wanda.locator("#id_body").fill("Advice from the field.")
        bar.get_by_role("button", name="Submit for review").click()
        expect(messages(wanda)).to_contain_text("was submitted for review")
        expect(wanda.get_by_role("region", name="Publishing")).to_contain_text(
            "waiting for review since"
        )
        submitted = Article.objects.get(title="My first piece")
        assert submitted.state == State.DRAFT and submitted.review_requested_at

    with step("the editor finds it waiting for review"):
        page.goto(reverse("admin:articles_article_changelist"))
        page.get_by_role("link", name="Waiting for review").click()
        expect(page.locator("#result_list")).to_contain_text("My first piece")
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
