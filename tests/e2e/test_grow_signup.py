"""The sign-up page in a browser: the form above the fold on a phone and in the
first screen on a desktop, no accessibility problem of any impact, and a
sign-up through it (issue 22, item 5)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from newsletter.models import NewsletterSettings
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    both_viewports,
    describe_violations,
)
from tests.factories import EditionFactory, make_subscribers

SUBJECTS = [
    "Offers, counter-offers and the week’s CV fixes",
    "How to prepare for a panel interview",
    "Switching careers at forty",
    "Salary bands, explained",
]


@pytest.fixture
def selling_page(demo_site, newsletter_outbox):
    """The demo site with four editions gone out and 1,234 readers."""
    articles = list(Article.objects.live().newest_first())
    for number, subject in enumerate(SUBJECTS):
        EditionFactory(
            subject=subject,
            intro="Three pieces this week to help you get the job you want.",
            status="sent",
            started_at=timezone.now() - timedelta(days=7 * number),
            articles=articles[number * 3 : number * 3 + 5],
        )
    make_subscribers(1234)
    settings_row = NewsletterSettings.load()
    settings_row.reader_count_threshold = 500
    settings_row.save()
    return "/newsletter/"


def form_bottom(page) -> float:
    """Where the sign-up form ends (its consent text included), in CSS pixels
    from the top of the page."""
    box = page.locator("form.signup-form").bounding_box()
    return box["y"] + box["height"]


@both_viewports
def test_the_whole_form_is_in_the_first_screen(selling_page, page, viewport, step):
    with step("open the sign-up page"):
        page.goto(selling_page)
        expect(page.get_by_text("Join more than 1,200 readers")).to_be_visible()
        expect(page.get_by_role("heading", name=SUBJECTS[0])).to_be_visible()
    bottom = form_bottom(page)
    print(f"form ends at {bottom:.0f} px of a {viewport['height']} px screen")
    assert bottom <= viewport["height"], (
        f"the form ends at {bottom:.0f} px, below the first screen "
        f"({viewport['width']}x{viewport['height']})"
    )
    expect(page.get_by_role("button", name="Subscribe")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_sign_up_page_has_no_accessibility_violation(
    selling_page, new_context, axe_js, step, color_scheme, size
):
    # axe is injected as an inline script: this context alone bypasses CSP.
    context = new_context(bypass_csp=True, color_scheme=color_scheme, viewport=size)
    page = context.new_page()
    with step(f"scan the sign-up page ({color_scheme})", page=page):
        page.goto(selling_page)
        violations = axe_violations(page, axe_js)
    assert not violations, describe_violations(violations)


def test_a_reader_signs_up_from_the_page(
    selling_page, page, step, newsletter_outbox, viewport
):
    with step("open the sign-up page"):
        page.goto(selling_page)
    with step("sign up"):
        page.get_by_label("Email address").fill("new.reader@example.com")
        page.get_by_role("button", name="Subscribe").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("inbox")
    assert [mail.to for mail in newsletter_outbox] == [["new.reader@example.com"]]
