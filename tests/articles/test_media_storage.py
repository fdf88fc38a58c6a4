"""The media library on object storage (moto's S3 server, as covers are
tested in test_object_storage.py): uploads and renditions go to the bucket,
pages and feeds link to it, and deleting an unused image empties it."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import MediaImage
from tests.articles import test_object_storage
from tests.articles.image_files import image_bytes, upload
from tests.articles.media_library import library_image
from tests.articles.test_object_storage import BUCKET, local_files, names_in
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
# The moto server and bucket fixtures, shared with the covers' tests.
s3_endpoint = test_object_storage.s3_endpoint
bucket = test_object_storage.bucket


def test_library_images_live_in_the_bucket_and_pages_link_there(
    client, editor_client, bucket, s3_endpoint, settings
):
    response = editor_client.post(
        reverse("admin:articles_mediaimage_add"),
        {
            "title": "Chart",
            "image": upload("chart.jpg", image_bytes(size=(1000, 500))),
            "alt": "A chart",
            "caption": "",
            "credit": "",
        },
    )
    assert response.status_code == 302
    image = MediaImage.objects.get()
    article = ArticleFactory(body=f"Text.\n\n{image.reference_line}\n")

    page = client.get(article.get_absolute_url()).text
    feed = client.get(reverse("articles:feed")).text

    stored = names_in(bucket)
    assert image.image.name in stored
    assert set(image.renditions["names"]) <= stored
    assert f"{s3_endpoint}/{BUCKET}/renditions/library/chart-480w" in page
    assert f"{s3_endpoint}/{BUCKET}/renditions/library/chart-800w.jpg" in feed
    assert local_files(settings) == []


def test_deleting_an_unused_image_removes_its_files_from_the_bucket(
    bucket, django_capture_on_commit_callbacks
):
    image = library_image()
    assert names_in(bucket)

    with django_capture_on_commit_callbacks(execute=True):
        services.media_image_delete(image=image)

    assert names_in(bucket) == set()
