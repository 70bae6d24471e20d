"""The layers stay visible: only the store speaks SQL, only tui/ imports Textual, only nlp spaCy,
only suggest/ and discover/ scikit-learn, only the reports pandas and matplotlib."""

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
    "spacy": ("nlp.py",),
    "sklearn": ("suggest/", "discover/"),
    "joblib": ("suggest/", "discover/"),  # scikit-learn's parallel fitting, used only beside it
    # store/reports.py reads the project's tables straight into data frames for the reports
    # (one query, no row objects), so the store's report queries are the one place outside
    # report/ that builds them.
    "pandas": ("report/", "store/reports.py"),
    # The report's charts, and the learning curve `coder evaluate` draws.
    "matplotlib": ("report/", "suggest/evaluation.py"),
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


def coder_modules_imported(source: str, rel: str) -> set[str]:
    """The coder modules (and packages) that the file at rel (under coder/) imports, relative
    imports resolved."""
    package = ["coder", *Path(rel).parent.parts]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "coder" or n.startswith("coder.")}


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


def test_suggestions_never_import_the_reports():
    """The model computes; how results are shown is the reports' business, not its own."""
    offenders = []
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith("suggest/"):
            continue
        reached = coder_modules_imported(path.read_text(encoding="utf-8"), rel)
        if any(n == "coder.report" or n.startswith("coder.report.") for n in reached):
            offenders.append(rel)
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from coder import report",
        "import coder.report.build",
        "from coder.report.data import load",
        "from ..report import build",
        "from .. import report",
    ],
)
def test_an_import_of_the_reports_is_seen_however_it_is_written(source):
    reached = coder_modules_imported(source, "suggest/x.py")
    assert any(n == "coder.report" or n.startswith("coder.report.") for n in reached)


def test_imports_within_suggest_are_not_taken_for_the_reports():
    reached = coder_modules_imported(
        "from coder.suggest import model\nfrom . import features", "suggest/x.py"
    )
    assert not any(n.startswith("coder.report") for n in reached)
    assert {"coder.suggest.model", "coder.suggest.features"} <= reached


def test_every_package_is_installed_by_a_plain_pip_install():
    """`pip install .` ships only the packages pyproject.toml lists: a package left out
    works from a checkout (and in the editable install the tests use) but not for a user."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(root).parts)
        for path in (root / "coder").rglob("__init__.py")
    }
    assert found - listed == set()
