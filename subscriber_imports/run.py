"""The dry run and the import, as tasks, and what starts them.

Both stream the stored file in chunks of CHUNK_ROWS. The import commits each
chunk together with the count of rows done, under a lock on the import's
row: a worker killed mid-chunk loses only that chunk's uncommitted work, and
the task, retried (taskqueue/policy.py), skips the rows already done. A
second run of a finished import does nothing; importing the same file again
finds every address already known and changes nothing.
"""

import itertools
import time
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .encoding import ImportFileError
from .formats import ImportFile, Row
from .models import SubscriberImport
from .plan import Tally, decide, skip
from .writes import Topics, chunk_write

CHUNK_ROWS = 2000
# An import longer than this hands over to a fresh task (others get a turn,
# and no run looks stalled: TASKS_STALE_AFTER).
SLICE_SECONDS = 120
Status = SubscriberImport.Status


def chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK_ROWS)):
        yield chunk


def _fail(source: SubscriberImport, message: str) -> str:
    """A file that cannot be imported: the reason kept, the file deleted."""
    source.file.delete(save=False)
    SubscriberImport.objects.filter(pk=source.pk).update(
        status=Status.FAILED, error=message, finished_at=timezone.now(), file=""
    )
    return f"failed: {message}"


@task()
def dry_run_import(*, import_id: int) -> str:
    """Read the whole file and count what each row would become; nothing is
    written but the import's own row (counts, first rows, total)."""
    source = SubscriberImport.objects.filter(pk=import_id, status=Status.UPLOADED)
    source = source.first()
    if source is None:
        return "not waiting for a dry run"
    statement = bool(source.consent_statement.strip())
    tally, seen, topics, total = Tally(), set(), Topics(), 0
    try:
        with source.file.open("rb") as binary:
            reader = ImportFile(binary)
            for chunk in chunks(reader.rows()):
                for decision in decide(chunk, seen=seen, statement=statement):
                    tally.add(decision)
                    if decision.is_new:
                        topics.match(decision.row.tags, tally)
                total += len(chunk)
                SubscriberImport.objects.filter(pk=import_id).update(total_rows=total)
    except ImportFileError as error:
        return _fail(source, str(error))
    if not total:
        return _fail(source, "The file has no rows with an address.")
    SubscriberImport.objects.filter(pk=import_id, status=Status.UPLOADED).update(
        status=Status.CHECKED,
        file_format=reader.format,
        counts=tally.counts,
        samples=tally.samples,
        total_rows=total,
    )
    return f"checked {total} rows"


def _import_chunk(source, rows, *, done, seen, statement, topics) -> bool:
    """Write one chunk and move ``rows_done`` past it, in one transaction;
    False if another run moved it first (it goes on, this one stops)."""
    with transaction.atomic():
        locked = (
            SubscriberImport.objects.select_for_update()
            .filter(pk=source.pk, status=Status.IMPORTING, rows_done=done)
            .first()
        )
        if locked is None:
            return False
        tally = Tally(locked.counts)
        decisions = decide(rows, seen=seen, statement=statement)
        for decision in decisions:
            tally.add(decision)
        chunk_write(decisions=decisions, source=locked, topics=topics, tally=tally)
        SubscriberImport.objects.filter(pk=source.pk).update(
            rows_done=rows[-1].line, counts=tally.counts
        )
    return True


@task()
def run_import(*, import_id: int) -> str:
    """Import the rows not yet done, chunk by chunk (see the module's doc)."""
    source = SubscriberImport.objects.filter(pk=import_id, status=Status.IMPORTING)
    source = source.first()
    if source is None:
        return "not importing (done, failed or not started)"
    deadline = time.monotonic() + SLICE_SECONDS
    statement = bool(source.consent_statement.strip())
    done, seen, topics = source.rows_done, set(), Topics()
    try:
        with source.file.open("rb") as binary:
            for chunk in chunks(ImportFile(binary).rows()):
                skip([row for row in chunk if row.line <= done], seen=seen)
                rows = [row for row in chunk if row.line > done]
                if not rows:
                    continue
                if time.monotonic() > deadline:
                    run_import.enqueue(import_id=import_id)
                    return f"{done} rows done (continues)"
                if not _import_chunk(
                    source,
                    rows,
                    done=done,
                    seen=seen,
                    statement=statement,
                    topics=topics,
                ):
                    return "another run of this import took over"
                done = rows[-1].line
    except ImportFileError as error:
        SubscriberImport.objects.filter(pk=import_id).update(
            status=Status.FAILED, error=str(error), finished_at=timezone.now()
        )
        return f"failed: {error}"
    SubscriberImport.objects.filter(pk=import_id, status=Status.IMPORTING).update(
        status=Status.DONE, finished_at=timezone.now()
    )
    return f"imported {done} rows"


def import_start(*, source: SubscriberImport) -> bool:
    """The editor's go-ahead after the dry run; False if it was given already
    (a second click, another editor) or the dry run is not done."""
    started = SubscriberImport.objects.filter(
        pk=source.pk, status=Status.CHECKED
    ).update(status=Status.IMPORTING, rows_done=0, counts={}, started_at=timezone.now())
    if started:
        transaction.on_commit(lambda: run_import.enqueue(import_id=source.pk))
    return bool(started)
