"""A longer attack on coder than CI runs: fuzzing, kills, contention, hostile project files.

    python benchmarks/attack.py [--fuzz 2000] [--kills 20] [--rows 300000] [--seconds 150]

Prints what it found, all of which should be zero: tracebacks, "unexpected" errors,
errors longer than one line, "database is locked", codings lost after a kill, and
hostile project files that a command did not refuse or handle cleanly.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODER = [sys.executable, "-m", "coder"]
found: Counter[str] = Counter()


def judge(name: str, done: subprocess.CompletedProcess[str]) -> None:
    """Count what a command's ending says about it."""
    err = done.stderr
    if "Traceback" in err:
        found["tracebacks"] += 1
        print(f"  traceback from {name}:\n{err[-1500:]}")
    if "error: unexpected" in err:
        found["unexpected errors"] += 1
        print(f"  unexpected error from {name}: {err.strip()[:300]}")
    lines = [line for line in err.splitlines() if line.strip()]
    if done.returncode not in (0, 130) and len(lines) > 1:
        found["errors of more than one line"] += 1
        print(f"  {len(lines)}-line error from {name}: {err[:300]!r}")
    if "locked" in err:
        found["'database is locked'"] += 1


def coder(*args: object, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CODER, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    judge(" ".join(map(str, args[:2])), done)
    return done


def survey(path: Path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    words = "caseload worry online supervision training risk school phone team".split()
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "role", "q1", "q2", "codes"])
        for i in range(rows):
            text = " ".join(rng.choices(words, k=rng.randint(2, 25)))
            writer.writerow([f"R{i:07d}", rng.choice("ABC"), text, text[::-1], ""])


def fuzz(examples: int) -> None:
    print(f"fuzzing: {examples} cases per property")
    env = {**os.environ, "CODER_FUZZ_EXAMPLES": str(examples)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        found["fuzz failures"] += 1
        print(done.stdout[-3000:])


def kills(tmp: Path, count: int, rows: int) -> None:
    print(f"killing an import of {rows:,} rows {count} times")
    data = tmp / "big.csv"
    survey(data, rows)
    project = tmp / "kill.db"
    coder("init", project)
    rng = random.Random(11)
    args = ["import", project, data, "--id", "id", "--text", "q1", "--text", "q2", "-q"]
    for _ in range(count):
        child = subprocess.Popen([*CODER, *map(str, args)], cwd=ROOT, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 6.0))
        child.send_signal(signal.SIGKILL)
        child.wait()
        conn = sqlite3.connect(project)
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            found["damaged after a kill"] += 1
        conn.close()
    coder(*args)
    conn = sqlite3.connect(project)
    comments = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
    conn.close()
    if comments != 2 * rows:
        found["rows lost or doubled after kills"] += 1
        print(f"  {comments:,} comments where {2 * rows:,} were imported")


CODING = textwrap.dedent(
    """
    import asyncio, json, random, sys
    from coder.tui.app import CoderApp

    async def main():
        app = CoderApp(sys.argv[1], sys.argv[2])
        rng = random.Random(sys.argv[2])
        deadline = asyncio.get_running_loop().time() + float(sys.argv[3])
        async with app.run_test(size=(100, 30)) as pilot:
            while asyncio.get_running_loop().time() < deadline:
                await pilot.press(rng.choice("123456789jjjjkkuan"))
            shown = {}
        print(json.dumps({"unsaved": app.unsaved}), flush=True)

    asyncio.run(main())
    """
)


def contention(tmp: Path, seconds: float) -> None:
    print(f"two workbenches, training, imports and reports on one file for {seconds:.0f} s")
    project = tmp / "busy.db"
    coder("demo", tmp / "demo", "--no-tui", "--fresh")
    shutil.copy(tmp / "demo" / "hsb-demo.db", project)
    data = tmp / "more.csv"
    survey(data, 20_000, seed=3)
    coders = [
        subprocess.Popen(
            [sys.executable, "-c", CODING, str(project), name, str(seconds)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("ann", "ben")
    ]  # fmt: skip
    started = time.perf_counter()
    runs = 0
    while time.perf_counter() - started < seconds:
        for args in (
            ["status", project],
            ["report", project, "--by", "role"],
            ["export", project, tmp / f"out{runs}.csv"],
            ["train", project, "--budget", "0", "--features", "tfidf", "-q"],
            ["import", project, data, "--id", "id", "--text", "q1", "-q"],
        ):
            coder(*args)
            runs += 1
    for child in coders:
        out, err = child.communicate(timeout=600)
        judge("workbench", subprocess.CompletedProcess(child.args, child.returncode, out, err))
        if child.returncode or '"unsaved": []' not in out:
            found["workbench ended with unsaved work or an error"] += 1
            print(f"  workbench: {out[-300:]} {err[-1500:]}")
    print(f"  {runs} command runs beside the two workbenches")


HOSTILE = [
    "CREATE TRIGGER t AFTER INSERT ON codings BEGIN DELETE FROM codings; END",
    "CREATE TRIGGER r BEFORE INSERT ON memos BEGIN SELECT RAISE(ABORT, 'no'); END",
    "CREATE VIEW spin AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
    "UPDATE codes SET parent_id = id",
    "UPDATE codes SET color = 'not a colour'",
    "UPDATE codes SET examples = '[1, {'",
    "UPDATE comments SET text = NULL WHERE id < 50",
    "UPDATE model_versions SET params = '{'",
    "UPDATE model_versions SET model = zeroblob(1000)",
    "PRAGMA user_version = -1",
    "PRAGMA user_version = 999",
    "DROP TABLE comments_fts",
    "DELETE FROM sqlite_master WHERE type = 'index'",
]


def hostile(tmp: Path) -> None:
    print(f"{len(HOSTILE)} hostile project files x 12 commands")
    base = tmp / "base.db"
    coder("demo", tmp / "h", "--no-tui", "--fresh")
    shutil.copy(tmp / "h" / "hsb-demo.db", base)
    coder("train", base, "--budget", "0", "--features", "tfidf", "-q")
    for n, sql in enumerate(HOSTILE):
        project = tmp / f"hostile{n}.db"
        shutil.copy(base, project)
        conn = sqlite3.connect(project)
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute(sql)
            conn.commit()
        except sqlite3.Error:
            pass
        conn.close()
        before = sqlite3.connect(base).execute("SELECT count(*) FROM codings").fetchone()[0]
        for args in (
            ["status", project],
            ["codebook", project, "show"],
            ["report", project],
            ["export", project, tmp / f"x{n}.csv"],
            ["suggest", project],
            ["train", project, "--budget", "0", "--features", "tfidf", "-q"],
            ["tui", project],  # no terminal here: refused either way
            ["merge", base, project],  # a hostile colleague's copy merged into a good one
            ["agreement", project],
            ["export", project, tmp / f"x{n}.qdpx"],
            ["codebook", project, "export", tmp / f"x{n}.qdc"],
            ["repair", project],
        ):
            coder(*args, timeout=300)
        after = coder("status", project)
        expected = "newer coder" in after.stderr  # refused untouched, as it should be
        if "coded" not in after.stdout and not expected:
            found["hostile files still unusable after repair"] += 1
            print(f"  {sql[:60]!r}: {after.stderr.strip()[:200]}")
        del before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=500, help="Cases per fuzzed property.")
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs of a large import.")
    parser.add_argument("--rows", type=int, default=100_000, help="Rows of that import.")
    parser.add_argument("--seconds", type=float, default=60, help="Time under contention.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        fuzz(args.fuzz)
        kills(tmp, args.kills, args.rows)
        contention(tmp, args.seconds)
        hostile(tmp)
    print("\nfound:")
    for what in (
        "tracebacks", "unexpected errors", "errors of more than one line", "'database is locked'",
        "damaged after a kill", "rows lost or doubled after kills", "fuzz failures",
        "workbench ended with unsaved work or an error", "hostile files still unusable after repair",
    ):  # fmt: skip
        print(f"  {found[what]:5d}  {what}")
    sys.exit(1 if sum(found.values()) else 0)


if __name__ == "__main__":
    main()
