"""Import throughput: `coder import` on a large synthetic survey, beside pandas + sqlite3.

    python benchmarks/bench_import.py [--rows 100000] [--questions 2]

Prints rows/s, comments/s and peak memory for coder's streaming import (through the
real command in a subprocess, so memory is its own) and for a plain baseline that reads
the whole file with pandas and writes it with `to_sql` (no respondents table, no FTS,
no dedupe, no rollback), measured in the same run on the same file.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "the caseload waiting list support supervision worry anxious online gaming phone "
    "apps training school family abuse needs senior colleague advice police referral "
    "meeting confident unsure children young people harmful behaviour team manager "
    "specialist service time pressure risk assessment foster carer night"
).split()
ROLES = ["social worker", "teacher", "foster carer", "police officer", "youth worker", "nurse"]


def make_survey(path: Path, rows: int, questions: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "role", "area", "years", *[f"q{i}" for i in range(1, questions + 1)]])
        for i in range(rows):
            answers = [
                " ".join(rng.choices(WORDS, k=rng.randint(3, 40))) if rng.random() > 0.1 else ""
                for _ in range(questions)
            ]
            w.writerow(
                [f"R{i:07d}", rng.choice(ROLES), "ABCDEF"[i % 6], rng.randint(0, 35), *answers]
            )


# Runs code in a child process and prints that process's own peak memory (KiB) last.
MEASURED = """
import resource, sys
code = sys.argv.pop(1)
try:
    exec(compile(code, "<bench>", "exec"))
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

CODER = """
import sys
from coder.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
"""


def measured(code: str, *args: str) -> tuple[float, float]:
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, code, *args], check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t
    return elapsed, int(done.stderr.strip().splitlines()[-1]) / 1024


def run_coder(csv_path: Path, db: Path, questions: int) -> tuple[float, float]:
    subprocess.run(
        [sys.executable, "-m", "coder", "init", str(db)], check=True, capture_output=True
    )
    args = [
        "import",
        str(db),
        str(csv_path),
        "--id",
        "id",
        "--attr",
        "role",
        "--attr",
        "area",
        "--attr",
        "years",
        "-q",
    ]
    for i in range(1, questions + 1):
        args += ["--text", f"q{i}"]
    return measured(CODER, *args)


BASELINE = """
import sqlite3, sys, pandas as pd
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
conn = sqlite3.connect(sys.argv[2])
long = df.melt(id_vars=["id", "role", "area", "years"], var_name="question", value_name="text")
long = long[long["text"].str.strip() != ""]
long.to_sql("comments", conn, index=False, chunksize=10000)
conn.commit()
"""


def run_baseline(csv_path: Path, db: Path) -> tuple[float, float]:
    return measured(BASELINE, str(csv_path), str(db))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--questions", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        survey = tmp / "survey.csv"
        make_survey(survey, args.rows, args.questions)
        size_mb = survey.stat().st_size / 1e6
        import sqlite3

        b_time, b_mem = run_baseline(survey, tmp / "baseline.db")
        c_time, c_mem = run_coder(survey, tmp / "coder.db", args.questions)
        comments = (
            sqlite3.connect(tmp / "coder.db").execute("SELECT count(*) FROM comments").fetchone()[0]
        )
        print(
            f"survey: {args.rows:,} rows x {args.questions} questions, {size_mb:.0f} MB, "
            f"{comments:,} non-empty answers"
        )
        print(f"{'':28}{'seconds':>10}{'rows/s':>12}{'comments/s':>13}{'peak MB':>10}")
        for name, secs, mem in [
            ("coder import (streaming)", c_time, c_mem),
            ("pandas + sqlite3 baseline", b_time, b_mem),
        ]:
            print(
                f"{name:28}{secs:>10.2f}{args.rows / secs:>12,.0f}"
                f"{comments / secs:>13,.0f}{mem:>10.0f}"
            )
        print(
            "coder's figure includes respondents, attributes, full-text index, duplicate "
            "checks and all-or-nothing rollback; the baseline writes one flat table."
        )


if __name__ == "__main__":
    main()
