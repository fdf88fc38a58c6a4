"""Load the demo authors and articles from articles/demo/ (safe to run twice)."""

import hashlib
import io
import tomllib
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from taggit.models import Tag

from articles import demo_library, read_more
from articles.images import COVER_RATIO, make_renditions
from articles.models import RENDERED_FIELDS, Article, Author, TopicDescription
from articles.related_ranking import related_refresh
from articles.services import article_write

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


def read_article(path: Path) -> tuple[dict, str]:
    _, front_matter, body = path.read_text(encoding="utf-8").split("+++", 2)
    return tomllib.loads(front_matter), body.strip() + "\n"


# Gradient pairs for generated covers: deep start, lighter end, and how the
# pair is described in the cover's alt text.
PALETTES = [
    ((11, 60, 93), (50, 142, 200), "deep navy to sky blue"),
    ((7, 86, 74), (95, 208, 185), "dark teal to mint"),
    ((74, 35, 90), (196, 113, 237), "plum to lilac"),
    ((120, 40, 31), (241, 143, 88), "brick red to apricot"),
    ((28, 40, 65), (99, 132, 199), "midnight blue to cornflower"),
    ((91, 22, 56), (232, 93, 117), "burgundy to coral pink"),
    ((33, 62, 36), (129, 199, 132), "forest green to sage"),
    ((62, 44, 16), (226, 170, 72), "dark bronze to amber"),
]
# Display names of the demo topics, keyed by slug.
TOPIC_NAMES = {
    "ai-in-the-job-search": "AI in the job search",
    "cvs-and-cover-letters": "CVs and cover letters",
}


# What each demo topic's page says about it (editable in the admin).
TOPIC_DESCRIPTIONS = {
    "ai-in-the-job-search": "Where AI tools save a job seeker time, where they "
    "backfire, and how recruiters read what they produce.",
    "career-change": "Moving into a new field without starting from zero: testing "
    "the idea, retraining and telling the story.",
    "cvs-and-cover-letters": "Documents that get read: CV bullets with results, "
    "letters that sound like a person, and getting past screening software.",
    "interviews": "Preparing for the questions that always come, asking good ones "
    "back, and learning from every round.",
    "job-search": "Running a search like a project: where roles come from, how to "
    "pace yourself and how to spot a bad offer.",
    "managers-and-feedback": "Working well with the person you report to: "
    "one-on-ones, feedback in both directions and making your case.",
    "networking": "Meeting people in your field without the awkwardness: warm "
    "messages, small asks and keeping in touch.",
    "rejection-and-resilience": "What to do after a no, how to keep going through "
    "a long search, and when to rest.",
    "remote-work": "Starting, staying visible and growing in a job where your team "
    "is mostly on a screen.",
    "salary-negotiation": "Knowing your number, saying it at the right moment and "
    "negotiating the whole package.",
    "side-income": "Freelance work and small projects next to a job: finding "
    "clients, contracts, tax and time.",
    "tech-careers": "Ways into technical roles for people coming from elsewhere, "
    "and what each path asks of you.",
}


def topic_name(slug: str) -> str:
    return TOPIC_NAMES.get(slug, slug.replace("-", " ").capitalize())


def _pick(seed: str, salt: str, count: int) -> int:
    return int(hashlib.sha256(f"{salt}:{seed}".encode()).hexdigest()[:8], 16) % count


def palette(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int], str]:
    return PALETTES[_pick(seed, "palette", len(PALETTES))]


# Decorative shapes in pale white over the gradient; no text, since a cover
# that repeats the headline says it twice and cannot be read when cropped.
LINE = (255, 255, 255, 70)
FILL = (255, 255, 255, 46)


def _rings(draw, w, h):
    for i in range(6):
        r = 140 + i * 85
        draw.ellipse(
            (w - 260 - r, 220 - r, w - 260 + r, 220 + r), outline=LINE, width=6
        )


def _bars(draw, w, h):
    for i, length in enumerate((0.62, 0.44, 0.78, 0.35, 0.55)):
        y = 190 + i * 112
        draw.rounded_rectangle((140, y, 140 + w * length, y + 56), 28, fill=FILL)


def _dots(draw, w, h):
    for row in range(7):
        for col in range(13):
            x, y = 170 + col * 108, 150 + row * 100
            draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=LINE)


def _horizon(draw, w, h):
    draw.ellipse((w * 0.58, h * 0.18, w * 0.58 + 300, h * 0.18 + 300), fill=FILL)
    draw.line((0, h * 0.66, w, h * 0.66), fill=LINE, width=6)


def _network(draw, w, h):
    points = [(260, 620), (520, 300), (820, 520), (1080, 220), (1340, 460), (980, 760)]
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        draw.line((x1, y1, x2, y2), fill=LINE, width=4)
    for x, y in points:
        draw.ellipse((x - 26, y - 26, x + 26, y + 26), fill=(255, 255, 255, 120))


def _squares(draw, w, h):
    for i, (x, y) in enumerate([(980, 180), (1140, 300), (900, 420), (1090, 540)]):
        size = 230 - i * 18
        draw.rounded_rectangle((x, y, x + size, y + size), 26, fill=FILL, outline=LINE)


MOTIFS = [
    (_rings, "concentric rings in the top right corner"),
    (_bars, "pale horizontal bars of different lengths"),
    (_dots, "an even grid of small pale dots"),
    (_horizon, "a pale sun above a thin horizon line"),
    (_network, "pale dots joined by thin lines into a network"),
    (_squares, "a cluster of overlapping pale rounded squares"),
]


def cover_alt(seed: str) -> str:
    """What the cover drawn for ``seed`` shows, for its alt text."""
    *_, colours = palette(seed)
    _, shapes = MOTIFS[_pick(seed, "motif", len(MOTIFS))]
    return f"Abstract cover: a light diagonal band, {colours}, with {shapes}"


def cover_image(seed: str) -> bytes:
    """A decorative gradient cover drawn with Pillow: shapes, no text."""
    width, height = 1600, 900
    start, end, _ = palette(seed)
    gradient = (
        Image.linear_gradient("L").rotate(-35, expand=True).resize((width, height))
    )
    image = Image.composite(
        Image.new("RGB", (width, height), end),
        Image.new("RGB", (width, height), start),
        gradient,
    )
    draw_motif, _ = MOTIFS[_pick(seed, "motif", len(MOTIFS))]
    draw_motif(ImageDraw.Draw(image, "RGBA"), width, height)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def portrait(name: str) -> bytes:
    size = 480
    start, end, _ = palette(name)
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
            library = demo_library.demo_images()
            entries = [
                (meta, demo_library.place(body, library))
                for meta, body in map(
                    read_article, sorted(DEMO_DIR.glob("articles/*.md"))
                )
            ]
            created = 0
            articles = {}
            for meta, body in entries:
                article, was_created = self.load_article(meta, body, authors, now)
                articles[meta["slug"]] = article
                created += was_created
            for meta, _ in entries:
                article = articles[meta["slug"]]
                # Written before their targets existed: resolve them now,
                # without counting as an editor's update.
                refs = set(read_more.references(article.body))
                if not refs <= article.read_more_refs.keys():
                    self.link_read_more(article)
                picked = [
                    articles[slug]
                    for slug in meta.get("related", [])
                    if slug in articles
                ]
                if picked and not article.related.exists():
                    article.related.set(picked)
            # Ranked here, not left to the worker: the demo is complete as
            # soon as it is loaded (a page never ranks a list itself).
            related_refresh(article_ids=[article.pk for article in articles.values()])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {len(authors)} authors, {len(articles)} articles "
                f"({created} new)."
            )
        )

    def link_read_more(self, article: Article) -> None:
        missing = read_more.link_article(article, viewer=read_more.SYSTEM)
        if missing:
            self.stderr.write(f"{article.slug}: unknown read-more {missing}")
        article.render()
        row = Article.objects.filter(pk=article.pk)
        row.update(
            read_more_refs=article.read_more_refs,
            **{name: getattr(article, name) for name in RENDERED_FIELDS},
        )
        article.reads_more.set(set(article.read_more_refs.values()))
        row.refresh_search_vectors()

    def topic(self, slug: str) -> Tag:
        tag, _ = Tag.objects.get_or_create(
            slug=slug, defaults={"name": topic_name(slug)}
        )
        if slug in TOPIC_DESCRIPTIONS:
            TopicDescription.objects.get_or_create(
                tag=tag, defaults={"description": TOPIC_DESCRIPTIONS[slug]}
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
            cover_alt=cover_alt(meta["slug"]),
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
            ContentFile(cover_image(article.slug)),
            save=False,
        )
        article.cover_renditions = make_renditions(
            article.cover_image.name,
            ratio=COVER_RATIO,
            focal=article.cover_focal_point,
        )
        article_write(article=article)
        article.tags.set([self.topic(slug) for slug in meta.get("topics", [])])
        return article, True
