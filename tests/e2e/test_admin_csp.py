"""Django's admin works under the site's content security policy.

Django 6.1's admin has no inline script, handler or style attribute, so it needs
no exception from the policy (no csp_override): this test keeps it that way,
for the models registered today and for every one registered later.
"""

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from newsletter.models import Delivery
from tests.e2e.helpers import log_in_to_admin
from tests.factories import EditionFactory, SubscriberFactory, UserFactory


def admin_pages(user) -> list[str]:
    """The list, add and change pages of every model in the admin.

    Models registered later (articles, newsletter) are covered by themselves.
    """
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{name}_changelist"))
        # Some records are never added by hand (subscribers, deliveries).
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{name}_add"))
        if first := model._default_manager.order_by("pk").first():
            pages.append(reverse(f"{name}_change", args=[first.pk]))
    return sorted(pages)


def test_editor_logs_in_and_opens_every_admin_page_without_csp_violations(
    page, step, demo_site, newsletter_outbox
):
    editor = UserFactory(username="editor", is_staff=True, is_superuser=True)
    # A record of each newsletter model, so their change pages are opened too.
    subscriber = SubscriberFactory(email=editor.email)
    edition = EditionFactory(articles=Article.objects.live()[:3])
    sent = EditionFactory(status="sent", articles=Article.objects.live()[:1])
    Delivery.objects.create(edition=sent, subscriber=subscriber, status="sent")

    with step("open the admin login page"):
        page.goto("/admin/")
        expect(page).to_have_url("/admin/login/?next=/admin/")

    with step("log in"):
        log_in_to_admin(page, "editor")

    for path in admin_pages(editor):
        with step(f"open {path}"):
            response = page.goto(path)
            assert response.status == 200
            expect(page.locator("#content")).to_be_visible()

    with step("open the edition and preview it in a new tab"):
        page.goto(reverse("admin:newsletter_edition_change", args=[edition.pk]))
        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Preview in browser").click()
        preview = opened.value
        preview.wait_for_load_state()

    # The preview has a policy of its own (csp_override): the mail's <style>.
    with step("see the preview under its own policy", page=preview):
        expect(preview.get_by_role("heading", level=1)).to_have_text(edition.subject)
        expect(preview.locator("h2 a")).to_have_count(3)
    preview.close()

    with step("send a test of the edition to myself"):
        page.get_by_role("button", name="Send test to me").click()
        expect(page.locator("ul.messagelist")).to_contain_text(
            f"Sent a test of “{edition.subject}” to {editor.email}"
        )
        [test_mail] = newsletter_outbox
        assert test_mail.subject == f"[Test] {edition.subject}"
