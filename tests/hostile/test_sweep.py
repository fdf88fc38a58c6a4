"""Every URL the project defines, tried with hostile values and every method.

The URLs come from the URLconf (tests/hostile/urls.py), so a new page is
covered the day it is added. Nothing may answer with a server error (5xx);
where the right answer is known, it is asserted.
"""

import pytest

from tests.hostile.conftest import valid_values
from tests.hostile.urls import admin_patterns, public_patterns

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
NUL = "\x00"
# What an attacker or a broken link puts in a path segment or a parameter.
HOSTILE = [
    NUL,
    "token\x00",
    "a" * 3000,  # overlong
    "é漢字🙂\u202e",  # unicode, with a right-to-left override
    "../../etc/passwd",  # traversal
    "..\\..\\windows",
    "1.5",
    "-1",
    "0",
    "99999999999",
    "9" * 40,  # beyond any database integer
    "abc",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    "[]",
]
# For the admin's lists, one of each kind (every list page is a heavy render).
HOSTILE_KINDS = [
    "x\x00",
    "a" * 3000,
    "é漢字🙂\u202e",
    "../../etc",
    "1.5",
    "-1",
    "9" * 40,
]
# Query parameters some public view reads; unknown ones must be harmless too.
PUBLIC_PARAMETERS = ["page", "q", "p", "List-Unsubscribe", "utm_source"]
# Parameters Django's admin reads on every list, besides each filter's own.
ADMIN_LIST_PARAMETERS = ["q", "o", "p", "e", "_to_field", "_popup", "all"]


def _label(pattern):
    return pattern.name or str(pattern)


def allowed_methods(pattern) -> set[str] | None:
    """The methods a view answers; None when it cannot be told (dev-only)."""
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None:
        handlers = {m for m in view_class.http_method_names if hasattr(view_class, m)}
        return {method.upper() for method in handlers | {"head"}}
    if pattern.callback.__module__ == "django.views.static":
        return None  # serves media in development only
    # Feeds and sitemaps: read-only.
    return {"GET", "HEAD"}


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what} answered {response.status_code}"


# -- Public pages -----------------------------------------------------------


@pytest.mark.parametrize("pattern", public_patterns(), ids=_label)
def test_public_url_answers_each_method_or_405(anonymous_client, site, pattern):
    path = pattern.path(valid_values(pattern, site))
    allowed = allowed_methods(pattern)
    for method in METHODS:
        response = anonymous_client.generic(method, path)
        assert_no_server_error(response, f"{method} {path}")
        if allowed is not None and method not in allowed:
            assert response.status_code == 405, f"{method} {path}"


def _served_in_production(pattern) -> bool:
    # Media files are served by Django only in development (DEBUG), with its
    # own view; in production the storage or the proxy serves them.
    return pattern.callback.__module__ != "django.views.static"


@pytest.mark.parametrize(
    "pattern",
    [p for p in public_patterns() if p.params and _served_in_production(p)],
    ids=_label,
)
def test_public_url_with_hostile_path_segments_is_not_found(
    anonymous_client, site, pattern
):
    valid = valid_values(pattern, site)
    for name in pattern.params:
        for value in HOSTILE:
            path = pattern.path({**valid, name: value})
            for method in ("GET", "POST"):
                response = anonymous_client.generic(method, path)
                assert_no_server_error(response, f"{method} {path}")
                expected = {400} if NUL in value else {400, 404, 405}
                assert response.status_code in expected, f"{method} {path}"


@pytest.mark.parametrize("pattern", public_patterns(), ids=_label)
def test_public_url_with_hostile_parameters_gives_a_page_or_4xx(
    anonymous_client, site, pattern
):
    path = pattern.path(valid_values(pattern, site))
    for value in HOSTILE:
        query = {name: value for name in PUBLIC_PARAMETERS}
        query[value[:50]] = value  # a hostile name too
        response = anonymous_client.get(path, query)
        assert_no_server_error(response, f"GET {path} {value[:20]!r}")
        # 405 for a view that takes no GET (mail services' webhooks: POST).
        assert response.status_code in {200, 301, 302, 400, 404, 410} | (
            {405} if "GET" not in (allowed_methods(pattern) or {"GET"}) else set()
        )
        if pattern.name in {"confirm", "unsubscribe", "signup"}:
            continue
        posted = anonymous_client.post(path, query)
        assert_no_server_error(posted, f"POST {path} {value[:20]!r}")


# -- The admin --------------------------------------------------------------


@pytest.mark.parametrize("pattern", admin_patterns(), ids=_label)
def test_admin_url_answers_each_method_without_a_server_error(
    superuser_client, anonymous_client, site, pattern
):
    path = pattern.path(valid_values(pattern, site))
    for method in METHODS:
        superuser_client.force_login(site.superuser)  # the logout view ends it
        for client in (superuser_client, anonymous_client):
            response = client.generic(method, path)
            assert_no_server_error(response, f"{method} {path}")


@pytest.mark.parametrize(
    "pattern", [p for p in admin_patterns() if p.params], ids=_label
)
def test_admin_url_with_hostile_path_segments_is_a_4xx_or_a_redirect(
    superuser_client, site, pattern
):
    valid = valid_values(pattern, site)
    for name in pattern.params:
        for value in HOSTILE:
            path = pattern.path({**valid, name: value})
            response = superuser_client.get(path)
            assert_no_server_error(response, f"GET {path}")
            if NUL in value:
                assert response.status_code == 400, path


def _changelists():
    return [p for p in admin_patterns() if (p.name or "").endswith("_changelist")]


@pytest.mark.parametrize("pattern", _changelists(), ids=_label)
def test_admin_list_with_hostile_parameters_is_a_page_or_4xx(
    superuser_client, site, pattern
):
    path = pattern.path()
    response = superuser_client.get(path)
    if response.status_code == 302:
        # A one-row admin (the newsletter settings): its list is that row.
        assert response["Location"].endswith("/change/")
        for value in HOSTILE_KINDS:
            response = superuser_client.get(path, {"q": value, "o": value})
            assert_no_server_error(response, f"GET {path}?q={value[:20]!r}")
            assert response.status_code in ({400} if NUL in value else {302, 400})
        return
    assert response.status_code == 200
    changelist = response.context["cl"]
    parameters = {
        name for spec in changelist.filter_specs for name in spec.expected_parameters()
    }
    hierarchy = changelist.date_hierarchy
    if hierarchy:
        parameters |= {f"{hierarchy}__{part}" for part in ("year", "month", "day")}
    for name in sorted(parameters | set(ADMIN_LIST_PARAMETERS)):
        for value in HOSTILE_KINDS:
            response = superuser_client.get(path, {name: value})
            assert_no_server_error(response, f"GET {path}?{name}={value[:20]!r}")
            expected = {400} if NUL in value else {200, 302, 400, 404}
            assert response.status_code in expected, f"{path}?{name}={value[:20]!r}"


def test_admin_autocomplete_with_hostile_parameters_is_a_4xx_or_results(
    superuser_client, site
):
    from django.contrib import admin
    from django.urls import reverse

    url = reverse("admin:autocomplete")
    fields = [
        (model._meta.app_label, model._meta.model_name, field)
        for model, model_admin in admin.site._registry.items()
        for field in model_admin.autocomplete_fields
    ]
    assert fields, "no autocomplete field found"
    for app_label, model_name, field in fields:
        valid = {"app_label": app_label, "model_name": model_name}
        valid["field_name"] = field
        for name in [*valid, "term", "page"]:
            for value in HOSTILE:
                response = superuser_client.get(
                    url, {**valid, "term": "a", name: value}
                )
                assert_no_server_error(response, f"autocomplete {name}={value[:20]!r}")
                if NUL in value:
                    assert response.status_code == 400
