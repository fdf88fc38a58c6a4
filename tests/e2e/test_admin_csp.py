"""Django's admin works under the site's content security policy.

Django 6.1's admin has no inline script, handler or style attribute, so it needs
no exception from the policy (no csp_override): this test keeps it that way,
for the models registered today and for every one registered later.
"""

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.helpers import log_in_to_admin
from tests.factories import UserFactory


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
    page, step, demo_site
):
    editor = UserFactory(username="editor", is_staff=True, is_superuser=True)

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
