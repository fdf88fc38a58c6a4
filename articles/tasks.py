"""Article work done by the task worker: resized copies of uploaded images
and related lists ranked after a change (see articles/related.py).

Making the renditions of a large photo takes seconds (measured: 1.4 s for a
6000 x 4000 JPEG), so the editor's save only stores the upload and enqueues
this. Until it has run, pages show the uploaded image itself (never the
previous image's copies, which the save clears).
"""

from django.tasks import task
from django.utils import timezone

from . import images
from .changes import content_updated
from .models import Article, Author, MediaImage
from .related_ranking import related_refresh

# What each kind of image is stored in: model, image field, renditions field,
# widths (None: IMAGE_RENDITION_WIDTHS), the ratio copies are cut to (None: as
# uploaded).
IMAGES = {
    "cover": (Article, "cover_image", "cover_renditions", None, images.COVER_RATIO),
    "photo": (Author, "photo", "photo_renditions", images.PHOTO_WIDTHS, None),
    "figure": (MediaImage, "image", "renditions", None, None),
}
# Library images are shown large in bodies: AVIF too, where Pillow writes it.
FORMATS = {"figure": images.modern_formats("avif", "webp")}


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
    renditions = images.make_renditions(
        name,
        widths=widths,
        ratio=ratio,
        focal=focal,
        formats=FORMATS.get(kind, ("webp",)),
    )
    changes = {renditions_field: renditions}
    if model is Article:
        changes["modified_at"] = timezone.now()  # pages and feeds change
    if not current.update(**changes):
        images.delete_renditions(renditions)
        return "image replaced meanwhile"
    # An update sends no model signal: pages show the copies.
    content_updated.send(sender=model, pks=[pk])
    return f"{len(renditions['names'])} renditions"


@task()
def rank_related(*, article_ids: list[int]) -> str:
    """Rank the related lists of these articles (enqueued once per change by
    ``related.related_refresh_later``); pages showing them change at once."""
    changed = related_refresh(article_ids=article_ids)
    if changed:
        # An update sends no model signal; only these articles' pages change.
        content_updated.send(sender=Article, pages_of=article_ids)
    return f"{len(article_ids)} ranked, {changed} changed"
