"""Each command loads only the libraries it uses, so `coder --help` and `coder status` answer at once.

A command runs in a fresh interpreter, as a user starts it, and reports which top-level
packages ended up in sys.modules. How long they take is for benchmarks/bench_startup.py;
here only which libraries are loaded is checked, which does not depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import all_commands, help_argv

from coder.codebook import merge_codebook, read_codebook
from coder.store import create_project

HEAVY = {
    "pandas",
    "numpy",
    "scipy",
    "sklearn",
    "spacy",
    "textual",
    "sqlite_utils",
    "matplotlib",
    "openpyxl",
    "joblib",
    "torch",
}

# Runs `coder ARGV` in this interpreter, then writes its exit code and the top-level
# packages it loaded to the file named last.
_PROBE = """
import json, sys
from coder.cli import main
argv, report = json.loads(sys.argv[1]), sys.argv[2]
try:
    main(argv)
    code = 0
except SystemExit as exc:
    code = exc.code or 0
with open(report, "w", encoding="utf-8") as handle:
    json.dump({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}, handle)
"""


def run_alone(tmp_path: Path, *argv: object) -> tuple[set[str], str]:
    """(top-level packages loaded, standard output) of `coder ARGV` in a fresh interpreter."""
    report = tmp_path / "loaded.json"
    report.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps([str(a) for a in argv]), str(report)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["code"] == 0, f"coder {argv} failed: {done.stderr}"
    return set(result["modules"]), done.stdout


def test_help_loads_no_heavy_library(tmp_path):
    loaded, out = run_alone(tmp_path, "--help")
    assert "Usage:" in out
    assert loaded & HEAVY == set()


@pytest.mark.parametrize("path", sorted(all_commands()), ids=" ".join)
def test_every_commands_help_loads_no_heavy_library(tmp_path, path):
    loaded, out = run_alone(tmp_path, *help_argv(path))
    assert "Usage:" in out
    assert loaded & HEAVY == set()


def test_status_loads_no_heavy_library(tmp_path, mini_project):
    loaded, out = run_alone(tmp_path, "status", mini_project)
    assert "comments" in out and "uncoded" in out
    assert loaded & HEAVY == set()


def test_codebook_show_loads_no_heavy_library(tmp_path, mini_project):
    loaded, out = run_alone(tmp_path, "codebook", mini_project, "show")
    assert "Workload  [1 direct]" in out
    assert loaded & HEAVY == set()


def test_report_table_loads_pandas_but_no_model_chart_or_screen(tmp_path, mini_project):
    loaded, out = run_alone(tmp_path, "report", mini_project)
    assert "Theme frequencies" in out
    assert "pandas" in loaded  # the probe sees what a command imports
    assert loaded & {"sklearn", "spacy", "textual", "matplotlib"} == set()


def test_csv_import_loads_no_dataframes_model_or_screen(tmp_path, fixtures):
    project = tmp_path / "p.db"
    store = create_project(project)
    merge_codebook(store, read_codebook(fixtures / "mini-codebook.yaml"))
    store.close()
    loaded, out = run_alone(
        tmp_path,
        "import",
        project,
        fixtures / "mini-survey.csv",
        "--text",
        "q1",
        "--id",
        "id",
        "--codes",
        "q1_codes",
        "--coder",
        "lead",
        "-q",
    )
    assert "added 4 comments" in out
    assert loaded & {"sklearn", "spacy", "textual", "pandas"} == set()
