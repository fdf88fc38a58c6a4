"""`make bench-front`'s run (see benchmarks/front.py): the stack, the
readers, the editor and what is measured of each change."""

import json
import os
import re
import shutil
import signal
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.front_stack import (
    Processes,
    Site,
    front_env,
    load_average,
    reader_paths,
    start_readers,
    varnish_counters,
    warm,
)
from benchmarks.site import free_port, log, start_redis

PURGE_TASK = "frontcache.tasks.purge"
# A change not fresh through Varnish after this long counts as never fresh.
GIVE_UP_SECONDS = 30


@dataclass
class Change:
    """One editor's change and what was seen of it through Varnish."""

    kind: str
    checks: list  # (path, predicate(status, body) -> bool)
    committed: float = 0.0
    fresh: dict = field(default_factory=dict)  # path: seconds after commit
    first_purge: float | None = None  # when the worker recorded it done
    last_purge: float | None = None
    stale_after_first: int = 0
    stale_after_last: int = 0
    polls: int = 0

    def record(self) -> dict:
        """This change in numbers: milliseconds after its commit."""

        def ms(moment):
            return round((moment - self.committed) * 1000) if moment else None

        return {
            "kind": self.kind,
            "fresh_ms": {path: round(s * 1000) for path, s in self.fresh.items()},
            "first_purge_ms": ms(self.first_purge),
            "last_purge_ms": ms(self.last_purge),
            "stale_after_first": self.stale_after_first,
        }

    @property
    def to_fresh(self) -> float | None:
        if len(self.fresh) < len(self.checks):
            return None
        return max(self.fresh.values())


class Editor:
    """Edits, unpublishes and publishes articles through the services the
    admin calls: one article goes off the site and comes back; others are
    retitled in turn."""

    def __init__(self, ids: list[int]):
        self.rotating = ids[-3]  # near the top of the lists
        self.edited = [pk for pk in ids[::97][:10] if pk != self.rotating]
        self.count = 0

    def next(self) -> Change:
        from articles.models import Article
        from articles.services import article_publish, article_save, article_unpublish

        self.count += 1
        n, kind = self.count, ("edit", "unpublish", "edit", "publish")[self.count % 4]
        pk = (
            self.rotating
            if kind in ("unpublish", "publish")
            else self.edited[n % len(self.edited)]
        )
        article = Article.objects.get(pk=pk)
        path = article.get_absolute_url()
        if kind == "edit":
            article.title = f"Negotiating a raise, edit {n}"
            new = article.title.encode()
            checks = [(path, lambda status, body: new in body)]
            change = Change(kind, checks)
            change.committed = _timed(lambda: article_save(article=article))
        elif kind == "unpublish":
            old = article.title.encode()
            checks = [(path, lambda status, body: status == 404)]
            checks.append(("/", lambda status, body: old not in body))
            change = Change(kind, checks)
            change.committed = _timed(lambda: article_unpublish(article=article))
        else:
            article.title = f"Breaking career news {n}"
            new = article.title.encode()
            checks = [(path, lambda status, body: status == 200 and new in body)]
            checks.append(("/", lambda status, body: new in body))
            change = Change(kind, checks)
            change.committed = _timed(lambda: article_publish(article=article))
        return change


def _timed(write) -> float:
    """Run ``write`` (a service: committed when it returns); the moment."""
    write()
    return time.time()


def purges_done(since: float, until: float) -> list[float]:
    """When the purges a change enqueued finished (unix times), in order;
    an unfinished or failed one as infinity."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path=PURGE_TASK,
        enqueued_at__gte=datetime.fromtimestamp(since, UTC),
        enqueued_at__lte=datetime.fromtimestamp(until, UTC),
    ).values_list("status", "finished_at")
    return sorted(
        finished.timestamp() if status == "SUCCESSFUL" and finished else float("inf")
        for status, finished in rows
    )


def watch(site: Site, change: Change, *, started: float, poll: float, until: float):
    """Poll the change's pages until they are fresh and every purge it sent
    was confirmed, and on until ``until``; count what was stale then."""
    checked = 0.0
    while True:
        for path, fresh in change.checks:
            asked = time.time()
            status, body = site.get(path)
            change.polls += 1
            if fresh(status, body):
                change.fresh.setdefault(path, time.time() - change.committed)
                continue
            if change.first_purge and asked > change.first_purge:
                change.stale_after_first += 1
            if change.last_purge and asked > change.last_purge:
                change.stale_after_last += 1
        now = time.time()
        if change.last_purge is None and now - checked > 0.1:
            checked = now
            done = purges_done(started, change.committed)
            if done and done[-1] != float("inf") and len(done) >= 2:
                change.first_purge, change.last_purge = done[0], done[-1]
        confirmed = change.last_purge is not None and now > change.last_purge + 0.5
        if confirmed and change.to_fresh is not None and now >= until:
            return
        if now - change.committed > GIVE_UP_SECONDS:
            return
        time.sleep(poll)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_stack(tmp: Path, processes: Processes, env: dict, args, prepare):
    """Redis, the database filled, two app servers, the worker, Varnish."""
    redis, cache_url = start_redis()
    ports = {name: free_port() for name in ("app1", "app2", "varnish")}
    app_env = front_env(env, varnish_port=ports["varnish"], cache_url=cache_url)
    os.environ.update(app_env)  # this process writes as the editor
    ids = prepare(args.articles)
    for name in ("app1", "app2"):
        processes.gunicorn(f"gunicorn-{name}", app_env, ports[name], workers=2)
    processes.worker(app_env, args.worker_interval)
    processes.varnish(
        tmp, port=ports["varnish"], app_ports=[ports["app1"], ports["app2"]]
    )
    return redis, ports["varnish"], ids


def edit_for(seconds: float, site: Site, editor: Editor, args) -> list[Change]:
    """Changes every ``args.every`` seconds (or as soon as the last one is
    confirmed, if later) for ``seconds``, with progress lines."""
    began = last_line = time.monotonic()
    changes = []
    while time.monotonic() - began < seconds:
        started = time.time()
        change = editor.next()
        watch(site, change, started=started, poll=args.poll, until=started + args.every)
        changes.append(change)
        if time.monotonic() - last_line >= 30:
            last_line = time.monotonic()
            elapsed = last_line - began
            times = [c.to_fresh for c in changes if c.to_fresh is not None]
            log(
                f"  {elapsed:.0f}/{seconds:.0f} s: {len(changes)} changes, "
                f"purge-to-fresh p50 {statistics.median(times) * 1000:.0f} ms, "
                f"max {max(times) * 1000:.0f} ms, stale after confirmed purge "
                f"{sum(c.stale_after_last for c in changes)}, load "
                f"{load_average()}; about {max(seconds - elapsed, 0):.0f} s left"
            )
    return changes


def summarise(changes: list[Change], counters: dict, readers: str, began: float):
    times = [c.to_fresh for c in changes if c.to_fresh is not None]
    never = len(changes) - len(times)
    purged = [c.first_purge - c.committed for c in changes if c.first_purge]
    client = counters["client_req"]
    backend = counters["backend_req"]
    offload = 1 - backend / client if client else 0.0
    wrk_rps = re.search(r"Requests/sec:\s+([\d.]+)", readers)
    result = {
        "changes": len(changes),
        "never_fresh": never,
        "p50_ms": statistics.median(times) * 1000 if times else None,
        "p99_ms": percentile(times, 0.99) * 1000 if times else None,
        "max_ms": max(times) * 1000 if times else None,
        # From the commit to the worker recording the first purge done.
        "purge_p50_ms": statistics.median(purged) * 1000 if purged else None,
        "purge_p99_ms": percentile(purged, 0.99) * 1000 if purged else None,
        "stale_after_confirmed": sum(c.stale_after_last for c in changes),
        "stale_after_first_purge": sum(c.stale_after_first for c in changes),
        "polls": sum(c.polls for c in changes),
        "client_requests": client,
        "backend_fetches": backend,
        "offload": offload,
        "reader_rps": float(wrk_rps.group(1)) if wrk_rps else None,
        "load_average": load_average(),
        "each": [change.record() for change in changes],
        "by_kind": {
            kind: statistics.median(
                [c.to_fresh * 1000 for c in changes if c.kind == kind and c.to_fresh]
                or [0]
            )
            for kind in ("edit", "publish", "unpublish")
        },
    }
    missed = []
    if never or not times or result["p99_ms"] > 1000:
        missed.append("p99 purge-to-fresh over 1 s")
    if result["stale_after_confirmed"]:
        missed.append("stale pages after a confirmed purge")
    if offload < 0.99:
        missed.append("offload under 99%")
    result["missed"] = missed
    result["line"] = summary_line(result, began)
    return result


def summary_line(result: dict, began: float) -> str:
    never, missed = result["never_fresh"], result["missed"]
    return (
        f"Front done in {time.monotonic() - began:.0f} s: {result['changes']} "
        "changes, "
        f"purge-to-fresh p50 {result['p50_ms'] or 0:.0f} ms, "
        f"p99 {result['p99_ms'] or 0:.0f} ms, max {result['max_ms'] or 0:.0f} ms"
        f" (purge confirmed p50 {result['purge_p50_ms'] or 0:.0f} ms, p99 "
        f"{result['purge_p99_ms'] or 0:.0f} ms)"
        f"{f', {never} never fresh' if never else ''}; stale after confirmed "
        f"purge {result['stale_after_confirmed']} (after the first purge "
        f"{result['stale_after_first_purge']}); offload {result['offload']:.2%} "
        f"({result['backend_fetches']:,} fetches / "
        f"{result['client_requests']:,} requests, readers "
        f"{result['reader_rps'] or 0:.0f} req/s); load {load_average()}; "
        + (f"missed: {', '.join(missed)}." if missed else "all targets met.")
    )


def run(args, env: dict, prepare) -> dict:
    began = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-front-"))
    processes = Processes(tmp)
    redis = readers = None
    try:
        redis, port, ids = start_stack(tmp, processes, env, args, prepare)
        from articles.models import Article

        articles = [a.get_absolute_url() for a in Article.objects.filter(pk__in=ids)]
        paths = reader_paths(articles)
        site = Site(port)
        warm(site, paths)
        before = varnish_counters(tmp)
        log(
            f"Readers: wrk -c{args.connections} over {len(set(paths)):,} URLs; "
            f"editor: a change every {args.every:g} s for {args.seconds} s "
            f"(load average {load_average()})"
        )
        readers = start_readers(tmp, port, paths, args)
        changes = edit_for(args.seconds, site, Editor(ids), args)
        after = varnish_counters(tmp)
        readers.send_signal(signal.SIGINT)  # wrk stops and reports
        output = readers.communicate(timeout=30)[0]
        log(output)
        counters = {key: after[key] - before[key] for key in after if key in before}
        result = summarise(changes, counters, output, began)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1))
        return result
    except BaseException:
        for log_file in sorted(tmp.glob("*.log")):
            tail = log_file.read_text(errors="replace")[-2000:]
            log(f"--- {log_file.name} ---\n{tail}")
        raise
    finally:
        if readers and readers.poll() is None:
            readers.kill()
        processes.stop()
        if redis:
            redis.terminate()
            redis.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
