"""The dependency lock: pyproject.toml bounds every dependency, constraints.txt
pins each to one version inside its bounds (with no registry URL in it), and
the environment the tests run in is the locked one."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)$")


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    entries = [line for line in lines if line and not line.startswith("#")]
    bad = [line for line in entries if not PIN.match(line)]
    assert bad == [], "constraints.txt holds only name==version lines"
    return {
        canonicalize_name(m[1]): m[2] for m in (PIN.match(line) for line in entries)
    }


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    requirements = [Requirement(line) for line in lines]
    return [r for r in requirements if canonicalize_name(r.name) != project["name"]]


def test_lock_file_names_no_registry():
    text = (ROOT / "constraints.txt").read_text()
    assert "://" not in text
    assert " @ " not in text
    assert "--index-url" not in text and "--extra-index-url" not in text


def test_every_dependency_has_an_upper_bound():
    unbounded = [
        str(r)
        for r in declared()
        if not any(s.operator in {"<", "<=", "==", "~="} for s in r.specifier)
    ]
    assert unbounded == []


def test_every_dependency_is_pinned_within_its_bounds():
    locked = pins()
    outside = [
        (str(r), locked.get(canonicalize_name(r.name)))
        for r in declared()
        if locked.get(canonicalize_name(r.name)) not in r.specifier
    ]
    assert outside == []


def test_the_tests_run_on_the_locked_versions():
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in importlib.metadata.distributions()
    }
    differing = {
        name: (version, installed.get(name))
        for name, version in pins().items()
        if installed.get(name) != version
    }
    assert differing == {}, "run `make` to install constraints.txt"
