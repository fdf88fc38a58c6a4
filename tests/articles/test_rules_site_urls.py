"""Every absolute URL the site hands out is built on SITE_URL by one module
(reader/site_urls.py): pages, feeds, sitemaps and mails agree on the address."""

from django.urls import reverse

from reader.site_urls import absolute_url, site_parts, site_url


def test_a_path_is_put_on_the_public_site_address(settings):
    settings.SITE_URL = "https://careers.example"

    assert site_url("/articles/x/") == "https://careers.example/articles/x/"
    assert site_url("articles/x/") == "https://careers.example/articles/x/"
    assert site_url() == "https://careers.example/"


def test_a_path_that_looks_like_another_host_stays_on_the_site(settings):
    # A canonical link of "//evil.example/x" must not point away from the site.
    settings.SITE_URL = "https://careers.example"

    assert site_url("//evil.example/x") == "https://careers.example//evil.example/x"


def test_urls_elsewhere_keep_their_host_and_get_the_site_scheme(settings):
    settings.SITE_URL = "http://careers.example:8000"

    assert absolute_url("https://cdn.example/a.jpg") == "https://cdn.example/a.jpg"
    assert absolute_url("//cdn.example/a.jpg") == "http://cdn.example/a.jpg"
    assert absolute_url("/a/") == "http://careers.example:8000/a/"
    assert absolute_url("") == ""


def test_the_site_parts_follow_the_setting(settings):
    settings.SITE_URL = "http://careers.example:8000"

    parts = site_parts()

    assert (parts.scheme, parts.netloc, parts.hostname) == (
        "http",
        "careers.example:8000",
        "careers.example",
    )


def test_mails_and_feeds_use_the_same_address(settings, db):
    from newsletter import emails

    settings.SITE_URL = "https://moved.example"

    assert emails.message_id().endswith("@moved.example>")
    assert site_url(reverse("articles:feed")).startswith("https://moved.example/")


def test_templates_put_named_urls_on_the_site_address(settings, client, db):
    settings.SITE_URL = "https://moved.example"

    robots = client.get("/robots.txt").text
    home = client.get(reverse("articles:home")).text

    assert "Sitemap: https://moved.example/sitemap.xml" in robots
    assert f'href="https://moved.example{reverse("articles:feed")}"' in home
