"""Figures from the media library: uploaded once, placed in bodies with
``[[image:ID]]``, shown as responsive renditions, protected while in use."""

import html
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db.models import ProtectedError
from django.urls import reverse
from PIL import Image, features

from articles import figures, services
from articles.models import Article, FigureUse, MediaImage
from tests.articles.admin_forms import add_url, article_form
from tests.articles.image_files import image_bytes, jpeg_with_gps, upload
from tests.articles.media_library import library_image
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def with_figures(*images, **fields) -> Article:
    lines = "\n".join(image.reference_line for image in images)
    body = f"Opening paragraph.\n{lines}\n\nClosing paragraph with more words.\n"
    return ArticleFactory(body=body, **fields)


# -- The library -----------------------------------------------------------


def test_upload_through_the_desk_is_stripped_of_metadata_and_gets_renditions(
    editor_client,
):
    response = editor_client.post(
        reverse("admin:articles_mediaimage_add"),
        {
            "title": "Office photo",
            "image": upload("office.jpg", jpeg_with_gps(size=(40, 20))),
            "alt": "An open-plan office",
            "caption": "",
            "credit": "",
        },
    )

    assert response.status_code == 302
    image = MediaImage.objects.get()
    with default_storage.open(image.image.name, "rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert not stored.getexif()  # no GPS, camera or orientation left
    assert image.renditions["jpeg"]
    assert (image.width, image.height) == (20, 40)  # turned upright


@pytest.mark.parametrize(
    ("alt", "decorative", "message"),
    [
        ("", False, "Describe the image"),
        ("A flourish", True, "A decorative image has no alt text"),
    ],
)
def test_alt_text_is_required_unless_the_image_is_decorative(
    editor_client, alt, decorative, message
):
    data = {
        "title": "Flourish",
        "image": upload("flourish.png", image_bytes("PNG", size=(60, 20)), "image/png"),
        "alt": alt,
        "caption": "",
        "credit": "",
    }
    if decorative:
        data["decorative"] = "on"

    response = editor_client.post(reverse("admin:articles_mediaimage_add"), data)

    assert response.status_code == 200
    assert message in response.text
    assert not MediaImage.objects.exists()


def test_a_decorative_image_is_accepted_without_alt_text(editor_client):
    data = {
        "title": "Flourish",
        "image": upload("flourish.png", image_bytes("PNG", size=(60, 20)), "image/png"),
        "alt": "",
        "decorative": "on",
        "caption": "",
        "credit": "",
    }

    response = editor_client.post(reverse("admin:articles_mediaimage_add"), data)

    assert response.status_code == 302
    assert MediaImage.objects.get().alt_text == ""


def test_library_search_finds_images_by_title_or_alt_text(editor_client):
    library_image(title="Salary survey", alt="Line chart of pay by year")
    library_image(title="Team lunch", alt="Five colleagues at a table")
    url = reverse("admin:articles_mediaimage_picker")

    by_alt = editor_client.get(url, {"q": "colleagues"}).text
    by_title = editor_client.get(url, {"q": "salary"}).text
    listed = editor_client.get(
        reverse("admin:articles_mediaimage_changelist"), {"q": "pay by year"}
    ).text

    assert "Team lunch" in by_alt and "Salary survey" not in by_alt
    assert "Salary survey" in by_title and "Team lunch" not in by_title
    assert "Salary survey" in listed and "Team lunch" not in listed


def test_writers_may_pick_from_the_library_and_readers_may_not(writer_client, client):
    image = library_image(title="Interview desk")
    url = reverse("admin:articles_mediaimage_picker")

    picked = writer_client.get(url, {"q": "desk"})
    anonymous = client.get(url, {"q": "desk"})

    assert picked.status_code == 200
    assert image.reference_line in picked.text
    assert anonymous.status_code == 302  # to the login page


def test_the_article_form_offers_the_picker(editor_client):
    page = editor_client.get(add_url()).text

    assert "data-media-picker" in page
    assert "js/media-picker.js" in page


# -- Placing and showing ---------------------------------------------------


def test_the_page_shows_responsive_renditions_with_caption_and_credit(client):
    image = library_image(caption="Where hires came from", credit="Chart: CareerHub")
    article = with_figures(image)

    page = client.get(article.get_absolute_url()).text

    figure = re.search(r'<figure class="figure">.*?</figure>', page, re.S).group(0)
    assert 'type="image/webp"' in figure
    if features.check("avif"):  # Pillow with libavif, as here
        assert figure.index('type="image/avif"') < figure.index('type="image/webp"')
    assert re.search(r'srcset="[^"]+480w, [^"]+800w', figure)
    assert 'width="1600" height="900"' in figure
    assert 'alt="Bar chart of hires by source"' in figure
    assert 'loading="lazy"' in figure
    assert "Where hires came from" in figure
    assert '<span class="figure__credit">Chart: CareerHub</span>' in figure
    # The text keeps what the editor typed.
    assert Article.objects.get().body.count(image.reference_line) == 1


def test_a_figure_opening_a_body_without_cover_is_not_lazy(client):
    image = library_image()
    article = ArticleFactory(body=f"{image.reference_line}\n\nText follows.\n")

    page = client.get(article.get_absolute_url()).text

    assert 'loading="eager"' in page


def test_a_decorative_figure_has_empty_alt(client):
    image = library_image(alt="", decorative=True)
    article = with_figures(image)

    page = client.get(article.get_absolute_url()).text

    assert re.search(r'<figure class="figure">\s*<picture>.*?alt=""', page, re.S)


def test_before_renditions_exist_the_upload_is_shown_with_its_size(client):
    image = library_image()
    MediaImage.objects.filter(pk=image.pk).update(renditions={})
    article = with_figures(image)

    page = client.get(article.get_absolute_url()).text

    assert f'src="{image.image.url}" width="1600" height="900"' in page


def test_figure_lines_stay_out_of_excerpts_and_word_counts():
    image = library_image()
    article = with_figures(image)

    assert "image" not in article.auto_excerpt
    assert article.word_count == len(
        "Opening paragraph. Closing paragraph with more words.".split()
    )


def test_figures_cost_one_query_however_many(client, django_assert_num_queries):
    plain = ArticleFactory(body="Just text.\n")
    several = with_figures(*(library_image(title=f"Chart {n}") for n in range(4)))
    client.get("/")  # warm the site-wide lookups

    with django_assert_num_queries(3) as without:
        client.get(plain.get_absolute_url())
    count = len(without.captured_queries)
    with django_assert_num_queries(count + 1):
        # the same, plus 1 for every figure's image at once
        client.get(several.get_absolute_url())


def test_editing_an_image_changes_the_cached_page(client):
    image = library_image(caption="First caption")
    article = with_figures(image)
    assert "First caption" in client.get(article.get_absolute_url()).text

    image.caption = "Corrected caption"
    services.media_image_save(image=image)

    page = client.get(article.get_absolute_url()).text
    assert "Corrected caption" in page and "First caption" not in page


def test_a_missing_image_is_refused_by_the_form_and_nothing_is_lost(
    editor_client, author
):
    body = "My draft text.\n\n[[image:999]]\n"
    response = editor_client.post(add_url(), article_form(author=author.pk, body=body))

    assert response.status_code == 200
    assert "No image in the library has the ID 999" in response.text
    assert "My draft text." in response.text
    assert not Article.objects.exists()


def test_feeds_get_one_absolute_image_of_a_sensible_size(client):
    image = library_image(caption="Where hires came from")
    with_figures(image)

    feed = html.unescape(client.get(reverse("articles:feed")).text)

    url = default_storage.url(image.renditions["jpeg"][1][1])  # the 800 px copy
    assert f'<img src="https://careerhub.example{url}"' in feed
    assert 'width="800" height="450"' in feed
    assert "Where hires came from" in feed
    assert "srcset" not in feed


# -- Deleting ----------------------------------------------------------------


def test_deleting_an_image_in_use_names_the_articles_and_deletes_nothing(
    editor_client,
):
    image = library_image()
    article = with_figures(image, title="Reading a job advert")
    url = reverse("admin:articles_mediaimage_delete", args=[image.pk])

    page = editor_client.get(url).text
    editor_client.post(url, {"post": "yes"})

    assert "Reading a job advert" in page
    assert "Cannot delete" in page
    assert MediaImage.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.image.name)
    assert FigureUse.objects.filter(article=article, image=image).exists()
    with pytest.raises(ProtectedError):
        services.media_image_delete(image=image)


def test_an_unused_image_is_deleted_with_its_files(
    editor_client, django_capture_on_commit_callbacks
):
    image = library_image()
    article = with_figures(image)
    article.body = "No figure any more.\n"
    services.article_write(article=article)
    names = [image.image.name, *image.renditions["names"]]

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:articles_mediaimage_delete", args=[image.pk]),
            {"post": "yes"},
        )

    assert not MediaImage.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_uses_follow_the_text():
    first, second = library_image(title="One"), library_image(title="Two")
    article = with_figures(first, second)
    assert set(article.figures.all()) == {first, second}

    article.body = f"Only one now.\n\n{second.reference_line}\n"
    services.article_write(article=article)

    assert list(article.figures.all()) == [second]
    assert figures.image_ids(article.body) == [second.pk]
