"""Rules the newsletter writes once and asks everywhere (issue 21)."""

import pytest

from newsletter.models import Edition
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", Edition.Status.values)
def test_editors_may_change_an_edition_until_sending_starts(status):
    edition = EditionFactory(status=status)

    in_query = Edition.objects.editable().filter(pk=edition.pk).exists()

    assert in_query == edition.is_editable == (status in {"draft", "scheduled"})
