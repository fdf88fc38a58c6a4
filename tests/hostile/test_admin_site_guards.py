"""The admin site hardens every ModelAdmin when it is registered, through
Django's public API (a default site of our own), not by rewriting the site's
registry once at start-up: an admin registered later is guarded too."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from httpguard.admin_site import GuardedAdminSite, HardenedAdminMixin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_default_admin_site_is_the_guarded_one():
    assert isinstance(admin.site, GuardedAdminSite)


def test_every_registered_admin_is_hardened():
    registered = [
        model for model in apps.get_models() if admin.site.is_registered(model)
    ]

    assert len(registered) > 5  # the project's, auth's, axes', the task queue's
    for model in registered:
        assert isinstance(admin.site.get_model_admin(model), HardenedAdminMixin)


@pytest.fixture
def late_registration():
    """ContentType's admin, registered after start-up (as a plugin might)."""
    assert not admin.site.is_registered(ContentType)
    admin.site.register(ContentType)
    yield admin.site.get_model_admin(ContentType)
    admin.site.unregister(ContentType)


def test_an_admin_registered_late_reads_only_ascii_ids(late_registration):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    first = ContentType.objects.order_by("pk").first()

    assert late_registration.get_object(request, str(first.pk)) == first
    # A full-width digit is a number to int(), not an id.
    full_width = str(first.pk).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert late_registration.get_object(request, full_width) is None
    assert str(late_registration) == "contenttypes.ModelAdmin"


def test_an_admin_registered_with_options_is_hardened():
    site = GuardedAdminSite(name="options")
    site.register(ContentType, list_display=["app_label", "model"])

    model_admin = site.get_model_admin(ContentType)
    assert isinstance(model_admin, HardenedAdminMixin)
    assert model_admin.list_display == ["app_label", "model"]
