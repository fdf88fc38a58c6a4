"""Failed purges in the admin: the list with each error, and a retry."""

import pytest

from frontcache.models import FailedPurge
from frontcache.tasks import purge

from .conftest import purged_keys

pytestmark = pytest.mark.django_db

URL = "/admin/frontcache/failedpurge/"


@pytest.fixture
def failed(varnish_front):
    varnish_front.status = 503
    purge.enqueue(keys=["a7", "home"])
    varnish_front.status = 200
    varnish_front.calls.clear()
    return FailedPurge.objects.get()


def test_the_list_shows_each_failed_purge_with_its_error(admin_client, failed):
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "a7 home" in page
    assert "HTTP 503" in page
    assert "Will be retried" in page


def test_purge_again_sends_it_and_clears_it_from_the_list(
    admin_client, failed, varnish_front
):
    response = admin_client.post(
        URL, {"action": "purge_again", "_selected_action": [failed.pk]}, follow=True
    )
    assert response.status_code == 200
    assert purged_keys(varnish_front) == [{"a7", "home"}]
    assert not FailedPurge.objects.exists()


def test_a_bad_selection_is_a_clear_answer_not_an_error(admin_client, failed):
    response = admin_client.post(
        URL, {"action": "purge_again", "_selected_action": ["abc"]}
    )
    assert response.status_code < 500
    assert FailedPurge.objects.exists()


def test_readers_cannot_see_failed_purges(client, failed):
    assert client.get(URL).status_code == 302  # to the login page
