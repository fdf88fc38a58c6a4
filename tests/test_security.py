"""Content security policy of the public pages, and the production settings."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from newsletter import tokens
from tests.factories import ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def public_urls(now):
    """One of each public page, with an article that links to another."""
    target = ArticleFactory(title="Negotiating a raise", topics=["salary"])
    article = ArticleFactory(
        title="Preparing for an interview",
        body=f"Some advice.\n\n[[read-more:{target.pk}]]\n",
        topics=["interviews", "salary"],
    )
    article.related.add(target)
    edition = EditionFactory(status="sent", started_at=now, articles=[article, target])
    return [
        reverse("articles:home"),
        reverse("articles:list"),
        article.get_absolute_url(),
        reverse("articles:topics"),
        reverse("articles:topic", args=["interviews"]),
        article.author.get_absolute_url(),
        reverse("articles:search") + "?q=interview",
        reverse("articles:search") + "?q=zebra",
        reverse("newsletter:signup"),
        reverse("newsletter:editions"),
        edition.get_absolute_url(),
    ]


@pytest.fixture
def private_urls(now):
    """Pages for one subscriber, never cached (they may carry a CSRF token)."""
    pending = SubscriberFactory(status="pending")
    token = tokens.make_confirmation_token(pending, issued_at=now)
    return [
        reverse("newsletter:confirm", args=[token]),
        SubscriberFactory().get_unsubscribe_path(),
    ]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_pages_forbid_inline_scripts_without_a_nonce(client, public_urls, private_urls):
    for url in public_urls + private_urls:
        policy = client.get(url).headers["Content-Security-Policy"]
        script_src = directives(policy)["script-src"]
        assert script_src == ["'self'"], url
        assert "nonce-" not in policy, url
        assert "'unsafe-inline'" not in policy, url


def test_public_pages_are_the_same_for_every_request(client, public_urls):
    # A shared cache serves one copy to every reader: nothing per request
    # (nonce, CSRF token) may be in the page.
    other_reader = type(client)()
    for url in public_urls:
        first, second = client.get(url), other_reader.get(url)
        assert first.status_code == 200, url
        assert first.content == second.content, url


class InlineCodeFinder(HTMLParser):
    """Collects what the policy would block: inline scripts, handlers, styles."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
        # JSON data blocks (json_script) are not run, so the policy allows them.
        is_data = attributes.get("type") in {"application/json", "application/ld+json"}
        if tag == "script" and not attributes.get("src") and not is_data:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")


def test_pages_have_no_inline_scripts_handlers_or_styles(
    client, public_urls, private_urls
):
    for url in public_urls + private_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        finder = InlineCodeFinder()
        finder.feed(response.text)
        assert finder.found == [], url


# ---------------------------------------------------------------------------
# Production settings
# ---------------------------------------------------------------------------
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "careerhub.example",
    "SITE_URL": "https://careerhub.example",
    "EMAIL_URL": "smtp://mailer:secret@mail.careerhub.example:587",
    # Several app servers share one cache (the page cache's invalidations).
    "CACHE_URL": "redis://cache.careerhub.example:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with only the given settings variables.

    Nothing else is inherited: the test run's own variables (DATABASE_URL, the
    browser tests' DJANGO_ALLOW_ASYNC_UNSAFE) are not production's.
    """
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_of_a_cache_each_process_keeps_alone():
    """The page cache's invalidations and the sign-up limit need one cache."""
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "CACHE_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "careerhub.W001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="missing"),
        pytest.param("too-short-to-be-safe", id="short"),
        pytest.param(
            "django-insecure-careerhub-development-key-do-not-use", id="development"
        ),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Refusing to start with DEBUG=False" in result.stderr
