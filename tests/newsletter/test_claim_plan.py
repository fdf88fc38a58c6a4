"""The claim query's cost stays flat as an edition goes out (PostgreSQL).

Sent rows pile up in front of the pending ones, in id order, while the
planner's statistics still say every row is pending. Walking the primary key
in id order then reads every row sent so far for each batch: the database
work per mail grew with the list. The claim must read the pending rows only.
"""

from datetime import timedelta

import pytest
from django.db import transaction

from newsletter import delivery_claims, delivery_lifecycle
from newsletter.models import Delivery, Edition, Subscriber
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

LIST_SIZE = 3000
BATCH = 200


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (its planner and row locks)")


def test_claim_reads_the_pending_rows_only_when_most_have_gone_out(now):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", status="confirmed")
        for n in range(LIST_SIZE)
    )
    edition = EditionFactory(
        status=Edition.Status.SCHEDULED,
        scheduled_for=now - timedelta(minutes=1),
    )
    delivery_lifecycle.start_sending(edition, now)  # statistics: all pending
    first_pending = (
        Delivery.objects.filter(edition=edition).order_by("pk")[LIST_SIZE - BATCH].pk
    )
    Delivery.objects.filter(edition=edition, pk__lt=first_pending).update(
        status=Delivery.Status.SENT
    )

    with transaction.atomic():
        plan = (
            delivery_claims.claimable_pending(edition, now)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:BATCH]
            .explain(analyze=True)
        )

    assert "newsletter_delivery_claimable" in plan, plan
    assert "Sort" not in plan, plan
    assert "Rows Removed by Filter" not in plan, plan  # no sent row was read
