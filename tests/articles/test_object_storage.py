"""Media on object storage: django-storages' S3 backend against a real S3 API
(moto's server on loopback), configured as the environment would.

Covers uploaded through the admin, their renditions (made by the task) and the
links on pages all go to the bucket; nothing is written to MEDIA_ROOT.
"""

import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage

from articles.models import Article
from careerhub.settings import media_storage_from_env
from tests.articles.image_files import image_bytes, upload
from tests.articles.test_images import post_cover
from tests.services import Processes, free_port, wait_for_port

pytestmark = pytest.mark.django_db
BUCKET = "careerhub-media"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server (PyPI moto[server], a dev dependency) on loopback."""
    port = free_port()
    processes = Processes(tmp_path_factory.mktemp("moto"))
    try:
        server = processes.start(
            "moto",
            [
                str(Path(sys.executable).parent / "moto_server"),
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
            ],
        )
        wait_for_port(port, process=server)
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop_all()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """An empty bucket, and the site's media stored in it (signed URLs)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = s3.Bucket(BUCKET)
    if bucket.creation_date:
        bucket.objects.all().delete()
    else:
        bucket.create()
    storage, origins = media_storage_from_env(BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    assert origins == [s3_endpoint]
    return bucket


def names_in(bucket) -> set[str]:
    return {item.key for item in bucket.objects.all()}


def local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_cover_and_renditions_go_to_the_bucket_not_the_disk(
    editor_client, author, bucket, settings
):
    response = post_cover(
        editor_client, author, upload("desk.jpg", image_bytes(size=(1000, 500)))
    )

    assert response.status_code == 302
    article = Article.objects.get()
    stored = names_in(bucket)
    assert article.cover_image.name in stored
    assert {name for _, name in article.cover_renditions["jpeg"]} <= stored
    assert "renditions/covers/desk-480w.jpg" in stored
    assert local_files(settings) == []


def test_pages_link_to_signed_bucket_urls_that_serve_the_image(
    client, editor_client, author, bucket, s3_endpoint
):
    post_cover(
        editor_client,
        author,
        upload("desk.jpg", image_bytes(size=(1000, 500))),
        publish_it=True,
    )
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED

    page = client.get(article.get_absolute_url()).text

    rendition = article.cover_renditions["fallback"]
    src = next(
        part.split('"')[0]
        for part in page.split('src="')[1:]
        if part.startswith(f"{s3_endpoint}/{BUCKET}/{rendition}")
    ).replace("&amp;", "&")
    assert "X-Amz-Signature=" in src
    with urllib.request.urlopen(src, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.read()[:3] == b"\xff\xd8\xff"


def test_unsigned_urls_for_a_public_bucket(bucket, monkeypatch, settings, s3_endpoint):
    monkeypatch.setenv("AWS_QUERYSTRING_AUTH", "False")
    storage, _ = media_storage_from_env(BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": storage}

    name = default_storage.save("covers/plain.jpg", upload("plain.jpg", b"x"))

    assert default_storage.url(name) == f"{s3_endpoint}/{BUCKET}/covers/plain.jpg"


def test_bucket_from_the_environment_sets_storage_and_lets_pages_show_its_images():
    from tests.articles.test_settings import import_settings

    result = import_settings(
        "print(s.STORAGES['default']['BACKEND'])\n"
        "print(s.STORAGES['default']['OPTIONS']['bucket_name'])\n"
        "print(' '.join(s.SECURE_CSP['img-src']))",
        AWS_STORAGE_BUCKET_NAME="careerhub-media",
        AWS_S3_REGION_NAME="eu-west-2",
    )

    assert result.returncode == 0, result.stderr
    backend, bucket, img_src = result.stdout.splitlines()
    assert backend == "storages.backends.s3.S3Storage"
    assert bucket == "careerhub-media"
    assert "https://careerhub-media.s3.eu-west-2.amazonaws.com" in img_src.split()
