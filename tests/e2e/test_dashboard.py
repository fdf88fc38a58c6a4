"""The editor's dashboard in Chromium (issue 23, item 4): an editor and a
writer open /admin/ on a phone and a desktop, under the site's content
security policy; the page fits the screen, and axe finds nothing serious in
either colour scheme."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from articles.roles import EDITORS, apply_role_permissions
from audience.models import SiteDay
from tests.dashboard.seed import seed
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    SCREENSHOTS,
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
    screenshot,
)
from tests.factories import EditorFactory, WriterFactory


@pytest.fixture
def figures(transactional_db):
    """Editors as the migrations make them (a transactional test flushed
    them), a writer, and a month of figures."""
    cache.clear()  # sums kept a minute (dashboard/memo.py) from another test
    apply_role_permissions()
    Group.objects.get(name=EDITORS).permissions.add(
        *Permission.objects.filter(content_type__app_label="audience")
    )
    EditorFactory(username="edna")
    writer = WriterFactory(username="wanda")
    seeded = seed(
        writer=writer, other_writer=WriterFactory(username="walt"), now=timezone.now()
    )
    today = timezone.localdate()
    SiteDay.objects.bulk_create(
        (
            SiteDay(
                day=today - timedelta(days=n),
                views=180 + (n * 37) % 120,
                visitors=90 + (n * 23) % 60,
                signups=(n * 7) % 5,
            )
            for n in range(30)
        ),
        ignore_conflicts=True,  # today's and ten days ago's are seeded
    )
    return seeded


SECTIONS = {
    "edna": [
        "Waiting for review",
        "Next edition",
        "Last edition",
        "Readers per day",
        "Most read",
        "Newsletter sign-ups",
        "Searches that found nothing",
        "Where readers come from",
    ],
    "wanda": ["Waiting for review"],
}
HIDDEN = {"edna": [], "wanda": ["Next edition", "Most read", "Readers per day"]}


def scan(new_context, axe_js, viewport, who: str, scheme: str) -> None:
    """axe on /admin/ in one colour scheme, with a screenshot of it."""
    # axe goes in as an inline script, which the policy blocks: this context
    # alone bypasses CSP, and only scans.
    context = new_context(bypass_csp=True, color_scheme=scheme, viewport=viewport)
    page = context.new_page()
    log_in_to_admin(page, who)
    page.goto("/admin/")
    folder = SCREENSHOTS / "dashboard-schemes"
    folder.mkdir(parents=True, exist_ok=True)
    screenshot(page, folder / f"{who}-{viewport['width']}px-{scheme}.png")
    violations = axe_violations(page, axe_js)
    print(describe_violations(violations))
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    assert not failing, f"axe on /admin/ as {who} ({scheme}):\n" + (
        describe_violations(failing)
    )
    context.close()


@both_viewports
@pytest.mark.parametrize("who", ["edna", "wanda"])
def test_dashboard_reads_well_on_phone_and_desktop(
    page, step, figures, who, viewport, new_context, axe_js
):
    with step(f"{who} opens the admin"):
        log_in_to_admin(page, who)
        page.goto("/admin/")
        for name in SECTIONS[who]:
            expect(page.get_by_role("heading", name=name, exact=False)).to_be_visible()
        for name in HIDDEN[who]:
            expect(page.get_by_role("heading", name=name)).to_have_count(0)
        fits = page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert fits, "the dashboard is wider than the screen"

    if who == "edna":
        with step("the chart's numbers open below it"):
            chart = page.get_by_role("img", name="Views and visitors per day")
            expect(chart).to_be_visible()
            readers = page.locator("section", has=chart)
            readers.get_by_text("The numbers").click()
            expect(page.get_by_role("table", name="Readers per day")).to_be_visible()

        with step("an article's own figures are on its page"):
            page.get_by_role("link", name="Salary talks that work").first.click()
            figures = page.locator(".dash-article")
            expect(figures.get_by_role("heading")).to_have_text("Readers’ figures")
            expect(
                figures.get_by_role("img", name="Views of this article")
            ).to_be_visible()
            figures.scroll_into_view_if_needed()

    with step("axe finds nothing serious, light and dark"):
        for scheme in ["light", "dark"]:
            scan(new_context, axe_js, viewport, who, scheme)
