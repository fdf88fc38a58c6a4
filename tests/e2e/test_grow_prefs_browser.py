"""A subscriber opens their preference page from the welcome mail, chooses
topics, pauses and resumes, looks at their data and unsubscribes; the pages
pass axe at both widths, in both colour schemes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from newsletter import tokens
from newsletter.models import Delivery, Edition, NewsletterSettings, Subscriber
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
)
from tests.factories import EditionFactory, EditorFactory, SubscriberFactory

EMAIL = "reader@example.com"


def link_in(text: str, pattern: str) -> str:
    match = re.search(rf"https?://\S+{pattern}\S*", text)
    assert match, f"no link matching {pattern!r} in:\n{text}"
    return match.group()


@both_viewports
def test_subscriber_manages_the_digest_from_the_welcome_mail(
    page, step, demo_site, newsletter_outbox
):
    subscriber = SubscriberFactory(email=EMAIL, status="pending")
    title = page.get_by_role("heading", level=1)

    with step("confirm from the confirmation link"):
        token = tokens.make_confirmation_token(subscriber, issued_at=timezone.now())
        page.goto(f"/newsletter/confirm/{token}/")
        page.get_by_role("button", name="Yes, subscribe me").click()
        expect(title).to_have_text("You’re subscribed")

    [welcome] = [m for m in newsletter_outbox if m.subject == "Welcome to the digest"]

    with step("open the preference page from the welcome mail"):
        page.goto(link_in(welcome.body, "/newsletter/preferences/"))
        expect(title).to_have_text("Your preferences")
        expect(page.get_by_text(EMAIL).first).to_be_visible()
        expect(
            page.get_by_text("A week with nothing new in your topics")
        ).to_be_visible()

    with step("choose two topics"):
        page.get_by_label("Only the topics I choose below").check()
        page.get_by_label("Interviews", exact=True).check()
        page.get_by_label("Salary negotiation", exact=True).check()
        page.get_by_role("button", name="Save topics").click()
        expect(page.get_by_role("status")).to_have_text("Your topics are saved.")
        assert sorted(subscriber.topics.values_list("name", flat=True)) == [
            "Interviews",
            "Salary negotiation",
        ]

    with step("pause for four weeks"):
        page.get_by_label("Pause the digest for").select_option("4")
        page.get_by_role("button", name="Pause", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("The digest is paused.")
        subscriber.refresh_from_db()
        assert subscriber.paused_until > timezone.now() + timedelta(weeks=3, days=6)

    with step("resume early"):
        page.get_by_role("button", name="Resume now").click()
        expect(page.get_by_role("status")).to_have_text("The digest is on again.")
        subscriber.refresh_from_db()
        assert subscriber.paused_until is None

    with step("see what is kept"):
        page.get_by_role("link", name="See it").click()
        expect(title).to_have_text("What we keep about you")
        expect(page.get_by_text("Interviews, Salary negotiation")).to_be_visible()

    with step("unsubscribe"):
        page.get_by_role("link", name="Back to your preferences").click()
        page.get_by_role("button", name="Unsubscribe").click()
        expect(page.get_by_role("status")).to_have_text("You’re unsubscribed.")
        subscriber.refresh_from_db()
        assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def preference_page(page):
    subscriber = SubscriberFactory(email=EMAIL)
    return page.goto(f"/newsletter/preferences/{subscriber.token}/")


def paused_preference_page(page):
    subscriber = SubscriberFactory(
        email=EMAIL, paused_until=timezone.now() + timedelta(weeks=2)
    )
    return page.goto(f"/newsletter/preferences/{subscriber.token}/")


def data_page(page):
    subscriber = SubscriberFactory(email=EMAIL)
    for weeks in (1, 2):
        edition = EditionFactory(
            subject=f"The offer season, part {weeks}",
            status=Edition.Status.SENT,
            started_at=timezone.now() - timedelta(weeks=weeks),
        )
        Delivery.objects.create(
            edition=edition,
            subscriber=subscriber,
            status="sent",
            sent_at=edition.started_at,
        )
    return page.goto(f"/newsletter/preferences/{subscriber.token}/data/")


def unknown_link_page(page):
    return page.goto(f"/newsletter/preferences/{'x' * 43}/")


unknown_link_page.status = 404

PAGES = [
    pytest.param(preference_page, id="preferences"),
    pytest.param(paused_preference_page, id="preferences-paused"),
    pytest.param(data_page, id="preferences-data"),
    pytest.param(unknown_link_page, id="preferences-unknown"),
]
LOOKS = [
    pytest.param("light", DESKTOP, id="light-1280px"),
    pytest.param("dark", DESKTOP, id="dark-1280px"),
    pytest.param("light", PHONE, id="light-390px"),
    pytest.param("dark", PHONE, id="dark-390px"),
]


@pytest.mark.parametrize(("color_scheme", "viewport"), LOOKS)
@pytest.mark.parametrize("open_page", PAGES)
def test_preference_pages_have_no_accessibility_violations(
    open_page, color_scheme, viewport, demo_site, new_context, axe_js, step
):
    context = new_context(bypass_csp=True, color_scheme=color_scheme, viewport=viewport)
    page = context.new_page()
    with step(f"scan {open_page.__name__}", page=page):
        response = open_page(page)
        assert response.status == getattr(open_page, "status", 200)
        violations = axe_violations(page, axe_js)
    assert violations == [], describe_violations(violations)


@both_viewports
def test_editor_writes_the_welcome_mail_in_the_admin(page, step, transactional_db):
    apply_role_permissions()  # the groups, after tests that emptied the tables
    editor = EditorFactory()
    log_in_to_admin(page, editor.username)

    with step("open the newsletter settings from the admin's list"):
        page.goto("/admin/newsletter/newslettersettings/")
        expect(page.get_by_label("Welcome subject")).to_have_value(
            "Welcome to the digest"
        )
        # One row: nothing to add, nothing to delete.
        expect(
            page.locator("#nav-sidebar tr.model-newslettersettings .addlink")
        ).to_have_count(0)
        expect(
            page.locator("#content").get_by_role("link", name="Delete")
        ).to_have_count(0)

    with step("change the welcome text and save"):
        page.get_by_label("Welcome subject").fill("You're in")
        page.get_by_label("Welcome text").fill(
            "Thanks for joining.\n\nSee you Tuesday."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("changed successfully")

    assert NewsletterSettings.load().welcome_subject == "You're in"
