from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from newsletter.models import Edition
from tests.factories import NOW, ArticleFactory, EditionFactory
from tests.newsletter import backends


@pytest.fixture(autouse=True)
def _newsletter_settings(settings):
    """Known newsletter settings, and no rate-limit counts left by other tests."""
    settings.NEWSLETTER_RATE_LIMIT = "1000/hour"
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 7 * 24 * 3600
    settings.NEWSLETTER_POSTAL_ADDRESS = "CareerHub, 1 Test Street, Testtown 12345"
    settings.NEWSLETTER_SEND_WEEKDAY = 1  # Tuesday
    settings.NEWSLETTER_SEND_TIME = "08:00"
    settings.NEWSLETTER_REVIEW_MINUTES = 60
    settings.NEWSLETTER_SKIP_EMPTY_WEEKS = True
    settings.NEWSLETTER_BATCH_SIZE = 200
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    settings.NEWSLETTER_RETRY_DELAY = 600
    settings.NEWSLETTER_CLAIM_TIMEOUT = 60
    settings.NEWSLETTER_SENDER_THREADS = 1  # one sender unless a test says more
    settings.TIME_ZONE = "Europe/London"
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = ""  # List-Unsubscribe: https only
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recorder(settings):
    """Send every mail through the recording backend; returns its record."""
    settings.MAILERS = {
        "default": {"BACKEND": "tests.newsletter.backends.CountingBackend"}
    }
    backends.RECORDER = backends.Recorder()
    return backends.RECORDER


@pytest.fixture
def edition():
    """A one-article edition due since a minute before NOW (test files with
    an edition of their own define ``edition`` themselves)."""
    with time_machine.travel(NOW, tick=False):
        return EditionFactory(
            subject="This week: salaries and CVs",
            status=Edition.Status.SCHEDULED,
            scheduled_for=NOW - timedelta(minutes=1),
            articles=[ArticleFactory(title="How to answer salary questions")],
        )
