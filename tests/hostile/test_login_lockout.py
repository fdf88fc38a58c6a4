"""Finding 1: repeated wrong passwords on /admin/login/ lock that client out."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import NOW, EditorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture
def editor():
    return EditorFactory(username="editor")


def log_in(client, password, username="editor", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        **headers,
    )


def fail(client, times, **kwargs):
    for _ in range(times):
        response = log_in(client, "wrong password", **kwargs)
        if response.status_code == 429:
            return response
        assert response.status_code == 200  # the form again, with its error
    return response


def test_fifth_failure_locks_the_address_and_the_right_password_then_fails(
    settings, editor
):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(NOW, tick=False):
        fail(client, settings.AXES_FAILURE_LIMIT - 1)
        locked = log_in(client, "wrong again")
        assert locked.status_code == 429
        right = log_in(client, PASSWORD)

    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many login attempts" in right.text
    assert "Try again in 15 minutes" in right.text
    assert right["Retry-After"] == "900"
    assert '<link rel="stylesheet"' in right.text  # the site's own page


def test_the_lock_lifts_by_itself_after_the_cool_off(editor):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(NOW, tick=False):
        assert fail(client, 5).status_code == 429
    with time_machine.travel(NOW + timedelta(minutes=14), tick=False):
        assert log_in(client, PASSWORD).status_code == 429
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        # Left alone for the cool-off (15 minutes), the right password works.
        assert log_in(client, PASSWORD).status_code == 302


def test_one_address_failing_for_a_username_does_not_lock_it_elsewhere(editor):
    """Nobody can lock an editor out from outside: locks are per address."""
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    with time_machine.travel(NOW, tick=False):
        assert fail(attacker, 20).status_code == 429
        editor_at_work = Client(REMOTE_ADDR="203.0.113.9")
        assert log_in(editor_at_work, PASSWORD).status_code == 302


def test_trying_many_usernames_from_one_address_is_locked_too(editor):
    client = Client(REMOTE_ADDR="198.51.100.66")
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            log_in(client, "guess", username=f"user{n}")
        assert log_in(client, PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_give_fresh_attempts(editor):
    """Without CLIENT_IP_HEADER the header is the client's word: ignored."""
    client = Client(REMOTE_ADDR="198.51.100.66")
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            log_in(client, "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert log_in(
            client, PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99"
        ).status_code == (429)


def test_behind_a_configured_proxy_its_header_names_the_client(settings, editor):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    with time_machine.travel(NOW, tick=False):
        fail(proxy, 5, HTTP_X_REAL_IP="198.51.100.66")
        assert log_in(proxy, PASSWORD, HTTP_X_REAL_IP="198.51.100.66").status_code == (
            429
        )
        # Another reader behind the same proxy is not locked.
        assert log_in(proxy, PASSWORD, HTTP_X_REAL_IP="203.0.113.9").status_code == 302


def test_a_superuser_unlocks_a_client_from_the_admin(django_user_model, editor):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(NOW, tick=False):
        fail(client, 5)
        assert AccessAttempt.objects.exists()
        root = django_user_model.objects.create_superuser(
            "root", "root@example.com", "another long password"
        )
        admin = Client(REMOTE_ADDR="192.0.2.1")
        admin.force_login(root)
        listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
        assert "203.0.113.9" in listing.text
        admin.post(
            reverse("admin:axes_accessattempt_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": list(
                    AccessAttempt.objects.values_list("pk", flat=True)
                ),
                "post": "yes",
            },
        )
        assert not AccessAttempt.objects.exists()
        assert log_in(client, PASSWORD).status_code == 302


def test_editors_cannot_unlock_only_superusers(editor):
    client = Client()
    client.force_login(editor)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 403
