"""The pages that invite readers further are valid HTML: the Nu Html Checker
(npm vnu-jar, needs Java) finds no error in the article page's end, a topic
page, the topics index and the 404 page."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks import corpus
from tests.factories import ArticleFactory, AuthorFactory
from tests.npm import need, npm_package

pytestmark = pytest.mark.django_db

VNU_DIR = Path(__file__).parents[1] / "e2e" / ".vnu"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def vnu_jar() -> Path:
    """vnu.jar from npm's vnu-jar, installed once into a git-ignored folder."""
    return npm_package("vnu-jar@24", VNU_DIR) / "build" / "dist" / "vnu.jar"


@pytest.fixture
def pages(client, now, tmp_path) -> list[Path]:
    author = AuthorFactory(
        name="Maya Okafor",
        bio="Hires, then coaches.",
        photo="authors/maya.jpg",
        photo_renditions=corpus.renditions("authors/maya"),
    )
    articles = [
        ArticleFactory(
            title=f"Salary & pay “{n}”",
            author=author if n % 2 else AuthorFactory(photo=""),
            topics=["Salary", "Offers"],
            published_at=START + timedelta(days=n),
            cover_image=f"covers/c{n}.jpg" if n % 3 else "",
            cover_alt=f"Cover {n}",
            cover_renditions=corpus.renditions(f"covers/c{n}") if n % 3 else {},
        )
        for n in range(12)
    ]
    files = []
    for name, url, status in [
        ("article", articles[-1].get_absolute_url(), 200),
        ("topic", "/topics/salary/", 200),
        ("topics", "/topics/", 200),
        ("not-found", "/no-such-page/", 404),
    ]:
        response = client.get(url)
        assert response.status_code == status
        path = tmp_path / f"{name}.html"
        path.write_text(response.text, encoding="utf-8")
        files.append(path)
    assert "more-in-topic-title" in files[0].read_text()
    return files


def test_the_pages_pass_the_nu_html_checker(pages):
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
