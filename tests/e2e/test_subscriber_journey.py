"""A reader subscribes to the digest from an article, gets it, and leaves it."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from newsletter import editions
from newsletter.models import Subscriber
from tests.e2e.helpers import assert_focus_visible, both_viewports, tab_to
from tests.factories import SubscriberFactory

ARTICLE = "/articles/questions-to-ask-your-interviewer/"
EMAIL = "reader@example.com"


def link_in(text: str, pattern: str) -> str:
    """The first URL in a mail's text whose path matches ``pattern``."""
    match = re.search(rf"https?://\S+{pattern}\S*", text)
    assert match, f"no link matching {pattern!r} in:\n{text}"
    return match.group()


def send_digest(outbox, email: str):
    """This week's edition, made and sent by the newsletter's services and task.

    Returns the digest mailed to ``email``.
    """
    edition = editions.edition_create_due(now=timezone.now())
    # "Send now" enqueues the sending task; tests run tasks at once.
    assert editions.edition_schedule(edition=edition, when=timezone.now())
    edition.refresh_from_db()
    assert edition.status == "sent"
    [digest] = [mail for mail in outbox if mail.subject == edition.subject]
    assert digest.to == [email]
    return digest


def sign_up_mail(outbox) -> str:
    """The confirmation link from the one mail sent since the sign-up."""
    [confirmation] = outbox
    assert confirmation.to == [EMAIL]
    assert confirmation.subject.startswith("Confirm your subscription")
    return link_in(confirmation.body, "/newsletter/confirm/")


@both_viewports
def test_reader_signs_up_from_an_article_confirms_and_unsubscribes_from_the_digest(
    page, step, demo_site, newsletter_outbox
):
    title = page.get_by_role("heading", level=1)

    with step("open an article"):
        page.goto(ARTICLE)
        cta = page.get_by_role(
            "complementary", name=re.compile(r"^New career advice in your inbox every")
        )
        expect(cta).to_be_visible()

    with step("sign up with the form under the article"):
        cta.get_by_label("Email address").fill(EMAIL)
        cta.get_by_role("button", name="Subscribe").click()
        expect(title).to_have_text("Check your inbox")

    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == (EMAIL, "pending")
    assert subscriber.source == ARTICLE
    confirm_url = sign_up_mail(newsletter_outbox)

    with step("open the confirmation link from the mail"):
        page.goto(confirm_url)
        expect(title).to_have_text("Confirm your subscription")
        subscriber.refresh_from_db()
        assert subscriber.status == "pending", "opening the link alone confirms nothing"

    with step("confirm with the button"):
        page.get_by_role("button", name="Yes, subscribe me").click()
        expect(title).to_have_text("You’re subscribed")
        subscriber.refresh_from_db()
        assert subscriber.status == "confirmed"

    digest = send_digest(newsletter_outbox, EMAIL)
    unsubscribe_url = link_in(digest.body, "/newsletter/unsubscribe/")
    assert digest.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"

    with step("open the unsubscribe link from the digest"):
        page.goto(unsubscribe_url)
        expect(title).to_have_text("Unsubscribe from the digest?")
        expect(page.get_by_role("main")).to_contain_text(EMAIL)
        subscriber.refresh_from_db()
        assert subscriber.status == "confirmed", (
            "opening the link alone changes nothing"
        )

    with step("unsubscribe with the button"):
        page.get_by_role("button", name="Unsubscribe").click()
        expect(title).to_have_text("You’re unsubscribed")
        subscriber.refresh_from_db()
        assert subscriber.status == "unsubscribed"
        assert subscriber.unsubscribe_method == "page"

    with step("find the way back to the sign-up page"):
        page.get_by_role("link", name="Sign up again").click()
        expect(title).to_have_text("The weekly digest")
        expect(page.get_by_role("button", name="Subscribe")).to_be_visible()


def test_keyboard_reader_signs_up_from_an_article_and_confirms_without_a_mouse(
    page, step, demo_site, newsletter_outbox
):
    title = page.get_by_role("heading", level=1)
    email = page.get_by_role("textbox", name="Email address")
    subscribe = page.get_by_role("button", name="Subscribe")

    with step("open an article"):
        page.goto(ARTICLE)

    with step("tab to the email field"):
        tab_to(page, email)
        assert_focus_visible(email)

    with step("type the address and tab to the button"):
        page.keyboard.type(EMAIL)
        page.keyboard.press("Tab")
        assert_focus_visible(subscribe)

    with step("subscribe with Enter"):
        page.keyboard.press("Enter")
        expect(title).to_have_text("Check your inbox")
        assert Subscriber.objects.get().status == "pending"

    confirm = page.get_by_role("button", name="Yes, subscribe me")
    with step("tab to the confirm button on the page the mail links to"):
        page.goto(sign_up_mail(newsletter_outbox))
        tab_to(page, confirm)
        assert_focus_visible(confirm)

    with step("confirm with Space"):
        page.keyboard.press("Space")
        expect(title).to_have_text("You’re subscribed")
        assert Subscriber.objects.get().status == "confirmed"


def test_mail_program_unsubscribes_with_a_one_click_post_without_cookies(
    page, transactional_db, newsletter_outbox
):
    subscriber = SubscriberFactory(email=EMAIL)
    digest = send_digest(newsletter_outbox, EMAIL)
    assert digest.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    url = digest.extra_headers["List-Unsubscribe"].strip("<>")

    # What RFC 8058 says a mail program sends: a bare POST, no cookie, no token.
    assert page.context.cookies() == []
    response = page.request.post(
        url, form={"List-Unsubscribe": "One-Click"}, max_redirects=0
    )

    assert response.status == 200
    assert response.text() == "You are unsubscribed.\n"
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribe_method == "one-click"
