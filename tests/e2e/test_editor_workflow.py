"""Writers in the admin, in Chromium: no way to publish, not even a forged one.

The editor's side is the journey in test_editor_journey.py."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import apply_role_permissions
from tests.e2e.helpers import log_in_to_admin
from tests.factories import WriterFactory

# Form fields that would publish; a writer's form has none of them.
PUBLISHING_INPUTS = "[name=status], [name^=published_at], [name=featured]"


@pytest.fixture
def roles(transactional_db):
    """The Editors and Writers groups: a transactional test flushed the migration's."""
    apply_role_permissions()


def messages(page):
    return page.locator("ul.messagelist")


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
        expect(page.get_by_role("region", name="Publishing")).to_contain_text(
            "Not saved yet"
        )
        expect(page.locator(PUBLISHING_INPUTS)).to_have_count(0)

    with step("save a draft"):
        page.locator("#id_title").fill("My first draft")
        page.locator("#id_body").fill("Some advice.")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(messages(page)).to_contain_text("was added successfully")
        expect(page.locator(".field-state_summary .readonly")).to_have_text(
            "Draft: not on the site"
        )
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
        expect(page.locator(".field-state_summary .readonly")).to_have_text(
            "Draft: not on the site"
        )

    article = Article.objects.get(title="My first draft")
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert not article.featured
    assert page.request.get(article.get_absolute_url()).status == 404
