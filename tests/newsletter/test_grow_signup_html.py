"""The sign-up page's HTML passes the Nu Html Checker (npm vnu-jar, needs
Java), with every part shown: readers, the latest edition, past editions; and
before the first edition.

A missing tool skips the test with the way to install it, except in CI."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsletter.models import NewsletterSettings
from tests.factories import ArticleFactory, EditionFactory, make_subscribers
from tests.npm import need, npm_package

pytestmark = pytest.mark.django_db

VNU_DIR = Path(__file__).parents[1] / "e2e" / ".vnu"
SENT_AT = datetime(2026, 6, 9, 9, 0, tzinfo=UTC)


def full_page():
    for number in range(4):
        EditionFactory(
            subject=f"Week {number}: offers & CVs",
            status="sent",
            started_at=SENT_AT - timedelta(days=7 * number),
            articles=[ArticleFactory(excerpt="A summary.") for _ in range(8)],
        )
    make_subscribers(1300)
    row = NewsletterSettings.load()
    row.reader_count_threshold = 1000
    row.save()


@pytest.mark.parametrize("content", ["full", "no-edition-yet"])
def test_sign_up_page_passes_the_nu_html_checker(client, tmp_path, content):
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    vnu = npm_package("vnu-jar@24", VNU_DIR) / "build" / "dist" / "vnu.jar"
    if content == "full":
        full_page()
    response = client.get("/newsletter/")
    assert response.status_code == 200
    page = tmp_path / "signup.html"
    page.write_bytes(response.content)

    result = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
