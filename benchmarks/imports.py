"""Import a Mailchimp export of N rows through the real path and print its
cost: rows per second, seconds, and the process's memory as it goes.

    make bench-import                  # 100,000 rows
    make bench-import ROWS=20000

PostgreSQL (DATABASE_URL) in a scratch database next to the configured one
(``<name>_import_bench``), created, migrated and dropped here. The file is a
Mailchimp "subscribed" export written to a temporary folder: 85% of rows
with an opt-in record, 10% without (pending: their confirmation tasks are
enqueued, not run), 3% duplicates in another case, 2% invalid; 5,000
addresses are already known (some unsubscribed). It runs the dry run, then
the import task, then the import of the same file again (must change
nothing), in this process; a thread prints progress and samples the
resident memory.
"""

import argparse
import csv
import os
import random
import resource
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
KNOWN = 5000
HEADER = ["Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME"]
HEADER += ["OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE"]
HEADER += ["GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID"]
HEADER += ["EUID", "NOTES", "TAGS"]


def scratch_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("bench-import needs PostgreSQL: set DATABASE_URL=postgres://...")
    return urlunsplit(parts._replace(path=parts.path + "_import_bench"))


def admin_sql(url: str, *statements: str) -> None:
    """CREATE/DROP DATABASE, run from the server's maintenance database."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def write_export(path: Path, rows: int, tags: list[str]) -> None:
    rng = random.Random(22)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(rows):
            roll = rng.random()
            email = f"reader{n}@example.com"
            if roll < 0.02:
                email = f"not an address {n}"
            elif roll < 0.05 and n:
                email = f"READER{rng.randrange(n)}@EXAMPLE.com"
            optin = "" if 0.05 <= roll < 0.15 else "2024-03-01 10:00:00"
            chosen = rng.sample(tags, k=min(2, len(tags))) if tags else []
            writer.writerow(
                [email, "Ana", "Lima", "2", optin, "203.0.113.7", optin,
                 "203.0.113.7", "51.5", "-0.12", "0", "1", "Europe/London", "GB",
                 "", "2024-05-02 09:14:11", str(n), secrets.token_hex(5), "",
                 ",".join(f'"{tag}"' for tag in chosen + ["Old campaign"])]
            )  # fmt: skip


class Watcher(threading.Thread):
    """Prints the import's progress every 2 s and keeps the memory samples."""

    def __init__(self, pk: int, started: float):
        super().__init__(daemon=True)
        self.pk, self.started = pk, started
        self.stop = threading.Event()
        self.samples: list[tuple[int, float]] = []

    def run(self):
        from django.db import connection

        from subscriber_imports.models import SubscriberImport

        while not self.stop.wait(2):
            row = SubscriberImport.objects.filter(pk=self.pk).first()
            if row is None or not row.total_rows:
                continue
            elapsed = time.perf_counter() - self.started
            rate = row.rows_done / elapsed if elapsed else 0
            left = (row.total_rows - row.rows_done) / rate if rate else 0
            self.samples.append((row.rows_done, rss_mb()))
            print(
                f"  imported {row.rows_done:,}/{row.total_rows:,} rows "
                f"({rate:,.0f}/s, about {left:.0f} s left, RSS {rss_mb():.0f} MB)",
                flush=True,
            )
        connection.close()


def timed_import(path: Path, user, statement: str = ""):
    """Dry run, go-ahead, import; returns (import, dry seconds, import seconds)."""
    from django.core.files import File

    from subscriber_imports import run
    from subscriber_imports.models import SubscriberImport

    source = SubscriberImport(uploaded_by=user, file_name=path.name)
    with path.open("rb") as handle:
        source.file.save("bench.csv", File(handle), save=True)
    started = time.perf_counter()
    run.dry_run_import.call(import_id=source.pk)
    dry = time.perf_counter() - started
    source.refresh_from_db()
    run.import_start(source=source)
    watcher = Watcher(source.pk, time.perf_counter())
    watcher.start()
    started = time.perf_counter()
    run.run_import.call(import_id=source.pk)
    seconds = time.perf_counter() - started
    watcher.stop.set()
    watcher.join()
    source.refresh_from_db()
    return source, dry, seconds, watcher.samples


def seed(count: int) -> None:
    from newsletter.models import Subscriber

    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"Reader{n * 7}@example.com",
            status="unsubscribed" if n % 5 == 0 else "confirmed",
            consent_version="2026-06",
        )
        for n in range(count)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    configured = os.environ.get("DATABASE_URL", "")
    scratch = scratch_url(configured)
    name = urlsplit(scratch).path.lstrip("/")
    print(f"Import benchmark: {rows:,} rows, database {name}", flush=True)
    admin_sql(
        configured, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'
    )
    folder = Path(tempfile.mkdtemp(prefix="careerhub-import-bench-"))
    os.environ.update(
        DATABASE_URL=scratch,
        DJANGO_SETTINGS_MODULE="careerhub.settings",
        PRIVATE_ROOT=str(folder / "private"),
        LOG_LEVEL="WARNING",
        # As in production: no SQL kept in memory for the debug page.
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://careerhub.example",
        EMAIL_URL="smtp://127.0.0.1:2525?tls=0",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from taggit.models import Tag

    from newsletter.models import Subscriber

    try:
        print("  migrating the scratch database ...", flush=True)
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        seed(KNOWN)
        path = folder / "subscribed_members_export.csv"
        write_export(path, rows, list(Tag.objects.values_list("name", flat=True)))
        size = path.stat().st_size / 2**20
        print(f"  wrote {path.name}: {size:.1f} MB; RSS {rss_mb():.0f} MB", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        source, dry, seconds, samples = timed_import(path, None)
        counts = source.counts
        print(f"  dry run: {dry:.1f} s ({rows / dry:,.0f} rows/s)")
        print(f"  import: {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
        print(f"  outcomes: {counts}")
        print(f"  RSS by rows done: {[(d, round(m)) for d, m in samples]} MB")
        before = Subscriber.objects.count()
        again, dry2, seconds2, _ = timed_import(path, None)
        changed = Subscriber.objects.count() - before
        print(f"  same file again: {seconds2:.1f} s, {changed} subscriber(s) added")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = "PASS" if seconds < 60 and not changed else "FAIL"
        print(
            f"{verdict}: {rows:,} rows imported in {seconds:.1f} s "
            f"({rows / seconds:,.0f} rows/s; dry run {dry:.1f} s), peak RSS "
            f"{peak:.0f} MB, re-import added {changed}"
        )
    finally:
        connection.close()
        admin_sql(configured, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
