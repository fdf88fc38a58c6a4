"""`make bench-digest WORKERS=N`: one digest sent by real task workers.

Called by benchmarks/digest.py once the scratch database holds the
subscribers and the SMTP sink runs. Three sends of a fresh edition to the same
list, each by `manage.py db_worker` processes (the production worker command,
deploy/Procfile): one worker, N workers, and N workers of which one is
SIGKILLed a third of the way through. For each: mails/s between the first
and the last mail, the share of those seconds each worker was running a
sending task that sent mail (from the task rows), and for the kill the
longest pause in arriving mail after it, and when the rows the killed worker
held went out (they wait for its lease, NEWSLETTER_CLAIM_TIMEOUT).
"""

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.25
KILL_AT = 1 / 3  # of the mails received
SENT = re.compile(r"(\d+) sent")  # a sending task's result: "N sent, ..."


@dataclass
class Run:
    label: str
    subject: str
    workers: int
    mails: int = 0
    first: float = 0.0
    last: float = 0.0
    samples: list[tuple[float, int]] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)
    killed_at: float | None = None
    killed_name: str = ""
    held_ids: list[int] = field(default_factory=list)
    killed_held: int = 0
    killed_held_sent_after: float | None = None
    killed_held_unknown: int = 0
    load_before: float = 0.0
    load_after: float = 0.0
    duplicates: int = 0
    missing: int = 0

    @property
    def rate(self) -> float:
        return self.mails / (self.last - self.first) if self.last > self.first else 0

    def longest_pause_after_kill(self) -> float:
        """The longest wait for a mail between the kill and the moment every
        mail but the killed worker's held ones had arrived (those wait for
        their lease on purpose)."""
        rest = self.mails - self.killed_held
        window = [
            (t, count) for t, count in self._arrivals() if t >= (self.killed_at or 0)
        ]
        ends = [t for t, count in window if count >= rest]
        end = min(ends, default=float("inf"))
        points = [self.killed_at] + [t for t, _ in window if t <= end]
        return max((b - a for a, b in zip(points, points[1:], strict=False)), default=0)

    def _arrivals(self):
        """Sample times at which new mail had arrived since the last sample."""
        previous = 0
        for t, count in self.samples:
            if count > previous:
                yield t, count
            previous = count


def start_workers(count: int, environ: dict, logs: Path) -> dict[str, subprocess.Popen]:
    workers = {}
    for k in range(1, count + 1):
        name = f"bench-worker-{k}"
        log = open(logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        workers[name] = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload"]
            + ["--no-startup-delay", "--interval", "0.5", "--worker-id", name],
            cwd=ROOT,
            env={**os.environ, **environ, "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers[name].log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        logs_text = [(logs / f"{name}.log").read_text() for name in workers]
        if all("Starting worker" in text for text in logs_text):
            return workers
        time.sleep(0.2)
    sys.exit(f"the workers did not start within 60 s (see their logs in {logs})")


def stop_workers(workers: dict[str, subprocess.Popen]) -> None:
    for process in workers.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers.values():
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.log.close()


def sending_runs(edition_id: int) -> list:
    from django_tasks_db.models import DBTaskResult

    from newsletter.tasks import send_edition

    rows = DBTaskResult.objects.filter(task_path=send_edition.module_path)
    return [
        row for row in rows if row.args_kwargs["kwargs"].get("edition_id") == edition_id
    ]


def worker_shares(run: Run, edition_id: int, workers) -> dict[str, float]:
    """Per worker: the share of the seconds from first to last mail in which
    it ran a sending task that sent mail (a killed task: until the kill)."""
    spans: dict[str, list[tuple[float, float]]] = {name: [] for name in workers}
    for row in sending_runs(edition_id):
        if not row.worker_ids or row.started_at is None:
            continue
        name = row.worker_ids[-1]
        sent = SENT.match(str(row.return_value or ""))
        sent = int(sent.group(1)) if sent else 0
        if row.finished_at is None and run.killed_at is not None:
            end, sent = run.killed_at, 1  # the killed worker's run
        elif row.finished_at is None or not sent:
            continue
        else:
            end = row.finished_at.timestamp()
        start = max(row.started_at.timestamp(), run.first)
        if end > start and name in spans:
            spans[name].append((start, min(end, run.last)))
    total = run.last - run.first
    return {name: covered(intervals) / total for name, intervals in spans.items()}


def covered(intervals: list[tuple[float, float]]) -> float:
    length, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        start = max(start, reach)
        if end > start:
            length += end - start
            reach = end
    return length


def send_once(run: Run, environ, logs, received_count, kill: bool):
    from django.db import connection
    from django.utils import timezone

    from benchmarks.digest import create_edition, progress
    from newsletter.audience import edition_audience_counts
    from newsletter.models import Delivery, Edition
    from newsletter.tasks import enqueue_sending

    workers = start_workers(run.workers, environ, logs)
    try:
        edition = create_edition(subject=run.subject)
        expected = edition_audience_counts(edition, timezone.now()).recipients
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        before = received_count.value
        enqueue_sending(edition=edition)
        last_report = time.monotonic()
        started = time.perf_counter()
        while True:
            time.sleep(SAMPLE_SECONDS)
            done = received_count.value - before
            run.samples.append((time.time(), done))
            if kill and run.killed_at is None and done >= expected * KILL_AT:
                kill_one(run, edition, workers)
            if time.monotonic() - last_report >= 5:
                last_report = time.monotonic()
                progress(f"{run.label}: mails received", done, expected, started)
            status = Edition.objects.filter(pk=edition.pk).values_list(
                "status", flat=True
            )[0]
            if status == Edition.Status.SENT:
                break
        run.mails = received_count.value - before
        arrivals = [t for t, count in run.samples if count > 0]
        run.first = arrivals[0]
        run.last = next(t for t, count in run.samples if count == run.mails)
        run.shares = worker_shares(run, edition.pk, workers)
        if run.killed_at is not None:
            held = Delivery.objects.filter(pk__in=run.held_ids)
            sent_at = held.exclude(sent_at=None).values_list("sent_at", flat=True)
            if sent_at:
                latest = max(at.timestamp() for at in sent_at)
                run.killed_held_sent_after = latest - run.killed_at
            run.killed_held_unknown = held.filter(failure="unknown").count()
    finally:
        stop_workers(workers)
    return edition


def kill_one(run: Run, edition, workers) -> None:
    """SIGKILL a worker that is sending (the first one running a slice)."""
    from newsletter.models import Delivery

    running = [
        row.worker_ids[-1]
        for row in sending_runs(edition.pk)
        if row.status == "RUNNING" and row.worker_ids
    ]
    name = next((n for n in running if n in workers), next(iter(workers)))
    process = workers[name]
    process.kill()
    process.wait()
    run.killed_at = time.time()
    run.killed_name = name
    run.held_ids = list(
        Delivery.objects.filter(
            edition=edition,
            claimed_by__contains=f":{process.pid}:",
            status__in=["pending", "sending"],
        ).values_list("pk", flat=True)
    )
    run.killed_held = len(run.held_ids)
    print(f"  SIGKILL {name} holding {run.killed_held} deliveries", flush=True)


def measure(*, workers: int, environ, logs: Path, received_count):
    """The three sends, one after the other; returns (run, edition) pairs."""
    plans = [
        Run("1 worker", "Digest benchmark, 1 worker", 1),
        Run(f"{workers} workers", f"Digest benchmark, {workers} workers", workers),
        Run(
            f"{workers} workers, one killed",
            f"Digest benchmark, {workers} workers, one killed",
            workers,
        ),
    ]
    results = []
    for number, run in enumerate(plans):
        run.load_before = os.getloadavg()[0]
        print(
            f"  run {number + 1}/3: {run.label} (load {run.load_before:.1f}) ...",
            flush=True,
        )
        edition = send_once(run, environ, logs, received_count, kill=number == 2)
        run.load_after = os.getloadavg()[0]
        print(f"  run {number + 1}/3 done: {run.rate:,.0f} mails/s", flush=True)
        results.append((run, edition))
    return results


def report(results, received, lease: int) -> str:
    """Print each run's figures; returns the one-line summary."""
    from newsletter.models import Delivery

    lines = []
    for run, edition in results:
        expected = set(
            Delivery.objects.filter(edition=edition).values_list(
                "subscriber__email", flat=True
            )
        )
        counts = {
            to: n for (subject, to), n in received.items() if subject == run.subject
        }
        run.duplicates = sum(n - 1 for n in counts.values() if n > 1)
        run.missing = len(expected - set(counts))
        shares = ", ".join(f"{name} {share:.0%}" for name, share in run.shares.items())
        print(f"{run.label}:")
        print(f"  mails                  {run.mails:>10,}")
        print(f"  mails/s                {run.rate:>10,.0f}  (first to last mail)")
        print(f"  wall (first to last)   {run.last - run.first:>10.1f} s")
        print(f"  sending share          {shares}")
        print(
            f"  machine load (1 min)   {run.load_before:.1f} before, "
            f"{run.load_after:.1f} after (of {os.cpu_count()} CPUs)"
        )
        if run.killed_at is not None:
            print(
                f"  killed                 {run.killed_name}, holding "
                f"{run.killed_held} deliveries"
            )
            print(
                f"  longest pause after    {run.longest_pause_after_kill():>10.1f} s "
                "(the others kept sending)"
            )
            after = run.killed_held_sent_after
            print(
                "  its rows went out      "
                + (
                    f"{after:>10.1f} s after the kill (lease {lease} s)"
                    if after is not None
                    else "       none (all in flight)"
                )
            )
            print(f"  its rows of unknown outcome {run.killed_held_unknown:>5}")
        print(f"  duplicates / missing   {run.duplicates:>10} / {run.missing}")
        lines.append(run)
    one, many, killed = lines
    speedup = many.rate / one.rate if one.rate else 0
    return (
        f"Summary: {one.mails:,} mails; 1 worker {one.rate:,.0f} mails/s, "
        f"{many.workers} workers {many.rate:,.0f} mails/s ({speedup:.2f}x), "
        f"sending shares {', '.join(f'{s:.0%}' for s in many.shares.values())}; "
        f"with one killed {killed.rate:,.0f} mails/s, longest pause "
        f"{killed.longest_pause_after_kill():.1f} s, its rows out "
        f"{(killed.killed_held_sent_after or 0):.0f} s after the kill "
        f"(lease {lease} s); "
        f"{sum(r.duplicates for r in lines)} duplicates, "
        f"{sum(r.missing for r in lines)} missing (of which "
        f"{killed.killed_held_unknown} unknown at the kill)."
    )
