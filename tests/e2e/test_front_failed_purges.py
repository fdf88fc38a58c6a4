"""Failed purges in the admin, in Chromium: the list with the error, Purge
again; screenshotted at 390 and 1280 px, scanned with axe and the Nu checker."""

import pytest
from playwright.sync_api import expect

from careerhub.settings.frontcache import front_cache_from_url
from frontcache.models import FailedPurge
from frontcache.tasks import keys_digest
from tests.e2e.helpers import both_viewports, log_in_to_admin
from tests.e2e.test_grow_import_desk import check
from tests.factories import UserFactory


@pytest.fixture
def failed(transactional_db, settings):
    settings.FRONT_CACHE = front_cache_from_url("varnish://127.0.0.1:9")
    return FailedPurge.objects.create(
        digest=keys_digest(["a12", "home", "list", "t3", "u4"]),
        keys="a12 home list t3 u4",
        error="PURGE http://127.0.0.1:9/: [Errno 111] Connection refused",
        attempts=3,
    )


@both_viewports
def test_admin_sees_failed_purges_and_purges_again(
    viewport, failed, new_context, axe_js, step, tmp_path
):
    UserFactory(username="ada", is_staff=True, is_superuser=True)
    page = new_context(bypass_csp=True, viewport=viewport).new_page()
    with step("open the list of failed purges", page=page):
        log_in_to_admin(page, "ada")
        page.goto("/admin/frontcache/failedpurge/")
        expect(page.get_by_text("Connection refused")).to_be_visible()
        expect(page.get_by_text("Given up")).to_be_visible()
        check(page, axe_js, "front-failed-purges", viewport, tmp_path)

    with step("purge it again", page=page):
        page.get_by_role("checkbox", name="Select this object for an action").check()
        page.locator("select[name=action]").select_option(label="Purge again")
        page.get_by_role("button", name="Run").click()
        expect(page.get_by_text("queued again")).to_be_visible()
        check(page, axe_js, "front-purge-again", viewport, tmp_path)
