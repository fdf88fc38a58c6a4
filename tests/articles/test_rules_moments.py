"""The desk words a moment one way (desk/moments.py): in the site's time
zone, named, in sentences and in tight places alike."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from desk.moments import when
from newsletter.desk import wording
from tests.factories import EditionFactory

MOMENT = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def london(settings):
    settings.TIME_ZONE = "Europe/London"


def test_a_sentence_names_the_day_and_the_site_time_zone():
    assert when(MOMENT) == "Monday 15 June 2026, 13:00 BST (Europe/London)"


def test_an_editor_elsewhere_also_reads_their_own_time():
    text = when(MOMENT, zoneinfo.ZoneInfo("America/New_York"))

    assert text.endswith(
        ", which is Monday 15 June 2026, 08:00 EDT in your time zone (America/New_York)"
    )


def test_an_editor_in_the_site_time_zone_reads_it_once():
    assert "your time zone" not in when(MOMENT, zoneinfo.ZoneInfo("Europe/London"))


def test_the_short_wording_keeps_the_zone_name():
    assert when(MOMENT, short=True) == "15 Jun 2026, 13:00 BST"


def test_templates_word_it_the_same_way():
    rendered = Template("{% load desk_moments %}{{ moment|when_short }}").render(
        Context({"moment": MOMENT})
    )

    assert rendered == when(MOMENT, short=True)


@pytest.mark.django_db
def test_the_edition_list_column_uses_the_short_wording():
    edition = EditionFactory(status="scheduled", scheduled_for=MOMENT)

    assert when(MOMENT, short=True) in wording.state(edition)
