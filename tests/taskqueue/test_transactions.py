"""``pending_on_commit`` is the one reader of Django's private on_commit list:
if a Django upgrade changes it, these tests fail, not the batching silently."""

import pytest
from django.db import connection, transaction

from taskqueue.transactions import pending_on_commit

pytestmark = pytest.mark.django_db


def first():
    pass


def second():
    pass


def dropped():
    pass


def test_lists_the_callbacks_waiting_for_the_commit_in_order():
    before = pending_on_commit()
    with transaction.atomic():
        transaction.on_commit(first)
        with transaction.atomic():
            transaction.on_commit(second)

        assert pending_on_commit()[len(before) :] == [first, second]
        assert pending_on_commit(connection.alias)[len(before) :] == [first, second]


def test_leaves_out_what_a_rolled_back_savepoint_dropped():
    before = pending_on_commit()
    with transaction.atomic():
        transaction.on_commit(first)
        try:
            with transaction.atomic():
                transaction.on_commit(dropped)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        transaction.on_commit(second)

        assert pending_on_commit()[len(before) :] == [first, second]


def test_an_unknown_shape_is_a_loud_error(monkeypatch):
    monkeypatch.setattr(connection, "run_on_commit", [(first,)])

    with pytest.raises(RuntimeError, match="update pending_on_commit"):
        pending_on_commit()
