"""The demo content shows the media features: an article with two library
figures (one with caption and credit) and one with a video."""

import io

import pytest
from django.core.management import call_command

from articles.models import Article, MediaImage

pytestmark = pytest.mark.django_db


def test_the_demo_places_two_figures_and_a_video(client):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # safe to run twice

    networking = Article.objects.get(slug="networking-for-people-who-hate-networking")
    interview = Article.objects.get(slug="tell-me-about-yourself")
    page = client.get(networking.get_absolute_url()).text

    assert MediaImage.objects.count() == 2
    assert networking.figures.count() == 2
    assert page.count('<figure class="figure">') == 2
    assert "Chart: CareerHub demo data" in page
    assert "[[image:" not in page
    assert "Play video: Amy Cuddy" in client.get(interview.get_absolute_url()).text
