"""The layers hold: every import of every module, read from its source, points the right way.

    core    stc/ outside stc/cli        imports no stc.stages, stc.reports, stc.cli, stc.web
    stages  stages/ (stc.stages)        imports no stc.reports, stc.cli, stc.web
    reports reports/ (stc.reports)      imports no stc.cli, stc.web
    web     web/ (stc.web), when there  imports the library only: no sqlite3, stc.store,
                                        stc.changes or stc.cli

Imports inside functions and under TYPE_CHECKING count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# folder -> the package it installs as (pyproject.toml: package-dir)
FOLDERS = {"stc": "stc", "stages": "stc.stages", "reports": "stc.reports", "web": "stc.web"}

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("stc.stages", "stc.reports", "stc.cli", "stc.web"),
    "stages": ("stc.reports", "stc.cli", "stc.web"),
    "reports": ("stc.cli", "stc.web"),
    "cli": (),
    "web": ("sqlite3", "stc.store", "stc.changes", "stc.cli"),
}


def layer_of(module: str) -> str:
    if module == "stc.__main__":  # `python -m stc`: the command line's entry point
        return "cli"
    for prefix in ("stc.stages", "stc.reports", "stc.cli", "stc.web"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix.removeprefix("stc.")
    return "core"


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the library by the name it installs as."""
    for folder, package in FOLDERS.items():
        base = ROOT / folder
        if not base.is_dir():
            continue  # web/ comes later; its rule applies as soon as it exists
        for path in sorted(base.rglob("*.py")):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join([package, *parts]), path


def imports(module: str, source: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import anywhere in the source."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:  # `from stc import stages` imports stc.stages
                yield node.lineno, f"{base}.{alias.name}"
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"):
            yield node.lineno, node.args[0].value


def wrong_way(module: str, source: str, is_package: bool = False) -> list[str]:
    """Each wrong-way import, once per line: `module:line imports target (rule)`."""
    layer = layer_of(module)
    found: dict[tuple[int, str], str] = {}
    for line, target in sorted(imports(module, source, is_package)):
        for banned in FORBIDDEN[layer]:
            if target == banned or target.startswith(banned + "."):
                found.setdefault((line, banned), target)
    return [f"{module}:{line} imports {target} ({layer} must not import {banned})"
            for (line, banned), target in sorted(found.items())]


def test_no_module_imports_the_wrong_way() -> None:
    problems = []
    seen = 0
    for module, path in modules():
        seen += 1
        problems += wrong_way(module, path.read_text(encoding="utf-8"),
                              path.name == "__init__.py")
    assert seen > 40  # the walk found the library
    assert problems == []


def test_the_reader_sees_lazy_typing_and_relative_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from stc.reports.model import build\n"
        "def f() -> None:\n"
        "    import stc.stages.condensation\n"
        "from .. import cli\n"
        "from stc import web\n"
        "importlib.import_module('stc.reports.render')\n"
    )
    found = wrong_way("stc.formats.plain", source)
    assert [p.split(" (")[0] for p in found] == [
        "stc.formats.plain:3 imports stc.reports.model",
        "stc.formats.plain:5 imports stc.stages.condensation",
        "stc.formats.plain:6 imports stc.cli",
        "stc.formats.plain:7 imports stc.web",
        "stc.formats.plain:8 imports stc.reports.render",
    ]
    assert wrong_way("stc.stages.checks", "from stc.reports import render\n") == [
        "stc.stages.checks:1 imports stc.reports (stages must not import stc.reports)"]
    assert wrong_way("stc.reports.model", "from stc.stages import checks\n") == []


def test_the_web_layer_reaches_the_store_only_through_the_library() -> None:
    assert wrong_way("stc.web.app", "from stc.stages import meaning_units\n") == []
    assert [p.split(" (")[0] for p in wrong_way(
        "stc.web.app", "import sqlite3\nfrom stc.store import transaction\n"
                       "from stc.changes.registry import change_kind\n")] == [
        "stc.web.app:1 imports sqlite3", "stc.web.app:2 imports stc.store",
        "stc.web.app:3 imports stc.changes.registry"]
