"""Typed reads of environment variables, shared by the settings modules.

An empty variable counts as unset (its default applies), as in an env file
where ``NAME=`` is left blank. No library is used: django-environ and environs
(checked: 0.14.0 and 15.2.0) read an empty value as false or as an error, and
django-environ resolves a value starting with ``$`` as another variable's name,
which a generated SECRET_KEY may do.
"""

import os


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default
