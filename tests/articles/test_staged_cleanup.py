"""Covers kept across validation errors (``staged/``) are removed by the
worker once no form can use them any more, on the disk and on object storage."""

import io
import os
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from desk import staged_uploads
from desk.tasks import remove_stale_staged_uploads
from taskqueue import policy
from tests.articles.admin_forms import add_url, article_form
from tests.articles.image_files import image_bytes
from tests.articles.test_object_storage import bucket, names_in, s3_endpoint  # noqa: F401
from tests.factories import NOW

pytestmark = pytest.mark.django_db


def stored_at(name: str, moment) -> str:
    """A file in the media storage, last changed at ``moment``."""
    name = default_storage.save(name, ContentFile(b"picture"))
    stamp = moment.timestamp()
    os.utime(default_storage.path(name), (stamp, stamp))
    return name


def test_the_sweep_removes_old_staged_files_only(db_tasks):
    old = stored_at("staged/old.jpg", NOW - timedelta(hours=26))
    fresh = stored_at("staged/fresh.jpg", NOW - timedelta(hours=2))
    cover = stored_at("covers/old-cover.jpg", NOW - timedelta(days=300))
    rendition = stored_at("renditions/covers/staged-480w.jpg", NOW - timedelta(days=9))

    with time_machine.travel(NOW, tick=False):
        policy.start_recurring()
        db_tasks.run()

    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)
    assert default_storage.exists(cover) and default_storage.exists(rendition)
    (done,) = DBTaskResult.objects.successful().filter(
        task_path=remove_stale_staged_uploads.module_path
    )
    assert done.return_value == "1 staged upload(s) removed, 1 kept"


def test_the_sweep_runs_again_every_hour_by_itself_and_never_twice(db_tasks):
    def waiting():
        return list(
            DBTaskResult.objects.filter(
                task_path=remove_stale_staged_uploads.module_path, status="READY"
            ).values_list("run_after", flat=True)
        )

    with time_machine.travel(NOW, tick=False):
        assert remove_stale_staged_uploads in policy.start_recurring()
        assert remove_stale_staged_uploads not in policy.start_recurring()
        db_tasks.run()
    assert waiting() == [NOW + timedelta(hours=1)]

    later = stored_at("staged/later.jpg", NOW - timedelta(hours=25, minutes=30))
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        db_tasks.run()  # not due yet
    assert default_storage.exists(later)

    with time_machine.travel(NOW + timedelta(hours=1, seconds=1), tick=False):
        db_tasks.run()
    assert not default_storage.exists(later)
    assert waiting() == [NOW + timedelta(hours=2, seconds=1)]


def test_a_cover_kept_for_a_form_being_corrected_survives_the_sweep(
    editor, editor_client, author
):
    cover = SimpleUploadedFile("desk.jpg", image_bytes(), content_type="image/jpeg")
    with time_machine.travel(NOW, tick=False):
        refused = editor_client.post(
            add_url(), article_form(author=author.pk, cover_image=cover, cover_alt="")
        )
        token = refused.context["adminform"].form.data["cover_staged"]
        name = staged_uploads.name_of(token, owner=editor.pk)
    stamp = NOW.timestamp()
    os.utime(default_storage.path(name), (stamp, stamp))

    # 23 hours later the editor is still on the form: the sweep keeps the file.
    almost_a_day = NOW + timedelta(hours=23)
    assert staged_uploads.remove_stale(now=almost_a_day) == (0, 1)
    with time_machine.travel(almost_a_day, tick=False):
        saved = editor_client.post(
            add_url(),
            article_form(author=author.pk, cover_alt="A desk", cover_staged=token),
        )
    assert saved.status_code == 302
    assert Article.objects.get().cover_image.name.startswith("covers/")

    # Once its token has expired, the staged copy goes.
    assert staged_uploads.remove_stale(now=NOW + timedelta(hours=26)) == (1, 0)
    assert not default_storage.exists(name)
    assert Article.objects.get().cover_image.storage.exists(
        Article.objects.get().cover_image.name
    )


def test_nothing_staged_yet_is_nothing_to_do():
    assert staged_uploads.remove_stale(now=NOW) == (0, 0)


def test_the_sweep_works_on_object_storage(bucket):  # noqa: F811
    default_storage.save("staged/a.jpg", io.BytesIO(b"picture"))
    default_storage.save("covers/a.jpg", io.BytesIO(b"picture"))
    uploaded = default_storage.get_modified_time("staged/a.jpg")

    assert staged_uploads.remove_stale(now=uploaded + timedelta(hours=2)) == (0, 1)
    assert names_in(bucket) == {"staged/a.jpg", "covers/a.jpg"}

    assert staged_uploads.remove_stale(now=uploaded + timedelta(hours=26)) == (1, 0)
    assert names_in(bucket) == {"covers/a.jpg"}
