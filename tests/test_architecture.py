"""The layers stay visible: only the store speaks SQL, only tui/ imports Textual, only nlp spaCy."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coder"

# module prefix -> the only places allowed to import it
OWNERS = {
    "sqlite3": ("store/",),
    "sqlite_utils": ("store/",),
    "textual": ("tui/",),
    "textual_plotext": ("tui/",),
    "spacy": ("nlp.py",),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_only_its_layer_imports(library):
    offenders = []
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if library in imports_of(path) and not rel.startswith(OWNERS[library]):
            offenders.append(rel)
    assert offenders == [], f"{library} imported outside {OWNERS[library]}"


def test_lower_layers_never_import_the_faces():
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("cli/", "tui/", "__main__")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("coder.cli", "coder.tui")), rel
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("coder.cli", "coder.tui")), rel


SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|"
    r"UPDATE\s+\w+\s+SET|CREATE\s+(TABLE|INDEX|VIEW)|PRAGMA\s+\w+)\b",
    re.DOTALL,
)


def test_no_sql_outside_the_store():
    offenders = []
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.search(node.value)
            ):
                offenders.append(f"{rel}: {node.value[:60]!r}")
    assert offenders == []
