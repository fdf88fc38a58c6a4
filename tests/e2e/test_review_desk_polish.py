"""Issue 24 item 6 in Chromium: the task results page fits 1280 px and reads
like the rest of the admin; a failed save opens on a focused error summary
whose links reach each field; an editor linked to an author publishes a new
article in fewer clicks and fields (counted here)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import EDITORS, apply_role_permissions
from taskqueue.policy import start_recurring
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    axe_violations,
    describe_violations,
    log_in_to_admin,
    slugify,
)
from tests.e2e.test_review_notify import fragment, nu_check
from tests.factories import AuthorFactory, EditorFactory
from tests.taskqueue.tasks import always_fails, records_a_run


@pytest.fixture
def editor(transactional_db):
    apply_role_permissions()  # a transactional test flushed the migration's groups
    return EditorFactory(username="edna", first_name="Edna", last_name="Moss")


@pytest.fixture
def viewport():
    return DESKTOP


@pytest.mark.parametrize(
    "size", [pytest.param(PHONE, id="390px"), pytest.param(DESKTOP, id="1280px")]
)
def test_the_task_results_page_fits_and_reads_like_the_admin(
    size, editor, db_tasks, new_context, axe_js, request
):
    # The migration's grant was flushed with the groups (transactional test).
    Group.objects.get(name=EDITORS).permissions.add(
        Permission.objects.get(codename="view_dbtaskresult")
    )
    start_recurring()
    for label in ("first", "second"):
        records_a_run.enqueue(label)
    always_fails.enqueue()
    db_tasks.run()
    context = new_context(bypass_csp=True, viewport=size)  # axe is injected inline
    page = context.new_page()
    log_in_to_admin(page, "edna")

    page.goto(reverse("admin:django_tasks_database_dbtaskresult_changelist"))

    shots = SCREENSHOTS / slugify(request.node.name)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shots / "task-results.png", full_page=True)
    expect(page.locator(".breadcrumbs")).to_contain_text("Background tasks")
    expect(page.locator("body")).not_to_contain_text("Tasks Database Backend")
    expect(page.locator("#result_list")).not_to_contain_text("p.m.")
    if size == DESKTOP:
        # Nothing cut off: neither the page nor the list scrolls sideways.
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        )
        results = page.locator("#changelist .results")
        assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
        # Django's list filter is a <search> element, which the checker's
        # version does not know yet; nothing else may fail.
        nu_check(
            page.request.get(page.url).text(),
            shots,
            known=("Element “search” not allowed",),
        )
    violations = axe_violations(page, axe_js)
    assert violations == [], describe_violations(violations)


def test_a_failed_save_opens_on_a_summary_whose_links_reach_the_fields(
    page, step, editor, new_context, axe_js, tmp_path
):
    AuthorFactory(name="Ada Byline")

    with step("save a new article without title, slug or author"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_add"))
        page.locator("#id_body").fill("Some text.")
        page.get_by_role("button", name="Save", exact=True).click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Not saved: 3 things to correct")
        assert summary.bounding_box()["y"] < 400  # at the top, not 1,500 px down

    with step("the Author link takes the editor to the author picker"):
        summary.get_by_role("link", name="Author").click()
        focused = page.evaluate(
            "() => document.activeElement.closest('.field-author') !== null"
        )
        assert focused
        box = page.locator(".field-author").bounding_box()
        assert 0 <= box["y"] < DESKTOP["height"]

    with step("the Title link takes them to the title"):
        summary.get_by_role("link", name="Title").click()
        expect(page.locator("#id_title")).to_be_focused()

    context = new_context(bypass_csp=True, viewport=DESKTOP)
    scan = context.new_page()
    log_in_to_admin(scan, "edna")
    scan.goto(reverse("admin:articles_article_add"))
    scan.get_by_role("button", name="Save", exact=True).click()
    nu_check(fragment(scan, "#error-summary"), tmp_path)
    violations = axe_violations(scan, axe_js)
    assert violations == [], describe_violations(violations)


class Counter:
    """Clicks and fields filled, as an editor does them."""

    def __init__(self, page):
        self.page, self.clicks, self.fields = page, 0, 0

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def fill(self, locator, text):
        self.fields += 1
        locator.fill(text)


def publish_a_new_article(page, title: str, *, pick_author: str = "") -> Counter:
    """From the admin's front page to a live article."""
    page.goto(reverse("admin:index"))
    count = Counter(page)
    count.click(page.locator("a.addlink[href$='/articles/article/add/']"))
    count.fill(page.get_by_label("Title:"), title)
    count.fill(page.locator("#id_body"), "## A heading\n\nSome advice.\n")
    if pick_author:
        count.click(page.locator(".field-author .select2-selection"))
        count.fill(
            page.locator(".select2-container--open .select2-search__field"), pick_author
        )
        count.click(page.get_by_role("option", name=pick_author))
    count.click(page.get_by_role("button", name="Publish now…"))
    count.click(page.get_by_role("button", name="Yes, publish"))
    expect(page.locator(".messagelist")).to_contain_text("goes live now")
    return count


def test_an_editor_with_an_author_publishes_in_fewer_clicks_and_fields(
    page, step, editor, capsys
):
    with step("without a linked author: the author must be picked"):
        log_in_to_admin(page, "edna")
        AuthorFactory(name="Ada Byline")
        before = publish_a_new_article(page, "Before", pick_author="Ada Byline")

    with step("linked to an author: it is filled in"):
        AuthorFactory(name="Edna Moss", user=editor)
        after = publish_a_new_article(page, "After")

    assert Article.objects.get(title="After").author.name == "Edna Moss"
    with capsys.disabled():
        print(
            f"\nPublish a new article from the admin's front page: before "
            f"{before.clicks} clicks, {before.fields} fields; after "
            f"{after.clicks} clicks, {after.fields} fields"
        )
    assert (after.clicks, after.fields) == (3, 2)
    assert (before.clicks, before.fields) == (5, 3)
