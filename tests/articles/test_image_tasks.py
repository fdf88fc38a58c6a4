"""Image renditions are made by the task worker, not in the editor's save."""

import pytest

from articles.models import Article
from articles.tasks import make_image_renditions
from tests.articles.admin_forms import article_form, change_url
from tests.articles.image_files import image_bytes, upload
from tests.articles.test_images import post_cover

pytestmark = pytest.mark.django_db


def test_save_enqueues_renditions_and_the_page_shows_the_upload_meanwhile(
    editor_client, author, client, db_tasks
):
    post_cover(
        editor_client,
        author,
        upload("desk.jpg", image_bytes(size=(900, 450))),
        publish_it=True,
    )

    article = Article.objects.get()
    (task,) = db_tasks.rows(make_image_renditions)
    assert task.args_kwargs["kwargs"] == {
        "kind": "cover",
        "pk": article.pk,
        "name": article.cover_image.name,
    }
    assert article.cover_renditions == {}
    page = client.get(article.get_absolute_url()).text
    assert f'src="{article.cover_image.url}"' in page  # the upload itself

    db_tasks.run()

    article.refresh_from_db()
    # Cut to 16:9 around the focal point first: 800 x 450.
    assert [width for width, _ in article.cover_renditions["jpeg"]] == [480, 800]
    assert "-480w.jpg 480w" in client.get(article.get_absolute_url()).text


def test_renditions_task_for_a_replaced_image_does_nothing(
    editor_client, author, db_tasks
):
    post_cover(editor_client, author, upload("first.jpg", image_bytes(size=(900, 450))))
    article = Article.objects.get()
    form = article_form(
        author=author.pk, cover_alt="A desk", title=article.title, slug=article.slug
    )
    editor_client.post(
        change_url(article),
        {**form, "cover_image": upload("second.jpg", image_bytes(size=(700, 350)))},
    )

    db_tasks.run()

    first, second = db_tasks.rows(make_image_renditions)
    assert first.return_value == "image replaced or removed"
    article.refresh_from_db()
    assert "second" in article.cover_image.name
    # 700 x 350 cut to 16:9: 622 x 350.
    assert [width for width, _ in article.cover_renditions["jpeg"]] == [480, 622]
