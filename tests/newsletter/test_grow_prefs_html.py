"""The preference pages' HTML passes the Nu Html Checker (npm vnu-jar, Java)."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse

from newsletter.models import Delivery, Edition, MailEvent
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory
from tests.newsletter.test_mail_quality import vnu_jar
from tests.npm import need

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    for name in ("Interviews", "Salary", "Changing careers"):
        ArticleFactory(topics=[name])
    reader = SubscriberFactory(email="reader@example.com", paused_until=NOW)
    edition = EditionFactory(subject="Salaries & CVs", status=Edition.Status.SENT)
    Delivery.objects.create(edition=edition, subscriber=reader, status="sent")
    MailEvent.objects.create(
        subscriber=reader,
        kind="soft-bounce",
        source="smtp",
        occurred_at=NOW - timedelta(days=1),
    )
    return reader


def pages(client, reader) -> dict[str, str]:
    def at(name, token=reader.token):
        return reverse(f"newsletter:{name}", kwargs={"token": token})

    return {
        "preferences": client.get(at("preferences")),
        "data": client.get(at("preferences-data")),
        "unknown": client.get(at("preferences", "x" * 43)),
        "topic-error": client.post(at("preferences-topics"), {"scope": "chosen"}),
        "pause-error": client.post(at("preferences-pause"), {"weeks": "5"}),
        "paused": client.post(at("preferences-pause"), {"weeks": "2"}),
        "unsubscribed": client.post(at("preferences-unsubscribe")),
    }


def test_every_preference_page_passes_the_nu_html_checker(client, reader, tmp_path):
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    files = []
    for name, response in pages(client, reader).items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
