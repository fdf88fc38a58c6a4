"""Every URL pattern of the project, read from the URLconf (never a hand list).

Each pattern becomes a template of segments: fixed text and named parameters,
so tests can fill the parameters with valid or hostile values.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")
# An optional unnamed group, e.g. anymail's ^mailgun/inbound(_mime)?/$: left out.
_REGEX_OPTIONAL = re.compile(r"\((?!\?)[^()]*\)\?")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: its name, its parts and the admin model it serves."""

    name: str | None
    parts: tuple  # str (fixed text) or ("param", name)
    callback: object
    model: type | None = None

    @property
    def params(self) -> list[str]:
        return [part[1] for part in self.parts if isinstance(part, tuple)]

    @property
    def is_admin(self) -> bool:
        return self.parts[0].startswith("/admin/")

    def path(self, values: dict | None = None, default: str = "1") -> str:
        """The URL with each parameter set (percent-encoded)."""
        values = values or {}
        return "".join(
            quote(str(values.get(part[1], default)), safe="")
            if isinstance(part, tuple)
            else part
            for part in self.parts
        )

    def __str__(self):
        return self.path({name: f"<{name}>" for name in self.params})


def _split(pattern) -> list:
    if isinstance(pattern, RoutePattern):
        text, param = str(pattern), _ROUTE_PARAM
    else:
        text, param = (
            _REGEX_OPTIONAL.sub("", str(pattern).lstrip("^").rstrip("$")).replace(
                "\\", ""
            ),
            (_REGEX_PARAM),
        )
    parts, position = [], 0
    for match in param.finditer(text):
        parts.append(text[position : match.start()])
        parts.append(("param", match.group("name")))
        position = match.end()
    parts.append(text[position:])
    return [part for part in parts if part != ""]


def _admin_models() -> dict:
    return {
        f"{model._meta.app_label}/{model._meta.model_name}/": model
        for model in admin.site._registry
    }


def all_patterns(resolver=None, parts=(), model=None) -> list[Pattern]:
    resolver = resolver or get_resolver()
    found = []
    models = _admin_models()
    for entry in resolver.url_patterns:
        entry_parts = (*parts, *_split(entry.pattern))
        if isinstance(entry, URLResolver):
            route = str(entry.pattern)
            found += all_patterns(entry, entry_parts, models.get(route, model))
        elif isinstance(entry, URLPattern):
            found.append(
                Pattern(
                    name=entry.name,
                    parts=_merge(("/", *entry_parts)),
                    callback=entry.callback,
                    model=model,
                )
            )
    return found


def _merge(parts) -> tuple:
    """Join neighbouring fixed texts, so the first part is the path's start."""
    merged = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return tuple(merged)


def public_patterns() -> list[Pattern]:
    return [pattern for pattern in all_patterns() if not pattern.is_admin]


def admin_patterns() -> list[Pattern]:
    return [pattern for pattern in all_patterns() if pattern.is_admin]
