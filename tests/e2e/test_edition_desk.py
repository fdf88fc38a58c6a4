"""The edition desk in Chromium: an editor builds an edition by searching titles
and with "Add this week's articles", sends a test, and sends it after the
confirmation; axe and layout on the newsletter admin pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from newsletter.models import Delivery, Edition, MailEvent
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    DESKTOP,
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
)
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    EditionFactory,
    EditorFactory,
    SubscriberFactory,
)


@pytest.fixture
def roles(transactional_db):
    """The Editors and Writers groups: a transactional test flushed the migration's."""
    apply_role_permissions()


def change_url(edition):
    return reverse("admin:newsletter_edition_change", args=[edition.pk])


def test_editor_builds_an_edition_by_title_and_sends_it_after_confirming(
    page, step, roles, mailoutbox
):
    EditorFactory(username="edna")
    now = timezone.now()
    ArticleFactory(title="Salary talks without fear", published_at=now - timedelta(30))
    ArticleFactory(title="Salary bands explained", published_at=now - timedelta(40))
    DraftArticleFactory(title="Salary draft nobody may see")
    ArticleFactory(title="Fresh this week", published_at=now - timedelta(hours=5))
    SubscriberFactory.create_batch(3, status="confirmed")
    SubscriberFactory(status="pending")
    SubscriberFactory(status="suppressed", suppression_reason="complaint")
    edition = EditionFactory(subject="Weekly: money matters")

    with step("open the edition and search an article by its title"):
        log_in_to_admin(page, "edna")
        page.goto(change_url(edition))
        page.get_by_role("button", name="Add another article").click()
        page.get_by_role("combobox", name="Article").last.click()
        page.get_by_role("searchbox", name="Search articles by title").fill("salary")
        options = page.get_by_role("option")
        expect(options).to_have_count(2)  # live ones only, not the draft
        page.get_by_role("option", name="Salary talks without fear").click()

    with step("add this week's articles: the form is saved first"):
        page.get_by_label("Subject").fill("Weekly: money and more")
        page.get_by_role("button", name="Add this week’s articles").click()
        expect(page.locator("ul.messagelist")).to_contain_text(
            "Added 1 article(s) published from"
        )
        expect(page.locator("ul.messagelist")).to_contain_text("“Fresh this week”")
        titles = [e.article.title for e in edition.edition_articles.all()]
        assert titles == ["Salary talks without fear", "Fresh this week"]

    with step("send a test: unsaved edits go into it"):
        page.get_by_label("Intro").fill("Edited just now, not saved yet.")
        page.get_by_role("button", name="Save and send test to me").click()
        expect(page.locator("ul.messagelist")).to_contain_text("Sent a test of")
        (test_mail,) = mailoutbox
        assert "Edited just now, not saved yet." in test_mail.body

    with step("press Send now: the page says how many it goes to"):
        page.get_by_role("button", name="Send now…").click()
        expect(page.locator(".send-confirm__summary")).to_contain_text(
            "“Weekly: money and more” goes to 3 confirmed subscribers now"
        )
        assert Edition.objects.get(pk=edition.pk).status == "draft"

    with step("confirm"):
        page.get_by_role("button", name="Yes, send to 3 subscribers").click()
        expect(page.locator("ul.messagelist")).to_contain_text("queued for sending")
        # The tests' task backend runs the send task at once.
        expect(page.get_by_role("region", name="Sending")).to_contain_text("Sent on")
        assert Edition.objects.get(pk=edition.pk).status == "sent"
        digests = [mail for mail in mailoutbox if mail is not test_mail]
        assert len(digests) == 3
        assert {mail.subject for mail in digests} == {"Weekly: money and more"}
        expect(page.get_by_role("button", name="Send now…")).to_have_count(0)


def _sent_edition_with_outcomes():
    """A sent edition with bounces, a complaint and an unsubscription."""
    started = timezone.now() - timedelta(days=2)
    edition = EditionFactory(
        subject="Weekly: the offer season",
        status="sent",
        started_at=started,
        finished_at=started + timedelta(minutes=3),
        articles=[ArticleFactory(title="Reading an offer letter")],
    )
    for number in range(4):
        subscriber = SubscriberFactory()
        Delivery.objects.create(
            edition=edition, subscriber=subscriber, status="sent", sent_at=started
        )
        if number < 2:
            MailEvent.objects.create(
                subscriber=subscriber,
                kind=["hard-bounce", "complaint"][number],
                source="postmark",
                event_id=f"event-{subscriber.pk}",
                occurred_at=started + timedelta(hours=1),
            )
    return edition


PAGES = {
    "subscriber-list": lambda: reverse("admin:newsletter_subscriber_changelist"),
    "edition-list": lambda: reverse("admin:newsletter_edition_changelist"),
    "edition-change": lambda: change_url(
        EditionFactory(
            subject="Weekly: draft",
            articles=[ArticleFactory(title="Negotiating a start date")],
        )
    ),
    "edition-sent": lambda: change_url(_sent_edition_with_outcomes()),
    "edition-add": lambda: reverse("admin:newsletter_edition_add"),
    "send-confirm": lambda: reverse(
        "admin:newsletter_edition_send_now", args=[EditionFactory().pk]
    ),
}


@both_viewports
@pytest.mark.parametrize("which", list(PAGES))
def test_newsletter_admin_pages_have_no_serious_accessibility_violations(
    which, viewport, roles, new_context, axe_js, step
):
    EditorFactory(username="edna")
    SubscriberFactory.create_batch(3)
    bounced = SubscriberFactory(email="bounced@example.com")
    bounced.status, bounced.suppression_reason = "suppressed", "hard-bounce"
    bounced.save()
    _sent_edition_with_outcomes()
    EditionFactory(subject="Weekly: next one", status="scheduled")
    # axe is injected inline: this context alone bypasses the CSP.
    context = new_context(bypass_csp=True, viewport=viewport)
    page = context.new_page()
    with step(f"scan the {which} page", page=page):
        log_in_to_admin(page, "edna")
        page.goto(PAGES[which]())
        page.wait_for_load_state("load")
        violations = axe_violations(page, axe_js)
        if viewport == DESKTOP and which.endswith("list"):
            # Every column fits a 1280 px screen: nothing scrolls sideways.
            # Every column fits a 1280 px screen: nothing scrolls sideways,
            # neither the page nor the table inside it.
            widths = page.evaluate(
                """() => [document.documentElement, ...document.querySelectorAll(
                     '#changelist .results')].map((box) => [
                       box.scrollWidth, box.clientWidth,
                       [...box.querySelectorAll('thead th')].map(
                         (th) => th.className + ':' + th.offsetWidth)])"""
            )
            assert all(scroll <= client for scroll, client, _ in widths), widths
    print(describe_violations(violations))
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    assert not failing, describe_violations(failing)
