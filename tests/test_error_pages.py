import pytest
from django.test import Client

from reader.views import HomeView

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_the_friendly_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.text
    assert 'href="/articles/"' in response.text  # a way back to the articles


def test_a_crash_shows_the_500_page_without_details(monkeypatch):
    def crash(self, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(HomeView, "get_context_data", crash)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text
