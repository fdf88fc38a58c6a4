"""Send one digest to N subscribers through the real path and print its cost.

    make bench-digest                      # 10,000 then 100,000 subscribers
    make bench-digest SUBSCRIBERS=100000   # one size

PostgreSQL only (DATABASE_URL). Works in a scratch database next to the
configured one (``<name>_digest_bench``), created, migrated and dropped here.
Subscribers are bulk-inserted; a local aiosmtpd sink on a free loopback port
(its own process) receives the mail; the sender is a fresh process running
``edition_send`` with SMTP to the sink and batches of 200, so its CPU time and
peak memory are its own. Database work is read from PostgreSQL's statistics
views, in all and per table, and per query template from a sample of the
sender's statements (one in ten, see QueryRows); duplicates and missing mails
are counted from what the sink received.
"""

import argparse
import itertools
import multiprocessing
import os
import re
import secrets
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
INSERT_CHUNK = 5000
BATCH_SIZE = 200
UNSUBSCRIBE_LINK = re.compile(rb"List-Unsubscribe: <[^>]*/unsubscribe/([^/>]+)/>")
SUBJECT = re.compile(rb"^Subject: (.*?)\r?$", re.MULTILINE)


# The mail sink (its own process) ---------------------------------------------
def run_sink(port, ready, stop, received_count, results):
    from aiosmtpd.controller import Controller

    received = Counter()
    links = {}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            (to,) = envelope.rcpt_tos
            subject = SUBJECT.search(envelope.content)
            received[(subject.group(1).decode() if subject else "", to)] += 1
            match = UNSUBSCRIBE_LINK.search(envelope.content)
            links[to] = match.group(1).decode() if match else ""
            with received_count.get_lock():
                received_count.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.send((received, links, time.process_time()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Rows read per query template (sampled in the sender) --------------------------
SAMPLE_EVERY = 10  # measure one call in ten of each template, from the first
ROWS_IN_TRANSACTION = (
    "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)"
    " FROM pg_stat_xact_user_tables"
)
LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b|%s|%\(\w+\)s")
WORK = ("SELECT", "UPDATE", "INSERT", "DELETE", "WITH")
IN_LISTS = re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)")


def query_template(sql: str) -> str:
    """The statement with its values taken out (one key per query shape)."""
    return " ".join(IN_LISTS.sub("(...)", LITERALS.sub("?", sql)).split())


class QueryRows:
    """Counts each template's calls, and the rows a sample of them read.

    A sampled call runs in a transaction (its own, or the one it is in) and
    reads PostgreSQL's per-transaction table statistics before and after it:
    rows read by sequential scans plus rows fetched by index scans, as in
    pg_stat_user_tables.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = Counter()
        self.sampled = Counter()
        self.rows = Counter()

    def install(self, connection) -> None:
        connection.execute_wrappers.append(self)

    def __call__(self, execute, sql, params, many, context):
        key = query_template(sql)
        with self.lock:
            self.calls[key] += 1
            sample = self.calls[key] % SAMPLE_EVERY == 1
        server_side = getattr(context["cursor"].cursor, "name", None)
        if not sample or server_side or not key.upper().startswith(WORK):
            return execute(sql, params, many, context)
        from django.db import transaction

        connection = context["connection"]
        with transaction.atomic(using=connection.alias):
            # A cursor of its own, so the statement's results stay where they are.
            with connection.connection.cursor() as stats:
                (before,) = stats.execute(ROWS_IN_TRANSACTION).fetchone()
                result = execute(sql, params, many, context)
                (after,) = stats.execute(ROWS_IN_TRANSACTION).fetchone()
        with self.lock:
            self.sampled[key] += 1
            self.rows[key] += after - before
        return result

    def report(self) -> list[tuple[str, int, float]]:
        """(template, calls, estimated rows read) for every template."""
        return [
            (key, calls, self.rows[key] / self.sampled[key] * calls)
            for key, calls in self.calls.items()
            if self.sampled[key]
        ]


SELECT_LIST = re.compile(r"^SELECT .*? FROM", re.IGNORECASE)
SET_LIST = re.compile(r" SET .*? WHERE ", re.IGNORECASE)


def short(template: str, width: int = 100) -> str:
    """A template shortened for one line: columns and SET lists elided."""
    text = SET_LIST.sub(" SET … WHERE ", SELECT_LIST.sub("SELECT … FROM", template))
    text = text.replace('"', "")
    return text if len(text) <= width else text[: width - 1] + "…"


# The sender (its own process) -------------------------------------------------
def run_sender(environ, edition_id, results):
    import resource

    os.environ.update(environ)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.backends.signals import connection_created

    query_rows = QueryRows()
    connection_created.connect(
        lambda connection, **kwargs: query_rows.install(connection), weak=False
    )

    from newsletter.delivery import edition_send
    from newsletter.models import Edition

    edition = Edition.objects.get(pk=edition_id)
    cpu_before = time.process_time()
    started = time.perf_counter()
    report = edition_send(edition=edition, batch_size=BATCH_SIZE)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    connection.close()  # flushes this session's statistics to the server
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.send(
        {
            "sent": report.sent,
            "failed": report.failed,
            "finished": report.finished,
            "wall": wall,
            "cpu": cpu,
            "peak_mb": peak_kb / 1024,
            "queries": query_rows.report(),
        }
    )


# Set-up ---------------------------------------------------------------------
def scratch_database_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("bench-digest needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/") + "_digest_bench"
    return urlunsplit(parts._replace(path="/" + name))


def admin_sql(url: str, *statements: str) -> None:
    """Run statements on the configured database (CREATE/DROP DATABASE)."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/"),
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)


def progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0
    eta = (total - done) / rate if rate else 0
    print(
        f"  {label}: {done:,}/{total:,} ({rate:,.0f}/s, ETA {eta:.0f} s)",
        flush=True,
    )


BENCH_TOPICS = 10  # topics t0..t9; the edition has articles in t0..t7 only
ARTICLES = 8


def topic_sets(count: int) -> list[tuple[int, ...]]:
    """``count`` distinct choices of topics (indexes): the first is none (every
    topic), then each topic alone, then pairs. Choices of t8 and t9 alone
    have nothing in the edition: those subscribers get no mail."""
    singles = [(k,) for k in range(BENCH_TOPICS)]
    pairs = list(itertools.combinations(range(BENCH_TOPICS), 2))
    triples = list(itertools.combinations(range(BENCH_TOPICS), 3))
    choices = [(), *singles, *pairs, *triples]
    if count > len(choices):
        sys.exit(f"--topic-sets: at most {len(choices)}")
    return choices[:count]


def create_subscribers(count: int, sets: list[tuple[int, ...]]) -> None:
    """Subscriber n chooses topic set n % len(sets)."""
    from taggit.models import Tag

    from newsletter.models import Subscriber

    tags = [
        Tag.objects.create(name=f"bench topic {k}", slug=f"bench-topic-{k}").pk
        for k in range(BENCH_TOPICS)
    ]
    through = Subscriber.topics.through
    started = time.perf_counter()
    for first in range(0, count, INSERT_CHUNK):
        last = min(first + INSERT_CHUNK, count)
        made = Subscriber.objects.bulk_create(
            Subscriber(
                email=f"reader{n}@bench.example",
                status=Subscriber.Status.CONFIRMED,
                consent_version="bench",
            )
            for n in range(first, last)
        )
        through.objects.bulk_create(
            through(subscriber_id=subscriber.pk, tag_id=tags[k])
            for n, subscriber in enumerate(made, start=first)
            for k in sets[n % len(sets)]
        )
        if last == count or (last // INSERT_CHUNK) % 4 == 0:
            progress("subscribers created", last, count, started)


def create_edition(subject: str = "CareerHub weekly: the digest benchmark"):
    from django.utils import timezone

    from articles.models import Article
    from newsletter.models import Edition, EditionArticle

    edition = Edition.objects.create(
        subject=subject,
        intro="A week of articles, sent to every confirmed subscriber.",
        status=Edition.Status.SCHEDULED,
        scheduled_for=timezone.now(),
    )
    live = Article.objects.live().order_by("-published_at", "pk")[:ARTICLES]
    for position, article in enumerate(live, start=1):
        EditionArticle.objects.create(
            edition=edition, article=article, position=position
        )
        article.tags.add(f"bench topic {position - 1}")
    return edition


def table_stats() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = "
            "current_database()"
        )
        (commits,) = cursor.fetchone()
        cursor.execute(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_user_tables"
        )
        tables = dict(cursor.fetchall())
    return {"commits": commits, "tables": tables}


def settled_stats() -> dict[str, int]:
    """Statistics once every session has flushed its counts (about 1 s)."""
    time.sleep(1.5)
    return table_stats()


def explain_claim(edition) -> str:
    """The claim query's plan with half the list still to send."""
    from django.db import transaction
    from django.utils import timezone

    from newsletter.delivery_claims import claimable_pending
    from newsletter.models import Delivery

    ids = list(
        Delivery.objects.filter(edition=edition)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        Delivery.objects.filter(pk__gte=ids[len(ids) // 2]).update(
            status=Delivery.Status.PENDING, claimed_by=""
        )
        plan = (
            claimable_pending(edition, timezone.now())
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:BATCH_SIZE]
            .explain(analyze=True, buffers=True)
        )
        transaction.set_rollback(True)
    return plan


# The run ----------------------------------------------------------------------
def workers_main(workers, environ, received_count, stop, sink_results) -> None:
    """--workers: the sends by real task workers (benchmarks/digest_workers.py)."""
    import tempfile

    from django.conf import settings

    from benchmarks import digest_workers

    logs = Path(tempfile.mkdtemp(prefix="bench-digest-workers-"))
    print(f"  worker logs in {logs}", flush=True)
    results = digest_workers.measure(
        workers=workers,
        environ={**environ, "LOG_LEVEL": "INFO"},
        logs=logs,
        received_count=received_count,
    )
    stop.set()
    received, _links, _cpu = sink_results.recv()
    print()
    print(digest_workers.report(results, received, settings.NEWSLETTER_CLAIM_TIMEOUT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument(
        "--topic-sets",
        type=int,
        default=1,
        help="distinct topic choices the subscribers are spread over (1: all "
        "get every topic)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="send through real `manage.py db_worker` processes instead: with 1 "
        "and this many workers, then this many with one SIGKILLed mid-send "
        "(benchmarks/digest_workers.py)",
    )
    arguments = parser.parse_args()
    count = arguments.subscribers
    sets = topic_sets(max(1, arguments.topic_sets))

    configured = os.environ.get("DATABASE_URL", "")
    scratch = scratch_database_url(configured)
    scratch_name = urlsplit(scratch).path.lstrip("/")
    print(
        f"Digest benchmark: {count:,} subscribers over {len(sets)} topic sets, "
        f"database {scratch_name}"
    )
    admin_sql(
        configured,
        f'DROP DATABASE IF EXISTS "{scratch_name}"',
        f'CREATE DATABASE "{scratch_name}"',
    )

    spawn = multiprocessing.get_context("spawn")
    port = free_port()
    ready, stop = spawn.Event(), spawn.Event()
    received_count = spawn.Value("q", 0)
    sink_results, sink_end = spawn.Pipe(duplex=False)
    sink = spawn.Process(  # a daemon: an error here cannot leave it waiting
        target=run_sink, args=(port, ready, stop, received_count, sink_end), daemon=True
    )
    sink.start()
    ready.wait(30)

    environ = {
        "DATABASE_URL": scratch,
        "DJANGO_SETTINGS_MODULE": "careerhub.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": "https://careerhub.example",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}?tls=0&timeout=10",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environ)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from newsletter.audience import edition_audience_counts

    try:
        print("  migrating the scratch database ...", flush=True)
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        create_subscribers(count, sets)
        if arguments.workers:
            return workers_main(
                arguments.workers, environ, received_count, stop, sink_results
            )
        edition = create_edition()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # Those whose topics have something in the edition (audience.py).
        confirmed = edition_audience_counts(edition, timezone.now()).recipients

        before = settled_stats()
        sender_results, sender_end = spawn.Pipe(duplex=False)
        sender = spawn.Process(
            target=run_sender, args=(environ, edition.pk, sender_end)
        )
        sender.start()
        print("  sender started: fixing the recipients ...", flush=True)
        first_mail = None
        while sender.is_alive():
            sender.join(5)
            if received_count.value and first_mail is None:
                first_mail = time.perf_counter() - 5  # about when it began
            if first_mail is not None:
                progress("mails received", received_count.value, confirmed, first_mail)
        result = sender_results.recv()
        after = settled_stats()

        stop.set()
        received, links, sink_cpu = sink_results.recv()
        received = Counter({to: n for (_, to), n in received.items()})
        sink.join()

        from newsletter.models import Delivery, EditionVariant, Subscriber

        tokens = dict(Subscriber.objects.values_list("email", "token"))
        expected = set(
            Delivery.objects.filter(edition=edition).values_list(
                "subscriber__email", flat=True
            )
        )
        variants = EditionVariant.objects.filter(edition=edition)
        no_mail = sum(v.subscribers for v in variants if not v.mailed)
        variant_count = sum(1 for v in variants if v.mailed)
        duplicates = sum(n - 1 for n in received.values() if n > 1)
        missing = len(expected - set(received))
        unexpected = len(set(received) - expected)
        wrong_links = sum(1 for to, token in links.items() if tokens.get(to) != token)
        plan = explain_claim(edition)
    finally:
        stop.set()
        connection.close()
        admin_sql(configured, f'DROP DATABASE IF EXISTS "{scratch_name}"')

    mails = result["sent"]
    commits = after["commits"] - before["commits"]
    rows_by_table = {
        table: after["tables"][table] - before["tables"].get(table, 0)
        for table in after["tables"]
    }
    rows = sum(rows_by_table.values())
    print()
    print(f"Claim query (EXPLAIN ANALYZE, half of {count:,} still to send):")
    print("  " + plan.replace("\n", "\n  "))
    print()
    from django.conf import settings

    print(f"subscribers            {count:>12,}")
    print(f"topic sets             {len(sets):>12}")
    print(f"variants (renders)     {variant_count:>12}")
    print(f"no mail (no topic in it){no_mail:>11,}")
    print(f"sender threads         {settings.NEWSLETTER_SENDER_THREADS:>12}")
    print(
        f"machine load (1 min)   {os.getloadavg()[0]:>12.1f}"
        f"  (of {os.cpu_count()} CPUs)"
    )
    print(f"mails sent             {mails:>12,}  (failed {result['failed']})")
    print(f"mails/s                {mails / result['wall']:>12,.0f}")
    print(f"wall time              {result['wall']:>12.1f} s")
    print(f"sender CPU per mail    {result['cpu'] * 1000 / mails:>12.2f} ms")
    print(f"sink CPU per mail      {sink_cpu * 1000 / mails:>12.2f} ms  (aiosmtpd)")
    print(f"commits per mail       {commits / mails:>12.3f}")
    print(f"DB rows read per mail  {rows / mails:>12.2f}  (pg_stat_user_tables)")
    for table, read in sorted(rows_by_table.items(), key=lambda item: -item[1]):
        if read:
            print(f"  {table:<21}{read / mails:>12.2f}")
    print("per query (calls and rows read per mail; rows from sampled calls):")
    for template, calls, read in sorted(result["queries"], key=lambda q: -q[2]):
        print(f"  {calls / mails:>7.3f} {read / mails:>8.2f}  {short(template)}")
    print(f"sender peak RSS        {result['peak_mb']:>12.0f} MB")
    print(f"duplicates             {duplicates:>12,}")
    print(f"missing                {missing:>12,}")
    print(f"mailed though not due  {unexpected:>12,}")
    print(f"wrong unsubscribe link {wrong_links:>12,}")
    print(
        f"Summary: {count:,} subscribers over {len(sets)} topic sets "
        f"({variant_count} variants, {no_mail:,} without mail), "
        f"{mails / result['wall']:,.0f} mails/s, "
        f"{commits / mails:.2f} commits and {rows / mails:.1f} rows read per mail, "
        f"peak {result['peak_mb']:.0f} MB, {duplicates} duplicates, {missing} missing."
    )


if __name__ == "__main__":
    main()
