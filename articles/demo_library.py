"""The demo's media library (``load_demo``): two images drawn with Pillow and
placed in demo articles, whose Markdown names them by key,
``[[image:{key}]]``, until their ids are known."""

import io
import re

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from . import images, services
from .models import MediaImage

PLACEHOLDER = re.compile(r"\[\[image:\{([a-z-]+)\}\]\]")
# Where the demo's (invented) survey says people found their last role.
SOURCES = [("Someone they knew", 46), ("Job boards", 24), ("Recruiters", 18),
           ("Company sites", 12)]  # fmt: skip
DEMO_IMAGES = {
    "contacts-chart": {
        "title": "Chart: where people found their last role",
        "alt": "Bar chart: 46% found their last role through someone they knew, "
        "24% through job boards, 18% through recruiters, 12% on company sites",
        "caption": "Where readers of our demo survey found their last role.",
        "credit": "Chart: CareerHub demo data",
    },
    "three-a-week": {
        "title": "Note card: three people a week",
        "alt": "A note card listing three names to contact this week, each "
        "with a short reason to get in touch",
        "caption": "",
        "credit": "",
    },
}


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _chart() -> bytes:
    width, height = 1600, 900
    image = Image.new("RGB", (width, height), (251, 250, 247))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for row, (label, share) in enumerate(SOURCES):
        top = 120 + row * 180
        draw.text((80, top + 40), label, font=font, fill=(29, 35, 48), anchor="lm")
        right = 560 + int(share / 50 * 880)
        draw.rounded_rectangle((560, top, right, top + 90), 14, fill=(11, 110, 95))
        draw.text((right + 24, top + 45), f"{share}%", font=font,
                  fill=(29, 35, 48), anchor="lm")  # fmt: skip
    return _png(image)


def _note_card() -> bytes:
    width, height = 1200, 800
    image = Image.new("RGB", (width, height), (226, 243, 239))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((120, 90, 1080, 710), 28, fill="white")
    font = ImageFont.load_default(size=52)
    lines = [
        "This week:",
        "1. Priya: ask about her new team",
        "2. Tom: thank him for the intro",
        "3. Ines: share the article",
    ]
    for number, line in enumerate(lines):
        draw.text((190, 180 + number * 120), line, font=font, fill=(29, 35, 48))
    return _png(image)


DRAWINGS = {"contacts-chart": _chart, "three-a-week": _note_card}


def demo_images() -> dict[str, MediaImage]:
    """The demo's library images by key, made once (found by title after)."""
    found = {}
    for key, fields in DEMO_IMAGES.items():
        image = MediaImage.objects.filter(title=fields["title"]).first()
        if image is None:
            image = MediaImage(**fields)
            upload = ContentFile(DRAWINGS[key](), name=f"{key}.png")
            image.image.save(upload.name, upload, save=False)
            image.renditions = images.make_renditions(
                image.image.name, formats=images.modern_formats("avif", "webp")
            )
            services.media_image_save(image=image)
        found[key] = image
    return found


def place(body: str, library: dict[str, MediaImage]) -> str:
    """Demo Markdown with each ``[[image:{key}]]`` given the image's id."""
    return PLACEHOLDER.sub(lambda m: library[m.group(1)].reference_line, body)
