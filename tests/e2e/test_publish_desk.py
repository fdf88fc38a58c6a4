"""The publishing desk in Chromium: an editor publishes with the button and its
confirmation, a writer submits a draft for review; axe on the article list
and change pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, State
from articles.roles import apply_role_permissions
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    DESKTOP,
    axe_violations,
    describe_violations,
    log_in_to_admin,
)
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    EditorFactory,
    WriterFactory,
)


@pytest.fixture
def roles(transactional_db):
    """The Editors and Writers groups: a transactional test flushed the migration's."""
    apply_role_permissions()


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_editor_publishes_with_the_button_after_confirming(page, step, roles):
    EditorFactory(username="edna")
    draft = DraftArticleFactory(title="Negotiating a start date")
    ArticleFactory(title="Points to it", body=f"[[read-more:{draft.slug}]]\n")

    with step("log in and open the draft"):
        log_in_to_admin(page, "edna")
        page.goto(change_url(draft))
        bar = page.get_by_role("region", name="Publishing")
        expect(bar).to_contain_text("Draft: not on the site")

    with step("press Publish now: the page says what will happen and when"):
        page.locator("#id_title").fill("Negotiating your start date")
        bar.get_by_role("button", name="Publish now…").click()
        expect(page.locator(".publish-confirm__summary")).to_contain_text(
            "“Negotiating your start date” goes live now, at "
        )
        expect(page.locator(".publish-confirm__summary")).to_contain_text(
            "(Europe/London)"
        )
        # Nothing is published before the editor confirms.
        assert Article.objects.get(pk=draft.pk).state == State.DRAFT

    with step("confirm"):
        page.get_by_role("button", name="Yes, publish").click()
        expect(page.locator("ul.messagelist")).to_contain_text("goes live now")
        bar = page.get_by_role("region", name="Publishing")
        expect(bar).to_contain_text("Live since")
        expect(bar.get_by_role("link", name="View the live page")).to_be_visible()
        article = Article.objects.get(pk=draft.pk)
        assert article.state == State.PUBLISHED
        assert article.title == "Negotiating your start date"
        assert page.request.get(article.get_absolute_url()).status == 200

    with step("unpublish asks first and names the live articles linking here"):
        bar.get_by_role("button", name="Unpublish…").click()
        expect(page.locator(".publish-confirm__warnings")).to_contain_text(
            "“Points to it”"
        )
        page.get_by_role("link", name="No, back to the article").click()
        assert Article.objects.get(pk=draft.pk).state == State.PUBLISHED


def test_publishing_from_the_list_asks_first(page, step, roles, new_context, axe_js):
    EditorFactory(username="edna")
    first = DraftArticleFactory(title="Salary bands explained")
    second = DraftArticleFactory(title="Counter-offers, honestly")
    ArticleFactory(title="Already live")

    with step("choose two drafts and the publish action"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_changelist"))
        for article in (first, second):
            page.get_by_role("row", name=article.title).get_by_role("checkbox").check()
        page.get_by_label("Action:").select_option(
            label="Publish selected articles now…"
        )
        page.get_by_role("button", name="Run").click()

    with step("the page says what happens to which, and when"):
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Publish 2 articles now?"
        )
        expect(page.locator(".publish-confirm__summary")).to_contain_text(
            "They go live now, at "
        )
        expect(page.locator(".publish-confirm__list")).to_contain_text(
            "Salary bands explained"
        )
        # Said only when one of them is scheduled.
        expect(page.locator(".publish-confirm__summary")).not_to_contain_text(
            "Scheduled"
        )
        assert not Article.objects.live().filter(pk=first.pk).exists()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            assert page.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth"
            )

    with step("confirm"):
        page.get_by_role("button", name="Yes, publish").click()
        expect(page.locator("ul.messagelist")).to_contain_text(
            "2 articles published now."
        )
        assert {a.state for a in Article.objects.all()} == {State.PUBLISHED}


def test_writer_submits_for_review_and_the_editor_finds_it(page, step, roles):
    writer = WriterFactory(username="wanda")
    EditorFactory(username="edna")
    draft = DraftArticleFactory(author=writer.author, title="My first piece")

    with step("the writer sees Submit for review, not Publish"):
        log_in_to_admin(page, "wanda")
        page.goto(change_url(draft))
        bar = page.get_by_role("region", name="Publishing")
        expect(bar.get_by_role("button", name="Publish now…")).to_have_count(0)
        bar.get_by_role("button", name="Submit for review").click()
        expect(page.locator("ul.messagelist")).to_contain_text(
            "was submitted for review"
        )
        expect(page.get_by_role("region", name="Publishing")).to_contain_text(
            "waiting for review since"
        )

    with step("the editor finds it under Waiting for review"):
        page.get_by_role("button", name="Log out").click()
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_changelist"))
        page.get_by_role("link", name="Waiting for review").click()
        expect(page.locator("#result_list")).to_contain_text("My first piece")


ADMIN_PAGES = ["login", "index", "list", "change", "add", "publish-confirmation"]


@pytest.mark.parametrize("which", ADMIN_PAGES)
def test_article_admin_pages_have_no_serious_accessibility_violations(
    which, roles, new_context, axe_js, step
):
    EditorFactory(username="edna")
    article = ArticleFactory(title="A live one", topics=["interviews"])
    draft = DraftArticleFactory(title="A draft")
    # A long title, author and topic list, as real articles have.
    ArticleFactory(
        title="How to negotiate a four-day week with a manager who has never "
        "heard of one, and keep your promotion prospects",
        author__name="Alexandra Montgomery-Fitzwilliam",
        topics=["Flexible working", "Negotiation", "Career change", "Salary"],
        featured=True,
    )
    urls = {
        "login": reverse("admin:login"),
        "index": reverse("admin:index"),
        "list": reverse("admin:articles_article_changelist"),
        "change": change_url(article),
        "add": reverse("admin:articles_article_add"),
        "publish-confirmation": reverse(
            "admin:articles_article_publish", args=[draft.pk]
        )
        + "?action=publish",
    }
    # axe is injected inline: this context alone bypasses the CSP.
    context = new_context(bypass_csp=True, viewport=DESKTOP)
    page = context.new_page()
    with step(f"scan the admin {which} page", page=page):
        if which != "login":
            log_in_to_admin(page, "edna")
        page.goto(urls[which])
        violations = axe_violations(page, axe_js)
        if which == "list":
            # Every column fits a 1280 px screen: nothing scrolls sideways,
            # neither the page nor the list's own scrolling box.
            assert page.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth"
            )
            results = page.locator("#changelist .results")
            assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    print(describe_violations(violations))
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    assert not failing, describe_violations(failing)
