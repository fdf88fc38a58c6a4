"""What waits for the current transaction to commit.

Django has no public way to list the callbacks ``transaction.on_commit`` has
registered and no rollback has dropped since; code that gives a transaction
one task for many changes needs it (``articles.related``). This is the one
place that reads them from Django's internals (``connection.run_on_commit``),
and tests/taskqueue/test_transactions.py fails loudly when a Django upgrade
changes them, instead of the batching silently stopping.
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections


def pending_on_commit(using: str | None = None) -> list[Callable[[], object]]:
    """The callbacks waiting for this transaction's commit, in their order."""
    try:
        waiting = connections[using or DEFAULT_DB_ALIAS].run_on_commit
        return [callback for _savepoints, callback, _robust in waiting]
    except (AttributeError, TypeError, ValueError) as error:
        raise RuntimeError(
            "Django no longer keeps on_commit callbacks as taskqueue/"
            "transactions.py reads them: update pending_on_commit."
        ) from error
