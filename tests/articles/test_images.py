"""Uploaded images: refused when unsafe, stripped of metadata, served as renditions."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from articles.images import make_renditions
from articles.models import Article, Author
from tests.articles.admin_forms import add_url, article_form, change_url, publish
from tests.articles.image_files import (
    GPS_IFD,
    image_bytes,
    jpeg_with_gps,
    noise_image,
    png_claiming_size,
    transparent_palette_png,
    truncated_jpeg,
    upload,
)
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def post_cover(client, author, cover, *, publish_it=False, **overrides):
    data = {
        **article_form(author=author.pk, cover_alt="A desk by a window"),
        "cover_image": cover,
        **overrides,
    }
    response = client.post(add_url(), data)
    if publish_it and response.status_code == 302:
        publish(client)
    return response


def cover_errors(response) -> list[str]:
    return response.context["adminform"].form.errors.get("cover_image", [])


def stored(name) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# -- Refusals ----------------------------------------------------------------


REFUSALS = {
    "bomb": (
        lambda: upload("huge.png", png_claiming_size(40_000, 40_000), "image/png"),
        "far too many pixels",
    ),
    "bomb_in_pillows_warning_range": (
        lambda: upload("big.png", png_claiming_size(10_000, 10_000), "image/png"),
        "far too many pixels",
    ),
    "truncated": (
        lambda: upload("cut.jpg", truncated_jpeg()),
        "incomplete or damaged",
    ),
    "png_named_jpg": (
        lambda: upload("photo.jpg", image_bytes("PNG"), "image/jpeg"),
        "The file name has “.jpg” but the file is a PNG image. Rename it to end "
        "in .png",
    ),
    "gif": (
        lambda: upload("anim.gif", image_bytes("GIF", mode="P", color=1)),
        "This is a GIF image; only JPEG, PNG or WebP images are accepted.",
    ),
    "not_an_image": (
        lambda: upload("notes.png", b"Meeting notes, not a picture.", "image/png"),
        "This file is not a JPEG, PNG or WebP image.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_unsafe_cover_upload_is_refused_with_a_clear_message(
    editor_client, author, case
):
    make_upload, message = REFUSALS[case]

    response = post_cover(editor_client, author, make_upload())

    assert response.status_code == 200
    assert any(message in error for error in cover_errors(response)), cover_errors(
        response
    )
    assert not Article.objects.exists()
    # The rest of what the editor typed is kept in the form.
    assert "How to answer salary questions" in response.text


def test_bomb_is_refused_where_pillow_only_warns(editor_client, author):
    """Outside tests Pillow's bomb warning is not an error: the pixel cap holds."""
    bomb = upload("big.png", png_claiming_size(10_000, 10_000), "image/png")

    with pytest.warns(Image.DecompressionBombWarning):
        response = post_cover(editor_client, author, bomb)

    assert cover_errors(response) == [
        "This image is 10000 × 10000 pixels (100 megapixels); images can be at "
        "most 40 megapixels. Resize it and upload it again."
    ]


def test_a_file_over_the_byte_limit_is_refused(editor_client, author, settings):
    settings.IMAGE_MAX_BYTES = 2_000
    content = image_bytes("PNG", size=(300, 300), mode="RGB", color="red")
    big = io.BytesIO()
    noise_image(size=(100, 100)).save(big, "PNG")
    assert len(big.getvalue()) > 2_000

    response = post_cover(editor_client, author, upload("big.png", big.getvalue()))

    assert cover_errors(response) == [
        f"This file is {_size(len(big.getvalue()))}; images can be at most "
        f"{_size(2_000)}. Export a smaller version and upload it again."
    ]
    assert len(content) < 2_000
    small = post_cover(editor_client, author, upload("small.png", content))
    assert small.status_code == 302


def _size(num_bytes):
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(num_bytes)


def test_an_image_over_the_pixel_limit_is_refused(editor_client, author, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000

    response = post_cover(
        editor_client, author, upload("wide.jpg", image_bytes(size=(2000, 600)))
    )

    assert cover_errors(response) == [
        "This image is 2000 × 600 pixels (1.2 megapixels); images can be at most "
        "1 megapixels. Resize it and upload it again."
    ]


def test_author_photos_are_checked_the_same_way(editor_client):
    response = editor_client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Ada Byline",
            "slug": "ada-byline",
            "photo": upload("ada.jpg", truncated_jpeg()),
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["photo"]
    assert "incomplete or damaged" in errors[0]
    assert not Author.objects.exists()


def test_harmless_image_is_accepted_while_warnings_are_errors(editor_client, author):
    """Pillow warns about this PNG when converting it; pytest makes that an error."""
    response = post_cover(
        editor_client,
        author,
        upload("logo.png", transparent_palette_png(), "image/png"),
    )

    assert response.status_code == 302
    article = Article.objects.get()
    rendition = stored(article.cover_renditions["names"][0])
    # Transparent areas are white in the JPEG renditions, not black.
    assert rendition.getpixel((rendition.width - 5, 5)) >= (250, 250, 250)
    assert rendition.getpixel((5, 5))[0] > 200  # The red half stays red.


# -- Metadata ----------------------------------------------------------------


def test_stored_cover_loses_exif_and_gps_but_stays_upright(editor_client, author):
    original = Image.open(io.BytesIO(jpeg_with_gps(size=(40, 20))))
    assert original.getexif().get_ifd(GPS_IFD)  # The test image has GPS.

    response = post_cover(editor_client, author, upload("phone.jpg", jpeg_with_gps()))

    assert response.status_code == 302
    article = Article.objects.get()
    image = stored(article.cover_image.name)
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info
    with default_storage.open(article.cover_image.name, "rb") as handle:
        raw = handle.read()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw
    # Orientation 6 (turn right) is applied to the pixels: 40×20 becomes 20×40,
    # the left (red) half ends up on top.
    assert image.size == (20, 40)
    red, _, blue = image.getpixel((10, 5))
    assert red > 200 and blue < 60


def test_author_photo_loses_gps_and_gets_small_renditions(editor_client):
    response = editor_client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Ada Byline",
            "slug": "ada-byline",
            "photo": upload("ada.jpg", jpeg_with_gps(size=(600, 600))),
        },
    )

    assert response.status_code == 302
    author = Author.objects.get()
    assert not stored(author.photo.name).getexif()
    assert [width for width, _ in author.photo_renditions["jpeg"]] == [160, 320]


# -- Renditions ----------------------------------------------------------------


def test_renditions_come_in_several_widths_never_enlarged(editor_client, author):
    post_cover(
        editor_client, author, upload("wide.jpg", image_bytes(size=(2000, 1000)))
    )
    renditions = Article.objects.get().cover_renditions

    assert [width for width, _ in renditions["jpeg"]] == [480, 800, 1200, 1600]
    # Covers are cut to 16:9 (around the centre when no focal point is set).
    assert (renditions["width"], renditions["height"]) == (1600, 900)
    # The edit page shows the smallest one, so editors see which image is set.
    page = editor_client.get(change_url(Article.objects.get())).text
    smallest_url = default_storage.url(renditions["jpeg"][0][1])
    assert f'<img class="cover-preview" src="{smallest_url}"' in page
    for name in renditions["names"]:
        image = stored(name)
        width = int(name.rsplit("-", 1)[1].split("w.")[0])
        assert image.size == (width, round(width * 9 / 16))

    small = make_renditions(
        default_storage.save(
            "covers/small.jpg", upload("s.jpg", image_bytes(size=(600, 300)))
        )
    )
    assert [width for width, _ in small["jpeg"]] == [480, 600]
    cut = make_renditions("covers/small.jpg", ratio=16 / 9)
    assert [width for width, _ in cut["jpeg"]] == [480, 533]


def test_webp_is_offered_only_when_smaller_than_jpeg():
    flat = default_storage.save(
        "covers/flat.png", upload("flat.png", image_bytes("PNG", size=(1000, 500)))
    )
    noisy_file = io.BytesIO()
    noise_image(size=(1000, 500)).save(noisy_file, "PNG")
    noisy = default_storage.save(
        "covers/noisy.png", upload("n.png", noisy_file.getvalue())
    )

    flat_renditions = make_renditions(flat)
    noisy_renditions = make_renditions(noisy)

    assert [w for w, _ in flat_renditions["webp"]] == [480, 800, 1000]
    for (_, jpeg_url), (_, webp_url) in zip(
        flat_renditions["jpeg"], flat_renditions["webp"], strict=True
    ):
        jpeg_name = jpeg_url.removeprefix("/media/")
        webp_name = webp_url.removeprefix("/media/")
        assert default_storage.size(webp_name) < default_storage.size(jpeg_name)
    # Random noise is the one picture WebP does worse on: JPEG only, no leftovers.
    assert noisy_renditions["webp"] == []
    assert not any(name.endswith(".webp") for name in noisy_renditions["names"])
    _, files = default_storage.listdir("renditions/covers")
    assert not any(
        name.startswith("noisy") and name.endswith(".webp") for name in files
    )


def test_article_page_serves_srcset_and_sizes(editor_client, author, client):
    post_cover(
        editor_client,
        author,
        upload("wide.jpg", image_bytes(size=(2000, 1000))),
        publish_it=True,
    )
    article = Article.objects.get()

    html = client.get(article.get_absolute_url()).text

    assert 'type="image/webp"' in html
    assert "-480w.webp 480w" in html and "-1600w.webp 1600w" in html
    assert "-480w.jpg 480w" in html and "-1600w.jpg 1600w" in html
    assert 'sizes="(min-width: 52rem) 48rem, 100vw"' in html
    assert 'alt="A desk by a window"' in html
    assert 'width="1600" height="900"' in html


def test_renditions_are_remade_only_when_the_image_changes(
    editor_client, author, monkeypatch, django_capture_on_commit_callbacks
):
    from articles import images

    calls = []
    real = images.make_renditions
    monkeypatch.setattr(
        images,
        "make_renditions",
        lambda name, **kw: calls.append(name) or real(name, **kw),
    )
    post_cover(editor_client, author, upload("first.jpg", image_bytes(size=(900, 450))))
    article = Article.objects.get()
    first = article.cover_renditions
    form = article_form(
        author=author.pk,
        cover_alt="A desk by a window",
        title="Retitled",
        slug=article.slug,
    )

    editor_client.post(change_url(article), form)
    article.refresh_from_db()
    assert article.title == "Retitled"
    assert article.cover_renditions == first
    assert len(calls) == 1

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            change_url(article),
            {**form, "cover_image": upload("second.jpg", image_bytes(size=(700, 350)))},
        )
    article.refresh_from_db()
    assert len(calls) == 2
    # 700 × 350 cut to 16:9 is 622 wide.
    assert [w for w, _ in article.cover_renditions["jpeg"]] == [480, 622]
    # The first image's renditions are removed once replaced.
    assert not any(default_storage.exists(name) for name in first["names"])


def test_removing_the_cover_removes_its_renditions(
    editor_client, author, django_capture_on_commit_callbacks
):
    post_cover(editor_client, author, upload("first.jpg", image_bytes(size=(900, 450))))
    article = Article.objects.get()
    names = article.cover_renditions["names"]

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            change_url(article),
            {
                **article_form(author=author.pk, slug=article.slug),
                "cover_image-clear": "on",
            },
        )

    article.refresh_from_db()
    assert not article.cover_image
    assert article.cover_renditions == {}
    assert not any(default_storage.exists(name) for name in names)


@pytest.mark.parametrize("count", [2, 12])
def test_list_page_queries_do_not_grow_with_images(
    client, django_assert_num_queries, count
):
    """Renditions are stored on the row: no query per picture."""
    name = default_storage.save("covers/c.jpg", upload("c.jpg", image_bytes()))
    renditions = make_renditions(name)
    ArticleFactory.create_batch(
        count, cover_image=name, cover_renditions=renditions, topics=["Careers"]
    )

    # 1 count, 1 page of articles with authors, 1 prefetch of their topics
    with django_assert_num_queries(3):
        response = client.get(reverse("articles:list"))

    assert response.text.count("<picture>") == count


@pytest.mark.parametrize("related", [1, 6])
def test_article_page_queries_do_not_grow_with_images(
    client, django_assert_num_queries, related
):
    name = default_storage.save("covers/c.jpg", upload("c.jpg", image_bytes()))
    renditions = make_renditions(name)
    topic = ["Careers"]
    ArticleFactory.create_batch(
        related, cover_image=name, cover_renditions=renditions, topics=topic
    )
    article = ArticleFactory(
        cover_image=name, cover_renditions=renditions, topics=topic
    )

    # 1 article with author, 1 its topics, 1 related articles with authors,
    # 1 more in its main topic
    with django_assert_num_queries(4):
        response = client.get(article.get_absolute_url())

    # The cover, and a small one on each related card, from stored renditions.
    assert response.text.count("<picture>") == 1 + related


def test_renditions_follow_a_new_media_url_without_being_remade(client, settings):
    """Storage names are kept, not URLs: a CDN or signed object-storage URLs
    (django-storages) apply to images uploaded before the change."""
    name = default_storage.save(
        "covers/cdn.jpg", upload("cdn.jpg", image_bytes(size=(1000, 500)))
    )
    article = ArticleFactory(
        cover_image=name, cover_alt="A desk", cover_renditions=make_renditions(name)
    )
    settings.MEDIA_URL = "https://cdn.example/media/"

    page = client.get(article.get_absolute_url()).text

    assert 'src="https://cdn.example/media/renditions/covers/cdn-800w.jpg"' in page
    assert "https://cdn.example/media/renditions/covers/cdn-480w.jpg 480w" in page
