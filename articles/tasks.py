"""Article work done by the task worker: resized copies of uploaded images,
related lists ranked after a change (see articles/related.py), and removing
the covers kept across validation errors once they expire.

Making the renditions of a large photo takes seconds (measured: 1.4 s for a
6000 x 4000 JPEG), so the editor's save only stores the upload and enqueues
this. Until it has run, pages show the uploaded image itself (never the
previous image's copies, which the save clears).
"""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from taskqueue.policy import recurring, run_again

from . import images, pagecache, staged_uploads
from .models import Article, Author
from .related_ranking import related_refresh

# What each kind of image is stored in: model, image field, renditions field,
# widths (None: IMAGE_RENDITION_WIDTHS), the ratio copies are cut to (None: as
# uploaded).
IMAGES = {
    "cover": (Article, "cover_image", "cover_renditions", None, images.COVER_RATIO),
    "photo": (Author, "photo", "photo_renditions", images.PHOTO_WIDTHS, None),
}


@task()
def make_image_renditions(*, kind: str, pk: int, name: str) -> str:
    """Make the renditions of image ``name`` if it is still the current one.

    Running it again makes the same files again (same names), so a retry is
    safe; an image replaced meanwhile is left to its own task.
    """
    model, image_field, renditions_field, widths, ratio = IMAGES[kind]
    current = model.objects.filter(pk=pk, **{image_field: name})
    obj = current.first()
    if obj is None:
        return "image replaced or removed"
    # The focal point as it is now: a later change enqueues its own run.
    focal = obj.cover_focal_point if ratio else images.CENTRE
    renditions = images.make_renditions(name, widths=widths, ratio=ratio, focal=focal)
    changes = {renditions_field: renditions}
    if model is Article:
        changes["modified_at"] = timezone.now()  # pages and feeds change
    if not current.update(**changes):
        images.delete_renditions(renditions)
        return "image replaced meanwhile"
    pagecache.invalidate()  # an update sends no signal: pages show the copies
    return f"{len(renditions['names'])} renditions"


@task()
def rank_related(*, article_ids: list[int]) -> str:
    """Rank the related lists of these articles (enqueued once per change by
    ``related.related_refresh_later``); pages showing them change at once."""
    changed = related_refresh(article_ids=article_ids)
    if changed:
        pagecache.invalidate()  # an update sends no signal
    return f"{len(article_ids)} ranked, {changed} changed"


# Staged covers live a day (staged_uploads.REMOVE_AFTER): an hourly sweep
# keeps the folder to about a day's worth.
STAGED_SWEEP_EVERY = timedelta(hours=1)


@recurring
@task()
def remove_stale_staged_uploads() -> str:
    """Every STAGED_SWEEP_EVERY: delete the staged covers no form can use."""
    now = timezone.now()
    run_again(remove_stale_staged_uploads, after=STAGED_SWEEP_EVERY, now=now)
    removed, kept = staged_uploads.remove_stale(now=now)
    return f"{removed} staged upload(s) removed, {kept} kept"
