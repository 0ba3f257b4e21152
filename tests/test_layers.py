"""Which layer may import which (docs/architecture.md): the models know nothing of
requests, and neither the worker nor web/ reaches into the views. Read from the source
with `ast`, so an import inside a function counts too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUEST_SIDE = ("flask", "flask_*", "werkzeug", "views", "web")

RULES = [
    # The pure computations (the clock among them): plain inputs, no database, no request.
    ("engines", (*REQUEST_SIDE, "peewee", "playhouse", "worker", "models")),
    ("models", REQUEST_SIDE),
    ("worker", ("views",)),
    ("web", ("views",)),
    ("cli", ("views",)),
]


def imported_names(source, package):
    """The absolute names of the modules that `source`, a module in the dotted
    `package`, imports."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            parts = package.split(".")
            base = parts[:len(parts) - node.level + 1]
            yield ".".join(base + ([node.module] if node.module else []))
        elif isinstance(node, ast.ImportFrom):
            yield node.module


def package_of(path):
    parts = path.relative_to(ROOT).parent.parts
    return ".".join(parts)


def forbidden(name, rules):
    top = name.split(".")[0]
    return any(top == rule or (rule.endswith("*") and top.startswith(rule[:-1]))
               for rule in rules)


@pytest.mark.parametrize(("package", "rules"), RULES, ids=[package for package, _ in RULES])
def test_layer_imports_only_what_it_may(package, rules):
    module = ROOT / f"{package}.py"
    paths = [module] if module.exists() else sorted((ROOT / package).rglob("*.py"))
    assert paths
    breaches = [f"{path.relative_to(ROOT)} imports {name}"
                for path in paths
                for name in imported_names(path.read_text(), package_of(path))
                if forbidden(name, rules)]
    assert breaches == []


def test_a_relative_or_late_import_of_a_forbidden_layer_is_seen():
    source = "from . import db\n\ndef later():\n    from ..views import booking\n"
    assert list(imported_names(source, "models")) == ["models", "views"]
    assert forbidden("flask_login", REQUEST_SIDE) and not forbidden("peewee", REQUEST_SIDE)
