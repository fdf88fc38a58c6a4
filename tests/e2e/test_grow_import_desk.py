"""Importing subscribers in Chromium, as an editor: upload a Mailchimp export,
read the dry run, import; each page screenshotted at 390 and 1280 px, scanned
with axe and checked by the Nu HTML checker."""

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from newsletter.models import Subscriber
from subscriber_imports.models import SubscriberImport
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
    screenshot,
)
from tests.factories import EditorFactory
from tests.newsletter.import_helpers import FIXTURES
from tests.newsletter.test_mail_quality import vnu_jar

SHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots" / "import"


@pytest.fixture
def roles(transactional_db):
    apply_role_permissions()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


def check(page, axe_js, name: str, viewport, tmp_path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SHOTS / f"{name}-{viewport['width']}.png")
    content = page.content()  # before axe adds its script
    failing = [
        v for v in axe_violations(page, axe_js) if v["impact"] in AXE_FAILING_IMPACTS
    ]
    assert not failing, describe_violations(failing)
    if shutil.which("java"):
        html = tmp_path / f"{name}.html"
        html.write_text(content, encoding="utf-8")
        result = subprocess.run(
            ["java", "-jar", str(vnu_jar()), "--errors-only", str(html)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr


@both_viewports
def test_editor_imports_a_mailchimp_export(
    viewport, roles, new_context, axe_js, step, tmp_path
):
    EditorFactory(username="edna")
    # axe is injected inline: this context alone bypasses the CSP.
    page = new_context(bypass_csp=True, viewport=viewport).new_page()

    with step("open the upload form", page=page):
        log_in_to_admin(page, "edna")
        page.goto("/admin/subscriber_imports/subscriberimport/add/")
        check(page, axe_js, "upload", viewport, tmp_path)

    with step("upload the export and read the dry run", page=page):
        page.get_by_label("CSV file").set_input_files(
            FIXTURES / "mailchimp_subscribed.csv"
        )
        page.get_by_label("Where the list came from").fill(
            "Our Mailchimp audience, 2023–2024: sign-ups on our own site."
        )
        page.get_by_role("button", name="Upload and check").click()
        expect(page.get_by_text("Dry run: what the import would do")).to_be_visible()
        assert Subscriber.objects.count() == 0
        check(page, axe_js, "dry-run", viewport, tmp_path)

    with step("import", page=page):
        page.get_by_role("button", name="Import: 5 new subscribers").click()
        expect(page.get_by_text("All 8 rows done")).to_be_visible()
        check(page, axe_js, "done", viewport, tmp_path)
    assert SubscriberImport.objects.get().status == "done"
    assert Subscriber.objects.filter(status="confirmed").count() == 5
