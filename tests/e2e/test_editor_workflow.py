"""Editors in the admin, in Chromium: an editor publishes, a writer cannot."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from articles.management.commands import create_local_editor
from articles.models import Article
from articles.roles import apply_role_permissions
from tests.e2e.helpers import log_in_to_admin
from tests.factories import WriterFactory

TITLE = "Asking for a pay rise"
SLUG = "asking-for-a-pay-rise"
# A demo article the new one cites in a "Read more" line.
CITED_SLUG = "negotiating-without-a-competing-offer"
# Form fields that would publish; a writer's form has none of them.
PUBLISHING_INPUTS = "[name=status], [name^=published_at], [name=featured]"


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


def test_editor_writes_an_article_with_cover_and_read_more_previews_and_publishes(
    page, step, demo_site, roles, cover
):
    # The account `make run` prints: Editors group, not a superuser.
    with override_settings(DEBUG=True):  # the command refuses to run otherwise
        call_command("create_local_editor", stdout=io.StringIO())
    cited = Article.objects.get(slug=CITED_SLUG)

    with step("log in as the local editor"):
        log_in_to_admin(
            page, create_local_editor.USERNAME, create_local_editor.PASSWORD
        )

    with step("write an article with a cover image and a read more line"):
        page.goto(reverse("admin:articles_article_add"))
        page.locator("#id_title").press_sequentially(TITLE)
        expect(page.locator("#id_slug")).to_have_value(SLUG)
        page.locator("#id_body").fill(
            f"## Prepare\n\nKnow your numbers.\n\n[[read-more:{CITED_SLUG}]]\n"
        )
        page.locator("#id_tags").fill("Salary, Negotiation")
        # New topics are created only when the editor says so.
        page.get_by_label("Create new topics").check()
        page.locator("#id_cover_image").set_input_files(cover)
        page.locator("#id_cover_alt").fill("A tidy desk by a window")
        page.locator("#id_author + .select2").click()
        page.keyboard.type("Priya")
        expect(page.locator(".select2-results__option--highlighted")).to_have_text(
            "Priya Raman"
        )
        page.keyboard.press("Enter")

    with step("save the draft"):
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was added successfully")
        expect(page.locator(".field-state_summary .readonly")).to_have_text(
            "Draft: not on the site"
        )
        # The "Read more" slug became the cited article's id.
        expect(page.locator(".read-more-summary")).to_contain_text(
            f"[[read-more:{CITED_SLUG}]] → {cited.title}"
        )
        assert page.request.get(f"/articles/{SLUG}/").status == 404

    with step("preview the draft"):
        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Preview").click()
        preview = opened.value
        preview.wait_for_load_state()
    with step("see the preview as readers will", page=preview):
        expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(preview.locator(".preview-banner")).to_contain_text("State: Draft")
        expect(preview.locator(".read-more a")).to_have_text(cited.title)
        cover_image = preview.locator(".article__cover img")
        expect(cover_image).to_have_attribute("alt", "A tidy desk by a window")
        assert cover_image.evaluate("img => img.complete && img.naturalWidth > 0")
        expect(preview.locator("meta[name=robots]")).to_have_attribute(
            "content", "noindex, nofollow"
        )
    preview.close()

    with step("publish now"):
        page.locator("#id_status").select_option(label="Published")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text(
            f"“{TITLE}” had no publish date, so it was published now"
        )
        expect(page.locator(".field-state_summary .readonly")).to_contain_text(
            "Published: live since"
        )

    with step("see it first among the latest articles on the home page"):
        page.goto("/")
        latest = page.get_by_role("region", name="Latest articles")
        expect(latest.locator(".card__title").first).to_have_text(TITLE)

    with step("open it from the home page"):
        latest.get_by_role("link", name=TITLE).click()
        expect(page).to_have_url(re.compile(rf"/articles/{SLUG}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        srcset = page.locator(".article__cover img").get_attribute("srcset")
        assert re.search(r"-480w\.jpg 480w, .*-1600w\.jpg 1600w", srcset)
        expect(page.locator(".read-more a")).to_have_text(cited.title)


def test_writer_has_no_way_to_publish_and_a_forged_publish_leaves_a_draft(
    page, step, roles
):
    WriterFactory(username="writer")

    with step("log in as a writer"):
        log_in_to_admin(page, "writer")

    with step("open a new article: publishing is read-only"):
        page.goto(reverse("admin:articles_article_add"))
        publishing = page.locator("fieldset").filter(
            has=page.get_by_role("heading", name="Publishing")
        )
        expect(publishing).to_contain_text("Only editors publish.")
        expect(publishing.locator(".field-status .readonly")).to_have_text("Draft")
        expect(page.locator(PUBLISHING_INPUTS)).to_have_count(0)

    with step("save a draft"):
        page.locator("#id_title").fill("My first draft")
        page.locator("#id_body").fill("Some advice.")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was added successfully")
        expect(page.locator(".field-status .readonly")).to_have_text("Draft")
        expect(page.locator(PUBLISHING_INPUTS)).to_have_count(0)
        # Editors only: the bulk "publish" actions are not offered either.
        page.goto(reverse("admin:articles_article_changelist"))
        actions = page.locator("select[name=action] option").all_inner_texts()
        assert not [action for action in actions if "ublish" in action]
        page.go_back()

    with step("post the form with the publishing fields added by hand"):
        # What a forged request sends; added from outside the page, so the CSP
        # (no inline script) does not stand in the way.
        page.locator("#article_form").evaluate(
            """form => {
                 for (const [name, value] of [
                   ["status", "published"], ["published_at_0", "01/01/2020"],
                   ["published_at_1", "09:00"], ["featured", "on"],
                 ]) {
                   const input = document.createElement("input");
                   Object.assign(input, {type: "hidden", name, value});
                   form.append(input);
                 }
               }"""
        )
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was changed successfully")
        expect(page.locator(".field-status .readonly")).to_have_text("Draft")

    article = Article.objects.get(title="My first draft")
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert not article.featured
    assert page.request.get(article.get_absolute_url()).status == 404
