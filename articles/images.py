"""Resized renditions of uploaded images, made once when an image changes.

The result is stored on the row as JSON, so pages need no query per image:
``{"jpeg": [[480, url], ...], "webp": [[480, url], ...], "fallback": url,
"width": w, "height": h}``.
"""

import io
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps


def make_renditions(name: str, *, widths=None, storage=default_storage) -> dict:
    """Write resized JPEG and WebP copies of the stored image ``name``."""
    widths = widths or settings.IMAGE_RENDITION_WIDTHS
    with storage.open(name, "rb") as handle, Image.open(handle) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    stem = PurePosixPath(name).with_suffix("")
    targets = sorted(
        {w for w in widths if w < image.width} | {min(image.width, max(widths))}
    )
    result = {"jpeg": [], "webp": []}
    for width in targets:
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        jpeg, webp = io.BytesIO(), io.BytesIO()
        resized.save(jpeg, "JPEG", quality=82, optimize=True, progressive=True)
        resized.save(webp, "WEBP", quality=78, method=4)
        for fmt, buffer, suffix in (("jpeg", jpeg, "jpg"), ("webp", webp, "webp")):
            rendition = f"renditions/{stem}-{width}w.{suffix}"
            if storage.exists(rendition):
                storage.delete(rendition)
            saved = storage.save(rendition, ContentFile(buffer.getvalue()))
            result[fmt].append([width, storage.url(saved)])
        result.setdefault("sizes", {})[width] = (
            len(jpeg.getvalue()),
            len(webp.getvalue()),
        )
    # WebP only where it is actually smaller than the JPEG it replaces.
    if any(jpg <= webp for jpg, webp in result.pop("sizes").values()):
        result["webp"] = []
    largest = targets[-1]
    result["fallback"] = min(result["jpeg"], key=lambda entry: abs(entry[0] - 800))[1]
    result["width"] = largest
    result["height"] = round(image.height * largest / image.width)
    return result
