"""The sign-up's answer while the database is down, in a browser: the
address typed is still in the form, the page has no accessibility problem
of any impact, and sending it again once the database is back signs up."""

from unittest import mock

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from newsletter import subscribers
from newsletter.models import Subscriber
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    axe_violations,
    describe_violations,
    screenshot,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_sign_up_the_database_refused_is_sent_again_with_one_click(
    new_context, axe_js, size, newsletter_outbox
):
    # axe is injected as an inline script: this context alone bypasses CSP.
    page = new_context(bypass_csp=True, viewport=size).new_page()
    page.goto("/newsletter/")
    page.get_by_label("Email address").fill("reader@example.com")
    gone = OperationalError("the database system is shutting down")
    with mock.patch.object(subscribers, "subscriber_signup", side_effect=gone):
        page.get_by_role("button", name="Subscribe").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Your sign-up was not saved yet")
    expect(page.get_by_label("Email address")).to_have_value("reader@example.com")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SCREENSHOTS / f"signup-unavailable-{size['width']}.png")
    violations = axe_violations(page, axe_js)
    assert not violations, describe_violations(violations)

    page.get_by_role("button", name="Subscribe").click()  # the database is back
    expect(page.get_by_role("heading", level=1)).to_contain_text("inbox")
    assert Subscriber.objects.filter(email="reader@example.com").exists()
    assert [mail.to for mail in newsletter_outbox] == [["reader@example.com"]]
