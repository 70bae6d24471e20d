"""How long commands take to start, beside a bare Python start measured in the same run.

    python benchmarks/bench_startup.py [--runs 7] [--project DIR]

Each command runs as a user starts it, in a fresh process, --runs times in turn with the
others (so a busy moment on the machine spreads over all of them); the median is printed
with its difference from the baseline, `python -c "import sqlite3"`. The commands are
`coder --help`, `coder status`, `coder codebook P show` and `coder report P` (table) on the
demo project (built with `coder demo --no-tui`), and the workbench's first paint: a process
that opens the workbench headless (Textual's App.run_test) on the demo project, timed from
its start to the first screen that shows comments.

Targets: `--help` and `status` within 0.4 s of the baseline; the first paint under 1.5 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
COMMAND_TARGET = 0.4  # seconds over the baseline
PAINT_TARGET = 1.5  # seconds from process start

# Opens the workbench headless and prints the wall-clock time at which its screen first
# shows a comment (any comment id of the project in the rendered screen).
_FIRST_PAINT = """
import asyncio, sqlite3, sys, time

from coder.tui.app import CoderApp

path = sys.argv[1]
with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
    ids = [row[0] for row in conn.execute("SELECT source_id FROM comments")]

async def first_paint():
    app = CoderApp(path, "bench-startup")
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = time.time()
            screen = app.export_screenshot()
            if any(i in screen for i in ids):
                return seen
            await pilot.pause(0.005)
    raise SystemExit("the workbench showed no comment within 60 s")

print(asyncio.run(first_paint()))
"""


def coder_command() -> list[str]:
    """The `coder` script installed beside this Python, else `python -m coder`."""
    script = Path(PYTHON).with_name("coder")
    return [str(script)] if script.exists() else [PYTHON, "-m", "coder"]


def timed(argv: list[str]) -> float:
    """Seconds from starting the process to its exit; it must succeed."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def first_paint(project: Path) -> float:
    """Seconds from starting the process to the workbench's first screen with comments."""
    started = time.time()
    done = subprocess.run(
        [PYTHON, "-c", _FIRST_PAINT, str(project)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip().splitlines()[-1]) - started


def demo_project(folder: Path) -> Path:
    subprocess.run(
        [*coder_command(), "demo", "--no-tui", str(folder)], check=True, stdout=subprocess.DEVNULL
    )
    found = sorted(folder.glob("*.db"))
    if not found:
        raise SystemExit(f"coder demo made no project in {folder}")
    return found[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (median printed)")
    parser.add_argument(
        "--project", type=Path, help="folder for the demo project (default: a temporary one)"
    )
    args = parser.parse_args()

    folder = args.project or Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        project = demo_project(folder)
        coder = coder_command()
        cases = {
            'python -c "import sqlite3"': lambda: timed([PYTHON, "-c", "import sqlite3"]),
            "coder --help": lambda: timed([*coder, "--help"]),
            "coder status P": lambda: timed([*coder, "status", str(project)]),
            "coder codebook P show": lambda: timed([*coder, "codebook", str(project), "show"]),
            "coder report P": lambda: timed([*coder, "report", str(project)]),
            "workbench first paint": lambda: first_paint(project),
        }
        for measure in cases.values():  # warm the file cache before measuring
            measure()
        runs: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, measure in cases.items():
                runs[name].append(measure())
    finally:
        if args.project is None:
            shutil.rmtree(folder, ignore_errors=True)

    medians = {name: statistics.median(times) for name, times in runs.items()}
    baseline = medians['python -c "import sqlite3"']
    targets = {
        "coder --help": f"baseline + {COMMAND_TARGET} s",
        "coder status P": f"baseline + {COMMAND_TARGET} s",
        "workbench first paint": f"{PAINT_TARGET} s",
    }
    met = {
        "coder --help": medians["coder --help"] - baseline <= COMMAND_TARGET,
        "coder status P": medians["coder status P"] - baseline <= COMMAND_TARGET,
        "workbench first paint": medians["workbench first paint"] <= PAINT_TARGET,
    }
    print(f"median of {args.runs} runs, seconds (P: the demo project, {project.name})")
    print(f"{'':28s} {'median':>7s} {'- baseline':>10s}   target")
    for name, median in medians.items():
        target = targets.get(name, "")
        if target:
            target += "  met" if met[name] else "  MISSED"
        print(f"{name:28s} {median:7.3f} {median - baseline:+10.3f}   {target}")


if __name__ == "__main__":
    main()
