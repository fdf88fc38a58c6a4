"""Load the demo authors and articles from articles/demo/ (safe to run twice)."""

import hashlib
import io
import textwrap
import tomllib
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from taggit.models import Tag

from articles import read_more
from articles.images import make_renditions
from articles.models import RENDERED_FIELDS, Article, Author

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


def read_article(path: Path) -> tuple[dict, str]:
    _, front_matter, body = path.read_text(encoding="utf-8").split("+++", 2)
    return tomllib.loads(front_matter), body.strip() + "\n"


# Gradient pairs for generated covers: deep start, lighter end.
PALETTES = [
    ((11, 60, 93), (50, 142, 200)),
    ((7, 86, 74), (95, 208, 185)),
    ((74, 35, 90), (196, 113, 237)),
    ((120, 40, 31), (241, 143, 88)),
    ((28, 40, 65), (99, 132, 199)),
    ((91, 22, 56), (232, 93, 117)),
    ((33, 62, 36), (129, 199, 132)),
    ((62, 44, 16), (226, 170, 72)),
]
# Display names of the demo topics, keyed by slug.
TOPIC_NAMES = {
    "ai-in-the-job-search": "AI in the job search",
    "cvs-and-cover-letters": "CVs and cover letters",
}


def topic_name(slug: str) -> str:
    return TOPIC_NAMES.get(slug, slug.replace("-", " ").capitalize())


def palette(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    index = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % len(PALETTES)
    return PALETTES[index]


def cover_image(title: str, seed: str) -> bytes:
    """An abstract gradient cover with the title, drawn with Pillow."""
    width, height = 1600, 900
    start, end = palette(seed)
    gradient = (
        Image.linear_gradient("L").rotate(-35, expand=True).resize((width, height))
    )
    image = Image.composite(
        Image.new("RGB", (width, height), end),
        Image.new("RGB", (width, height), start),
        gradient,
    )
    draw = ImageDraw.Draw(image, "RGBA")
    for i in range(5):
        radius = 180 + i * 90
        draw.ellipse(
            (width - radius - 80 + i * 30, -radius // 3, width + radius // 2, radius),
            outline=(255, 255, 255, 40),
            width=6,
        )
    font = ImageFont.load_default(size=76)
    lines = textwrap.wrap(title, width=30)[:4]
    y = height - 120 - len(lines) * 92
    for line in lines:
        draw.text((100, y), line, font=font, fill=(255, 255, 255, 235))
        y += 92
    draw.rectangle((100, height - 96, 260, height - 88), fill=(255, 255, 255, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def portrait(name: str) -> bytes:
    size = 480
    start, end = palette(name)
    image = Image.new("RGB", (size, size), start)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.55, size * 0.55, size * 1.4, size * 1.4), fill=end)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    font = ImageFont.load_default(size=190)
    draw.text((size / 2, size / 2), initials, font=font, fill="white", anchor="mm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


class Command(BaseCommand):
    help = "Load the demo authors and articles. Running it again changes nothing."

    def handle(self, *args, **options):
        authors_data = tomllib.loads((DEMO_DIR / "authors.toml").read_text("utf-8"))
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        with transaction.atomic():
            authors = {
                data["slug"]: self.load_author(data) for data in authors_data["author"]
            }
            entries = [
                read_article(path) for path in sorted(DEMO_DIR.glob("articles/*.md"))
            ]
            created = 0
            articles = {}
            for meta, body in entries:
                article, was_created = self.load_article(meta, body, authors, now)
                articles[meta["slug"]] = article
                created += was_created
            for meta, _ in entries:
                article = articles[meta["slug"]]
                body, missing = read_more.normalise(
                    article.body, viewer=read_more.SYSTEM
                )
                if missing:
                    self.stderr.write(f"{meta['slug']}: unknown read-more {missing}")
                if body != article.body:
                    # Store the ids without counting as an editor's update.
                    article.body = body
                    article.render()
                    row = Article.objects.filter(pk=article.pk)
                    row.update(
                        body=body,
                        **{name: getattr(article, name) for name in RENDERED_FIELDS},
                    )
                    row.refresh_search_vectors()
                picked = [
                    articles[slug]
                    for slug in meta.get("related", [])
                    if slug in articles
                ]
                if picked and not article.related.exists():
                    article.related.set(picked)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {len(authors)} authors, {len(articles)} articles "
                f"({created} new)."
            )
        )

    def topic(self, slug: str) -> Tag:
        tag, _ = Tag.objects.get_or_create(
            slug=slug, defaults={"name": topic_name(slug)}
        )
        return tag

    def load_author(self, data: dict) -> Author:
        author, _ = Author.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "job_title": data.get("job_title", ""),
                "bio": data.get("bio", "").strip(),
            },
        )
        if not author.photo:
            author.photo.save(f"{author.slug}.jpg", ContentFile(portrait(author.name)))
            author.photo_renditions = make_renditions(
                author.photo.name, widths=(160, 320)
            )
            author.save(update_fields=["photo", "photo_renditions"])
        return author

    def load_article(self, meta, body, authors, now) -> tuple[Article, bool]:
        if Article.objects.filter(slug=meta["slug"]).exists():
            return Article.objects.get(slug=meta["slug"]), False
        status = meta.get("status", "published")
        article = Article(
            title=meta["title"],
            slug=meta["slug"],
            author=authors[meta["author"]],
            excerpt=meta.get("excerpt", ""),
            body=body,
            cover_alt=meta.get("cover_alt", ""),
            featured=meta.get("featured", False),
            status=(
                Article.Status.DRAFT if status == "draft" else Article.Status.PUBLISHED
            ),
            published_at=(
                None if status == "draft" else now - timedelta(days=meta["days_ago"])
            ),
        )
        article.cover_image.save(
            f"{article.slug}.jpg",
            ContentFile(cover_image(article.title, article.slug)),
            save=False,
        )
        article.cover_renditions = make_renditions(article.cover_image.name)
        article.save()
        article.tags.set([self.topic(slug) for slug in meta.get("topics", [])])
        return article, True
