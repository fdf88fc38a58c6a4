"""Resized renditions of uploaded images, made once when an image changes.

The result is stored on the row as JSON, so pages need no query per image:
``{"jpeg": [[480, name], ...], "webp": [[480, name], ...], "fallback": name,
"width": w, "height": h, "names": [...]}``. Storage names, not URLs, are kept:
URLs are made when a page is rendered (``rendition_urls``), so a new MEDIA_URL
or object storage with expiring signed URLs needs no regeneration.
"""

import io
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> what editors call it, and the file name endings for it.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"
PHOTO_WIDTHS = (160, 320)


def upload_help_text() -> str:
    """What an upload field accepts, in the words the refusals use."""
    return (
        f"JPEG, PNG or WebP, up to {filesizeformat(settings.IMAGE_MAX_BYTES)} and "
        f"{_megapixels(settings.IMAGE_MAX_PIXELS)} megapixels. Location and camera "
        "details are removed; the site serves resized copies."
    )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.3g}"


def _too_many_pixels(size=None) -> ValidationError:
    limit = _megapixels(settings.IMAGE_MAX_PIXELS)
    found = (
        f"This image is {size[0]} × {size[1]} pixels "
        f"({_megapixels(size[0] * size[1])} megapixels)"
        if size
        else "This image has far too many pixels to open"
    )
    return ValidationError(
        f"{found}; images can be at most {limit} megapixels. "
        "Resize it and upload it again.",
        code="image_too_many_pixels",
    )


def _damaged() -> ValidationError:
    return ValidationError(
        "This image file is incomplete or damaged, so it cannot be shown. "
        "Export it again from your image editor and upload the new file.",
        code="image_damaged",
    )


def _open_header(upload) -> Image.Image:
    """The image as Pillow reads it from its header (no pixel decoded yet)."""
    try:
        return Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ValidationError(
            "This file is not a JPEG, PNG or WebP image. Save it in one of "
            "those formats and upload it again.",
            code="image_unknown_type",
        ) from None
    except Exception:  # Pillow raises many kinds on broken headers.
        raise _damaged() from None


def _check_format(image: Image.Image, name: str | None) -> None:
    """An accepted format, named with an ending that matches it."""
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            f"This is a {image.format} image; only JPEG, PNG or WebP images "
            "are accepted. Save it in one of those formats and upload it again.",
            code="image_unknown_type",
        )
    suffix = PurePosixPath(name or "").suffix.lower().lstrip(".")
    if EXTENSIONS.get(suffix) != image.format:
        ending = f"“.{suffix}”" if suffix else "no ending such as .jpg"
        kind = ACCEPTED_FORMATS[image.format]
        raise ValidationError(
            f"The file name has {ending} but the file is a {kind} image. "
            f"Rename it to end in .{image.format.lower().replace('jpeg', 'jpg')} "
            "and upload it again.",
            code="image_type_mismatch",
        )


def check_upload(upload) -> Image.Image:
    """Open an uploaded image, refusing anything the site should not store.

    Refuses, with a message an editor can act on: files over
    ``IMAGE_MAX_BYTES``; anything but JPEG, PNG or WebP (judged by content,
    not by name); a name whose ending does not match the content; more than
    ``IMAGE_MAX_PIXELS`` pixels (decompression bombs included, checked from
    the header before any pixel is decoded); truncated or corrupt files.
    Returns the fully decoded image.
    """
    if upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; images can be at most "
            f"{filesizeformat(settings.IMAGE_MAX_BYTES)}. Export a smaller version "
            "and upload it again.",
            code="image_too_large",
        )
    upload.seek(0)
    # No warnings.catch_warnings() here: it changes process-wide state and is
    # not thread-safe. Where warnings are errors (tests), Pillow's bomb warning
    # arrives as an exception, caught by _open_header; elsewhere it is only logged
    # and the pixel check that follows refuses the image.
    image = _open_header(upload)
    _check_format(image, upload.name)
    if image.width * image.height > settings.IMAGE_MAX_PIXELS:
        raise _too_many_pixels(image.size)
    try:
        image.load()  # Decodes every pixel: finds truncated files.
    except Exception:
        raise _damaged() from None
    return image


def clean_upload(upload) -> ContentFile:
    """A checked upload re-encoded without metadata (EXIF, GPS, XMP, comments).

    The orientation recorded by the camera is applied to the pixels first, so
    the picture stays upright once the EXIF tag is gone.
    """
    image = check_upload(upload)
    fmt = image.format
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # Unreadable EXIF: keep the pixels as they are.
        image = image.copy()
    # Keep only what affects how the pixels look.
    kept = {key: image.info.get(key) for key in ("icc_profile", "transparency")}
    image.info = {key: value for key, value in kept.items() if value is not None}
    params = {"icc_profile": image.info.get("icc_profile")}
    if fmt == "JPEG":
        if image.mode not in {"RGB", "L", "CMYK"}:
            image = image.convert("RGB")
        params.update(quality=90, optimize=True)
    elif fmt == "WEBP":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA")
        params.update(quality=90)
    elif "transparency" in image.info:
        params["transparency"] = image.info["transparency"]
    out = io.BytesIO()
    image.save(out, fmt, **{k: v for k, v in params.items() if v is not None})
    return ContentFile(out.getvalue(), name=PurePosixPath(upload.name).name)


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels, with transparent areas on white rather than black."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in {"RGBA", "LA", "PA"}:
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


# Covers are shown 16:9 on the article page and on cards.
COVER_RATIO = 16 / 9
CENTRE = (0.5, 0.5)


def crop_box(
    size: tuple[int, int], ratio: float, focal: tuple[float, float] = CENTRE
) -> tuple[int, int, int, int]:
    """The largest box of ``ratio`` (width / height) inside ``size`` that keeps
    the focal point (fractions across and down) as central as the edges allow.

    The one crop rule: renditions use it, and the focal point's horizontal
    position (``focus_class``) tells the CSS crops of narrower cards the same.
    """
    width, height = size
    fx, fy = (min(max(float(value), 0.0), 1.0) for value in focal)
    if width / height > ratio:  # too wide: cut the sides
        new_w, new_h = round(height * ratio), height
    else:  # too tall: cut top and bottom
        new_w, new_h = width, round(width / ratio)
    left = min(max(round(fx * width - new_w / 2), 0), width - new_w)
    top = min(max(round(fy * height - new_h / 2), 0), height - new_h)
    return (left, top, left + new_w, top + new_h)


def focus_class(focal: tuple[float, float]) -> str:
    """A CSS class placing crops of the image on its focal point, in tenths
    across (no inline style: the content security policy forbids it)."""
    fx = min(max(float(focal[0]), 0.0), 1.0)
    return f"focus-x-{round(fx * 10) * 10}"


# Formats besides the JPEG every browser reads: how each is written. AVIF
# (Pillow 11.3+ with libavif) at encoder speed 8: 0.25 s for 1600 px wide,
# where speed 6 takes 1.3 s for a file a quarter smaller.
MODERN_FORMATS = {
    "webp": ("WEBP", "webp", {"quality": 78, "method": 4}),
    "avif": ("AVIF", "avif", {"quality": 60, "speed": 8}),
}


def modern_formats(*wanted: str) -> tuple[str, ...]:
    """The ``wanted`` formats this Pillow can write (AVIF needs libavif)."""
    from PIL import features

    return tuple(fmt for fmt in wanted if fmt == "webp" or features.check(fmt))


def _save_rendition(
    resized: Image.Image, base: str, storage, formats=("webp",)
) -> tuple[dict, dict]:
    """Store one width as ``base``.jpg and one file per modern format,
    replacing any copy: the stored names by format, and for each modern
    format whether it is smaller than the JPEG."""
    buffers = {"jpeg": io.BytesIO()}
    resized.save(buffers["jpeg"], "JPEG", quality=82, optimize=True, progressive=True)
    for fmt in formats:
        pillow_name, _, params = MODERN_FORMATS[fmt]
        buffers[fmt] = io.BytesIO()
        resized.save(buffers[fmt], pillow_name, **params)
    saved = {}
    for fmt, buffer in buffers.items():
        suffix = "jpg" if fmt == "jpeg" else MODERN_FORMATS[fmt][1]
        rendition = f"{base}.{suffix}"
        if storage.exists(rendition):
            storage.delete(rendition)
        saved[fmt] = storage.save(rendition, ContentFile(buffer.getvalue()))
    jpeg_size = len(buffers["jpeg"].getvalue())
    return saved, {fmt: len(buffers[fmt].getvalue()) < jpeg_size for fmt in formats}


def make_renditions(
    name: str,
    *,
    widths=None,
    ratio: float | None = None,
    focal: tuple[float, float] = CENTRE,
    storage=default_storage,
    formats: tuple[str, ...] = ("webp",),
) -> dict:
    """Write resized JPEG copies of the stored image ``name`` and, beside
    them, copies in the modern ``formats`` (WebP; AVIF where asked).

    One copy per width below the image's own (never enlarged), plus the
    largest one the image allows. A modern format is offered only when each
    of its copies is smaller than the JPEG (one srcset: all or none). With
    ``ratio``, the image is first cropped to it around ``focal``.
    """
    widths = widths or settings.IMAGE_RENDITION_WIDTHS
    with storage.open(name, "rb") as handle, Image.open(handle) as original:
        image = _flattened(ImageOps.exif_transpose(original))
    if ratio is not None:
        image = image.crop(crop_box(image.size, ratio, focal))
    stem = PurePosixPath(name).with_suffix("")
    targets = sorted(
        {w for w in widths if w < image.width} | {min(image.width, max(widths))}
    )
    kinds = ("jpeg", *formats)
    result = {fmt: [] for fmt in kinds}
    larger = set()
    for width in targets:
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        saved, smaller = _save_rendition(
            resized, f"renditions/{stem}-{width}w", storage, formats
        )
        larger |= {fmt for fmt in formats if not smaller[fmt]}
        for fmt in kinds:
            result[fmt].append([width, saved[fmt]])
    for fmt in larger:
        for _, saved_name in result[fmt]:
            storage.delete(saved_name)
        result[fmt] = []
    result.setdefault("webp", [])
    largest = targets[-1]
    result["fallback"] = min(result["jpeg"], key=lambda entry: abs(entry[0] - 800))[1]
    result["width"] = largest
    result["height"] = round(image.height * largest / image.width)
    # Stored names, so the files can be removed when the image changes.
    result["names"] = [stored for fmt in kinds for _, stored in result[fmt]]
    return result


def _url(name: str, storage) -> str:
    # Rows written before names were stored hold URLs already.
    if name.startswith(("/", "http://", "https://")):
        return name
    return storage.url(name)


def rendition_urls(renditions: dict, *, storage=default_storage) -> dict:
    """The stored renditions with URLs in place of storage names, and each
    format's ``srcset`` (``jpeg_srcset``...), as articles/_picture.html
    writes them."""
    if not (renditions or {}).get("jpeg"):
        return {}
    urls = {
        kind: [[width, _url(name, storage)] for width, name in renditions.get(kind, [])]
        for kind in ("jpeg", "webp", "avif")
    }
    return {
        **urls,
        **{
            f"{kind}_srcset": ", ".join(f"{url} {width}w" for width, url in sizes)
            for kind, sizes in urls.items()
        },
        "fallback": _url(renditions["fallback"], storage),
        "width": renditions.get("width"),
        "height": renditions.get("height"),
    }


def delete_renditions(renditions: dict, *, storage=default_storage) -> None:
    """Remove the files of renditions that are no longer used."""
    for name in (renditions or {}).get("names", []):
        storage.delete(name)
