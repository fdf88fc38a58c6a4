import time

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.related_ranking import related_refresh

BATCH = 200


class Command(BaseCommand):
    help = (
        "Rank every article's related list again (saving an article does it "
        "for that one). Run after an upgrade, or from cron to let older "
        "articles pick up newer ones sharing their topics."
    )

    def handle(self, *args, **options):
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        started = time.monotonic()
        for first in range(0, len(ids), BATCH):
            related_refresh(article_ids=ids[first : first + BATCH])
            done = min(first + BATCH, len(ids))
            elapsed = time.monotonic() - started
            eta = elapsed / done * (len(ids) - done)
            self.stdout.write(
                f"{done:,}/{len(ids):,} ranked "
                f"({elapsed:.0f} s, about {eta:.0f} s left)"
            )
        self.stdout.write(
            f"Ranked the related lists of {len(ids):,} articles "
            f"in {time.monotonic() - started:.0f} s."
        )
