"""`make bench`: the reader pages under load, cached and uncached, against the floor.

1. Builds a corpus (ARTICLES, 1,000 by default) with bulk inserts in the bench
   database: BENCH_DATABASE_URL, or a SQLite file in .bench/. It is emptied
   first: never point it at data you want to keep.
2. Per page, request time and summed SQL time (median of a few requests, in
   process), and on PostgreSQL the EXPLAIN (ANALYZE) of every query.
3. Starts gunicorn (2 sync workers) with production settings on loopback,
   once with the page cache off and once on (sharing a redis-server of its own
   when one is installed), and loads each page with wrk (a fixed number of
   connections for a fixed time): requests/s, p50, p99, and the workers' CPU
   time per request. The floor is a bare Django view answering with the same
   article's bytes from memory.
4. Prints a markdown table (each page's requests/s as a ratio to the floor)
   and saves the numbers in .bench/; a run at another size is compared with
   the 1,000-article run of the same database kind.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".bench"
PAGES = [
    "home",
    "list",
    "deep list",
    "article",
    "unranked article",
    "topic",
    "deep topic",
    "author",
    "search",
    "middling search",
    "common search",
    "feed",
]
SEARCH_WORD = "ombudsman"  # in about one article in fifty (see corpus.py)
MIDDLING_WORD = "mediator"  # in about 6% of articles (see corpus.py)
COMMON_WORD = "career"  # in most articles' bodies (corpus.VOCABULARY)
# In-process requests per page: the median of the last SAMPLES, after two.
SAMPLES = 20


def log(line: str) -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"Nothing answered on port {port} within {timeout:.0f} s.")


def production_env(port: int, database_url: str, cache_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback
        "EMAIL_URL": "smtp://127.0.0.1:25",  # never used by reader pages
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "STATIC_ROOT": str(STATE / "static"),
        "LOG_LEVEL": "WARNING",
    }


# -- Phase 1 and 2, in this process --------------------------------------------


_EXPLAIN = re.compile(r"EXPLAIN \([^)]*\) ", re.IGNORECASE)
_PLANNED = re.compile(r"\s*(SELECT|WITH|EXPLAIN|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def explain_analyze(cursor, sql: str) -> str:
    """The plan and times of a query a page ran (EXPLAIN ANALYZE). A page's
    own EXPLAIN (search asks the planner how many articles match) is only
    planned, so its time is the planning time; a transaction's BEGIN and
    COMMIT have no plan."""
    if not _PLANNED.match(sql):
        return "(not planned)"
    if explain := _EXPLAIN.match(sql):
        cursor.execute("EXPLAIN (SUMMARY) " + sql[explain.end() :])
    else:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
    return "\n".join(row[0] for row in cursor.fetchall())


class SqlTimer:
    """Database time of each query (``connection.execute_wrapper``)."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.queries.append(sql)


def build_and_profile(count: int, explain: bool, reuse: bool) -> dict:
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article, live_topics
    from benchmarks import corpus

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    if not (reuse and len(ids) == count):
        log(f"Building {count:,} articles ({connection.vendor})")
        corpus.wipe()
        ids = corpus.build(count, out=log)
    article_id = ids[len(ids) // 2]
    corpus.rank_related([article_id])
    article = Article.objects.get(pk=article_id)
    # Loaded in bulk, never ranked: its page must not rank it (issue 25).
    unranked = Article.objects.get(pk=ids[len(ids) // 3])
    Article.objects.filter(pk=unranked.pk).update(related_ids=None)
    last_page = -(-count // 12)
    topic = live_topics().get(slug="topic-3")
    urls = {
        "home": "/",
        "list": "/articles/",
        "deep list": f"/articles/?page={last_page}",
        "article": article.get_absolute_url(),
        "unranked article": unranked.get_absolute_url(),
        "topic": "/topics/topic-3/",
        "deep topic": f"/topics/topic-3/?page={-(-topic.article_count // 12)}",
        "author": "/authors/writer-3/",
        "search": f"/search/?q={SEARCH_WORD}",
        "middling search": f"/search/?q={MIDDLING_WORD}",
        "common search": f"/search/?q={COMMON_WORD}",
        "feed": "/feed/",
    }

    client = Client(SERVER_NAME="127.0.0.1")
    profile = {}
    plans = []
    started = time.monotonic()
    for done, (page, url) in enumerate(urls.items()):
        request_ms, sql_ms, cpu_ms = [], [], []
        for _ in range(SAMPLES + 2):
            if page == "unranked article":
                # Its first read, every time: no fragment kept from the last.
                for cache in caches.all():
                    cache.clear()
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                began, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                cpu_ms.append((time.process_time() - cpu) * 1000)
                request_ms.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            sql_ms.append(timer.seconds * 1000)
        profile[page] = {
            "url": url,
            "request_ms": statistics.median(request_ms[2:]),
            "sql_ms": statistics.median(sql_ms[2:]),
            # This process's CPU: Django's and the database driver's.
            "cpu_ms": statistics.median(cpu_ms[2:]),
            "queries": len(timer.queries),
        }
        elapsed = time.monotonic() - started
        left = elapsed / (done + 1) * (len(urls) - done - 1)
        log(
            f"  profiled {done + 1}/{len(urls)} pages ({page}: "
            f"{profile[page]['sql_ms']:.1f} ms SQL, "
            f"{profile[page]['cpu_ms']:.1f} ms CPU; about {left:.0f} s left)"
        )
        if explain and connection.vendor == "postgresql":
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            db_ms = 0.0
            for query in captured.captured_queries:
                with connection.cursor() as cursor:
                    plan = explain_analyze(cursor, query["sql"])
                plans.append(f"### {page}: {query['sql'][:400]}\n```\n{plan}\n```")
                # The database's own time, which load on the machine (other
                # processes on the cores) disturbs less than wall-clock SQL.
                db_ms += sum(
                    float(ms)
                    for ms in re.findall(r"(?:Planning|Execution) Time: ([\d.]+)", plan)
                )
            profile[page]["db_ms"] = db_ms
    floor_file = STATE / "floor.html"
    floor_file.write_bytes(client.get(urls["article"]).content)
    return {
        "vendor": connection.vendor,
        "urls": urls,
        "profile": profile,
        "plans": plans,
        "floor_file": str(floor_file),
    }


# -- Phase 3: gunicorn under wrk -------------------------------------------------


def worker_cpu_seconds(master: int) -> float:
    """User + system CPU time of gunicorn's workers (the master idles)."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0.0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def load(master: int, url: str, seconds: int, connections: int, headers=()) -> dict:
    urlopen(url).read()  # warm (and, with the page cache on, store)
    before = worker_cpu_seconds(master)
    result = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s"]
        + [arg for header in headers for arg in ("-H", header)]
        + ["--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = worker_cpu_seconds(master) - before
    if "Non-2xx" in result:
        raise SystemExit(f"{url} answered errors under load:\n{result}")
    requests = int(re.search(r"(\d+) requests in", result).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        # The latency distribution's lines (not "...50%" in the stats above).
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", result, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", result, re.M).group(1)),
        "cpu_ms": cpu * 1000 / max(requests, 1),
    }


def serve_and_load(env, port, urls, cached, seconds, connections, workers) -> dict:
    env = {**env, "PAGE_CACHE_SECONDS": "600" if cached else "0"}
    logfile = open(STATE / "gunicorn.log", "a")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "careerhub.wsgi", "--workers", str(workers)]
        + ["--bind", f"127.0.0.1:{port}", "--worker-class", "sync"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=logfile,
    )
    try:
        wait_for(port)
        time.sleep(1)  # every worker up
        results = {}
        # The floor in each run, next to the pages it is compared with. Its
        # cookie keeps it out of the page cache's path: a bare Django view.
        pages = {"floor": "/bench-floor/", **urls}
        for page, path in pages.items():
            results[page] = load(
                server.pid,
                f"http://127.0.0.1:{port}{path}",
                seconds,
                connections,
                headers=["Cookie: bench=floor"] if page == "floor" else [],
            )
            r = results[page]
            log(
                f"  {'cached' if cached else 'uncached'} {page}: {r['rps']:.0f} req/s,"
                f" p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms,"
                f" {r['cpu_ms']:.2f} ms CPU/request"
            )
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)
        logfile.close()


def start_redis():
    if not shutil.which("redis-server"):
        return None, "locmem://"
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", tempfile.gettempdir()],
        stdout=subprocess.DEVNULL,
    )
    wait_for(port)
    return server, f"redis://127.0.0.1:{port}/0"


# -- Phase 4: the report -----------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(report: dict, baseline: dict | None) -> str:
    floor, hot_floor = report["uncached"]["floor"], report["cached"]["floor"]
    # "x floor": requests/s, and CPU (the floor's CPU per request over the
    # page's), which other load on the machine disturbs less.
    lines = [
        "| page | cached req/s | p50 / p99 ms | CPU ms/req | x floor req/s, CPU "
        "| uncached req/s | p50 / p99 ms | CPU ms/req | x floor req/s, CPU "
        "| request ms | CPU ms | SQL ms (queries) |"
        + (" request, SQL x 1,000 |" if baseline else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        + ("---:|" if baseline else ""),
    ]
    for page in PAGES:
        hot, cold = report["cached"][page], report["uncached"][page]
        prof = report["profile"][page]
        row = (
            f"| {page} | {hot['rps']:.0f} | {hot['p50']:.1f} / {hot['p99']:.1f} "
            f"| {hot['cpu_ms']:.2f} | {hot['rps'] / hot_floor['rps']:.2f}, "
            f"{hot_floor['cpu_ms'] / hot['cpu_ms']:.2f} "
            f"| {cold['rps']:.0f} | {cold['p50']:.1f} / {cold['p99']:.1f} "
            f"| {cold['cpu_ms']:.2f} | {cold['rps'] / floor['rps']:.2f}, "
            f"{floor['cpu_ms'] / cold['cpu_ms']:.2f} "
            f"| {prof['request_ms']:.1f} | {prof['cpu_ms']:.1f} "
            f"| {prof['sql_ms']:.1f} ({prof['queries']}) |"
        )
        if baseline:
            base = baseline["profile"][page]
            row += (
                f" {prof['request_ms'] / base['request_ms']:.2f},"
                f" {prof['sql_ms'] / max(base['sql_ms'], 0.01):.2f} |"
            )
        lines.append(row)
    lines.append(
        f"| floor | {hot_floor['rps']:.0f} | {hot_floor['p50']:.1f} / "
        f"{hot_floor['p99']:.1f} | {hot_floor['cpu_ms']:.2f} | 1.00, 1.00 "
        f"| {floor['rps']:.0f} | {floor['p50']:.1f} / "
        f"{floor['p99']:.1f} | {floor['cpu_ms']:.2f} | 1.00, 1.00 | | | |"
        + (" |" if baseline else "")
    )
    return "\n".join(lines)


def summary(profile: dict, articles: int, began: float) -> str:
    """One line: the dearest page's SQL and CPU, against the budgets of
    issue 25 (20 ms of SQL, 6 ms of CPU for the list pages)."""
    sql_page = max(profile, key=lambda page: profile[page]["sql_ms"])
    lists = ("home", "list", "topic", "author")
    cpu_page = max(lists, key=lambda page: profile[page]["cpu_ms"])
    over = [page for page in profile if profile[page]["sql_ms"] > 20]
    db_page = max(profile, key=lambda page: profile[page].get("db_ms", 0))
    in_db = (
        f"most time in the database {profile[db_page]['db_ms']:.1f} ms "
        f"({db_page}, EXPLAIN ANALYZE), "
        if "db_ms" in profile[db_page]
        else ""
    )
    return (
        f"Bench done in {time.monotonic() - began:.0f} s at {articles:,} "
        f"articles: most SQL {profile[sql_page]['sql_ms']:.1f} ms ({sql_page}), "
        f"{in_db}"
        f"most list-page CPU {profile[cpu_page]['cpu_ms']:.1f} ms ({cpu_page}); "
        f"over 20 ms of SQL: {', '.join(over) or 'none'}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--seconds", type=int, default=5, help="per page and mode")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a corpus of the same size"
    )
    parser.add_argument(
        "--profile-only", action="store_true", help="no load test, no table"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: sudo apt-get install wrk")
    STATE.mkdir(exist_ok=True)
    began = time.monotonic()
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{STATE / 'bench.sqlite3'}"
    )
    # Stopped from outside: still stop the servers started here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redis, cache_url = start_redis()
    try:
        port = free_port()
        env = production_env(port, database_url, cache_url)
        os.environ.update({**env, "PAGE_CACHE_SECONDS": "0"})
        report = build_and_profile(
            args.articles, explain=not args.no_explain, reuse=args.reuse
        )
        if args.profile_only:
            log("\n\n".join(report["plans"]))
            for page, numbers in report["profile"].items():
                log(f"{page}: {numbers}")
            log(summary(report["profile"], args.articles, began))
            return
        env["BENCH_FLOOR_FILE"] = report["floor_file"]
        log(
            f"Loading each page for {args.seconds} s with {args.connections} "
            f"connections, {args.workers} gunicorn workers, cache {cache_url}"
        )
        for cached in (False, True):
            key = "cached" if cached else "uncached"
            report[key] = serve_and_load(
                env,
                port,
                report["urls"],
                cached,
                args.seconds,
                args.connections,
                args.workers,
            )
    finally:
        if redis:
            redis.terminate()
            redis.wait(timeout=10)

    name = f"results-{report['vendor']}-{args.articles}.json"
    (STATE / name).write_text(json.dumps(report, indent=1))
    baseline_file = STATE / f"results-{report['vendor']}-1000.json"
    baseline = (
        json.loads(baseline_file.read_text())
        if args.articles != 1_000 and baseline_file.exists()
        else None
    )
    if report["plans"]:
        log(f"\n## EXPLAIN (ANALYZE) at {args.articles:,} articles\n")
        log("\n\n".join(report["plans"]))
    log(
        f"\n## {args.articles:,} articles, {report['vendor']}, gunicorn "
        f"{args.workers} sync workers, wrk -c{args.connections} -d{args.seconds}s\n"
        f"Machine: {machine()}\n"
    )
    log(table(report, baseline))
    log("\n" + summary(report["profile"], args.articles, began))
    from benchmarks import front  # a cached article through Varnish (issue 25)

    front.bench_compare(
        env,
        report["urls"]["article"],
        seconds=args.seconds,
        connections=args.connections,
    )


if __name__ == "__main__":
    main()
