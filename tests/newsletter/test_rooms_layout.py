"""The newsletter's shape, read from its own source (issue 21): layers that
point down, and modules a newcomer reads without scrolling for ever."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "newsletter"


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP.parent)
        if "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    """Every newsletter module ``module`` imports, function-level ones too."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {_resolve(name) for name in names} - {None, module}
    return found


def _circle_through(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    path, seen = [start], set()

    def walk(node):
        for nxt in sorted(graph[node]):
            if nxt == start:
                return True
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                if walk(nxt):
                    return True
                path.pop()
        return False

    return path if walk(start) else None


def test_no_newsletter_module_imports_one_that_imports_it_back():
    graph = {module: _imports(module) for module in MODULES}
    circles = [c for m in graph if (c := _circle_through(m, graph))]
    assert circles == []


def test_only_the_app_config_imports_the_tasks():
    importers = {m for m in MODULES if "newsletter.tasks" in _imports(m)}
    assert importers == {"newsletter.apps"}


def _sizes(limit_kind):
    for module, path in MODULES.items():
        source = path.read_text()
        if limit_kind == "module":
            yield module, source.count("\n") + 1
            continue
        for node in ast.walk(ast.parse(source)):
            kinds = {
                "function": (ast.FunctionDef, ast.AsyncFunctionDef),
                "class": (ast.ClassDef,),
            }[limit_kind]
            if isinstance(node, kinds):
                yield f"{module}.{node.name}", node.end_lineno - node.lineno + 1


@pytest.mark.parametrize(
    ("kind", "limit"), [("module", 400), ("function", 50), ("class", 300)]
)
def test_newsletter_code_stays_readable_in_size(kind, limit):
    assert [(name, size) for name, size in _sizes(kind) if size > limit] == []


def _base_names(node: ast.ClassDef) -> set[str]:
    return {ast.unparse(base).rpartition(".")[2] for base in node.bases}


def test_every_newsletter_model_admin_is_thin():
    thick = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and (
                "ModelAdmin" in _base_names(node) or node.name.endswith("Admin")
            ):
                size = node.end_lineno - node.lineno + 1
                if size > 150:
                    thick.append((f"{module}.{node.name}", size))
    assert thick == []
