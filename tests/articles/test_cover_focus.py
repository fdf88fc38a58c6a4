"""The cover's focal point: one crop rule for renditions and card crops, and
the cover field's preview and label on the form."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import crop_box, focus_class, make_renditions
from articles.models import Article
from tests.articles.admin_forms import add_url, article_form, change_url

pytestmark = pytest.mark.django_db


def test_crop_box_keeps_the_focal_point_in_view():
    # A 2000 × 1000 picture cut to 16:9 (1778 wide): the subject on the right
    # stays, as far as the edge allows; centred by default.
    assert crop_box((2000, 1000), 16 / 9) == (111, 0, 1889, 1000)
    assert crop_box((2000, 1000), 16 / 9, (0.95, 0.5)) == (222, 0, 2000, 1000)
    assert crop_box((2000, 1000), 16 / 9, (0.0, 0.5)) == (0, 0, 1778, 1000)
    # Too tall: top and bottom are cut, around the focal point.
    assert crop_box((900, 900), 16 / 9, (0.5, 0.1)) == (0, 0, 900, 506)
    assert crop_box((900, 900), 16 / 9, (0.5, 0.7)) == (0, 377, 900, 883)


def test_card_crops_follow_the_focal_point_across():
    assert focus_class((0.5, 0.5)) == "focus-x-50"
    assert focus_class((0.87, 0.1)) == "focus-x-90"
    assert focus_class((-1, 2)) == "focus-x-0"


def two_halves(size=(2000, 1000)) -> bytes:
    """Left half black, right half white."""
    image = Image.new("RGB", size, "black")
    image.paste("white", (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_renditions_are_cut_around_the_focal_point():
    name = default_storage.save("covers/halves.jpg", io.BytesIO(two_halves()))

    left = make_renditions(name, ratio=16 / 9, focal=(0.0, 0.5))
    right = make_renditions(name, ratio=16 / 9, focal=(1.0, 0.5))

    with default_storage.open(left["jpeg"][0][1]) as handle:
        left_image = Image.open(handle).convert("L")
        # The left edge of the original is kept: black there.
        assert left_image.getpixel((2, 100)) < 30
    with default_storage.open(right["jpeg"][0][1]) as handle:
        right_image = Image.open(handle).convert("L")
        assert right_image.getpixel((right_image.width - 3, 100)) > 225
        # Cut on the left: the black half is narrower than in the left crop.
        assert right_image.getpixel((right_image.width // 3, 100)) < 30


def middle_of(article) -> int:
    with default_storage.open(article.cover_renditions["jpeg"][0][1]) as handle:
        image = Image.open(handle).convert("L")
        return image.getpixel((image.width // 2, image.height // 2))


def test_editor_sets_the_focal_point_and_renditions_follow(editor_client, author):
    cover = SimpleUploadedFile("c.jpg", two_halves(), content_type="image/jpeg")
    editor_client.post(
        add_url(),
        article_form(
            author=author.pk,
            cover_image=cover,
            cover_alt="Two halves",
            cover_focal_x="0.9",
            cover_focal_y="0.4",
        ),
    )
    article = Article.objects.get()
    assert (article.cover_focal_x, article.cover_focal_y) == (0.9, 0.4)
    # Cut towards the right: the white half reaches the middle.
    assert middle_of(article) > 225

    form = article_form(
        author=author.pk,
        title=article.title,
        slug=article.slug,
        cover_alt="Two halves",
        cover_focal_x="0.1",
        cover_focal_y="0.4",
    )
    editor_client.post(change_url(article), form)

    article.refresh_from_db()
    assert article.cover_focal_x == 0.1
    # A new focal point remakes the renditions: cut towards the left now.
    assert middle_of(article) < 30


def test_focal_point_outside_the_picture_is_refused(editor_client, author):
    response = editor_client.post(
        add_url(), article_form(author=author.pk, cover_focal_x="3")
    )

    assert response.status_code == 200
    assert not Article.objects.exists()


def test_cover_field_has_a_label_and_a_preview_area(editor_client):
    page = editor_client.get(add_url()).text

    assert '<label for="id_cover_image"' in page
    assert "data-cover-focus" in page
    assert 'name="cover_focal_x"' in page and 'type="hidden"' in page
    assert "js/cover.js" in page
    # The preview's picture is added by the script with its source: an img
    # without one is invalid HTML (the Nu Html Checker said so).
    images = re.findall(r"<img\b[^>]*>", page)
    assert all(re.search(r"\ssrc=\"[^\"]+\"", image) for image in images), images


# -- The chosen file is kept across validation errors ----------------------


def test_chosen_cover_is_kept_when_the_form_has_an_error(editor_client, author):
    cover = SimpleUploadedFile("desk.jpg", two_halves(), content_type="image/jpeg")

    refused = editor_client.post(
        add_url(), article_form(author=author.pk, cover_image=cover, cover_alt="")
    )

    assert refused.status_code == 200
    token = refused.context["adminform"].form.data["cover_staged"]
    assert f'name="cover_staged" value="{token}"' in refused.text
    assert "The picture you chose is kept" in refused.text
    assert not Article.objects.exists()

    # Second try: the description given, no file chosen again.
    saved = editor_client.post(
        add_url(),
        article_form(author=author.pk, cover_alt="Two halves", cover_staged=token),
    )

    assert saved.status_code == 302
    article = Article.objects.get()
    assert article.cover_image.name.startswith("covers/")
    assert article.cover_renditions["jpeg"]
    with default_storage.open(article.cover_image.name) as handle:
        assert Image.open(handle).size == (2000, 1000)


def test_a_forged_staged_name_is_refused_not_used(editor_client, author):
    default_storage.save("covers/someone-elses.jpg", io.BytesIO(two_halves()))

    response = editor_client.post(
        add_url(),
        article_form(
            author=author.pk,
            cover_alt="Two halves",
            cover_staged="covers/someone-elses.jpg",
        ),
    )

    # As an expired token: a clear error, never another stored file.
    assert response.status_code == 200
    assert "no longer kept" in response.text
    assert not Article.objects.exists()
