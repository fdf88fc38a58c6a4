"""The editor's desk in Chromium: live preview, restoring a version, two editors."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import apply_role_permissions
from desk import versions
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
)
from tests.factories import ArticleFactory, DraftArticleFactory, EditorFactory


@pytest.fixture
def roles(transactional_db):
    """The Editors and Writers groups: a transactional test flushed the migration's."""
    apply_role_permissions()


@pytest.fixture
def draft(roles):
    ArticleFactory(title="Salary bands explained", slug="salary-bands-explained")
    return DraftArticleFactory(
        title="Negotiating your first offer",
        slug="negotiating-your-first-offer",
        body="## Before the call\n\nWrite down the number you want.",
    )


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@both_viewports
def test_preview_follows_the_text_as_the_editor_types(page, step, draft):
    EditorFactory(username="edna")

    with step("open the draft"):
        log_in_to_admin(page, "edna")
        page.goto(change_url(draft))
        preview = page.frame_locator("#desk-preview-frame").locator(".prose")
        expect(preview.get_by_role("heading", name="Before the call")).to_be_visible()
        expect(page.locator("#desk-counts")).to_have_text("9 words · 1 minute to read")

    with step("type in the body: the preview and the counts follow"):
        body = page.locator("#id_body")
        body.press("End")
        body.press("Control+End")
        body.press_sequentially(
            "\n\n## During the call\n\nLet them name a figure first."
            "\n\n[[read-more:salary-bands-explained]]"
        )
        expect(preview.get_by_role("heading", name="During the call")).to_be_visible()
        cited = preview.get_by_role("link", name="Salary bands explained")
        expect(cited).to_be_visible()
        expect(page.locator("#desk-counts")).to_have_text("18 words · 1 minute to read")

    with step("the draft is autosaved"):
        expect(page.locator("#desk-autosave")).to_contain_text(
            "Draft autosaved at", timeout=15_000
        )
        draft.refresh_from_db()
        assert "Let them name a figure first." in draft.body


def test_editor_edits_then_restores_the_previous_version(page, step, draft):
    EditorFactory(username="edna")

    with step("edit and save"):
        log_in_to_admin(page, "edna")
        page.goto(change_url(draft))
        page.locator("#id_body").fill("## A rewrite\n\nNothing of the old text.")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator("ul.messagelist")).to_contain_text("was changed")

    with step("compare the two versions"):
        page.get_by_role("link", name="Versions").click()
        diff = page.locator(".desk-diff__lines")
        expect(diff.locator("del").first).to_contain_text("Before the call")
        expect(diff.locator("ins").first).to_contain_text("A rewrite")

    with step("restore the previous version"):
        page.get_by_role("button", name="Restore").first.click()
        expect(page.locator("ul.messagelist")).to_contain_text("is back")
        expect(page.locator("#id_body")).to_have_value(
            "## Before the call\n\nWrite down the number you want."
        )

    draft.refresh_from_db()
    assert draft.body == "## Before the call\n\nWrite down the number you want."
    assert [v.field_dict["body"] for v in versions.versions_of(draft)] == [
        "## Before the call\n\nWrite down the number you want.",
        "## A rewrite\n\nNothing of the old text.",
        "## Before the call\n\nWrite down the number you want.",
    ]


def test_two_editors_edit_one_article_and_the_second_save_is_refused(
    page, step, draft, new_context, page_watch
):
    EditorFactory(username="edna")
    EditorFactory(username="bea", first_name="Bea", last_name="Editor")
    other = new_context()
    page_watch.attach(other)
    bea = other.new_page()

    with step("both open the article"):
        log_in_to_admin(page, "edna")
        page.goto(change_url(draft))
        log_in_to_admin(bea, "bea")
        bea.goto(change_url(draft))

    with step("Bea saves first", page=bea):
        bea.locator("#id_body").fill("Bea's version of the text.")
        bea.get_by_role("button", name="Save and continue editing").click()
        expect(bea.locator("ul.messagelist")).to_contain_text("was changed")

    with step("Edna's save is refused, her text kept"):
        page.locator("#id_body").fill("Edna's version of the text.")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".errorlist.nonfield")).to_contain_text(
            "Not saved: Bea Editor saved this article at"
        )
        expect(page.locator("#id_body")).to_have_value("Edna's version of the text.")
        expect(page.locator(".desk-conflict")).to_contain_text(
            "Bea's version of the text."
        )
        # No autosave replaces Bea's text behind Edna's back.
        expect(page.locator("#desk-autosave")).to_contain_text("paused")

    draft.refresh_from_db()
    assert draft.body == "Bea's version of the text."
    assert [v.field_dict["body"] for v in versions.versions_of(draft)][:2] == [
        "Edna's version of the text.",
        "Bea's version of the text.",
    ]

    with step("compare the two texts", page=bea):
        compare = page.get_by_role("link", name="Compare your text with theirs")
        bea.goto(compare.get_attribute("href"))
        diff = bea.locator(".desk-diff__lines")
        expect(diff.locator("del")).to_contain_text("Bea's")
        expect(diff.locator("ins")).to_contain_text("Edna's")

    with step("Edna, now knowing, saves again"):
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator("ul.messagelist")).to_contain_text("was changed")
    assert Article.objects.get(pk=draft.pk).body == "Edna's version of the text."


@both_viewports
def test_article_form_with_preview_has_no_serious_accessibility_violations(
    draft, new_context, viewport, axe_js, step
):
    EditorFactory(username="edna")
    # axe is injected as an inline script: this context alone bypasses CSP.
    context = new_context(bypass_csp=True, viewport=viewport)
    page = context.new_page()
    results = {}
    with step("scan the change form and the versions page", page=page):
        log_in_to_admin(page, "edna")
        for name, url in [
            ("change", change_url(draft)),
            ("add", reverse("admin:articles_article_add")),
            ("versions", reverse("admin:articles_article_versions", args=[draft.pk])),
        ]:
            page.goto(url)
            if name != "versions":
                expect(page.locator("#desk-counts")).to_contain_text("words")
            results[name] = axe_violations(page, axe_js)
    for name, violations in results.items():
        print(name, describe_violations(violations))
    failing = {
        name: [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
        for name, violations in results.items()
    }
    assert not any(failing.values()), "\n".join(
        f"{name}:\n{describe_violations(found)}" for name, found in failing.items()
    )
