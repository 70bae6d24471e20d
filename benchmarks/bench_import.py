"""Import throughput: `coder import` on a large synthetic survey, beside pandas + sqlite3 + FTS5.

    python benchmarks/bench_import.py [--rows 200000 --rows 1000000] [--repeat 3] [--flat]
    python benchmarks/bench_import.py --insert-methods [--rows 360000]

For each size, prints seconds, processor time, rows/s, comments/s and peak memory for
coder's streaming import (the real command, in a child process, so time and memory are
its own) and for a plain baseline measured in the same run on the same file: pandas
`read_csv(chunksize=...)`, the answer columns melted to one row per non-empty answer,
plain `sqlite3` `executemany` into one comments table and the text indexed in an FTS5
table with external content, as coder's is, each chunk committed. With `--repeat N` each
is run N times, taking turns to go first, and the median is shown. `--flat` adds the older baseline: the whole file read at once and
written as one flat table with `to_sql` (no full-text index).

`--insert-methods` times three ways of writing the same comment rows into coder's
comments table: sqlite-utils `insert_all`, `executemany`, and the store's multi-row
`insert_rows`.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

WORDS = (
    "the caseload waiting list support supervision worry anxious online gaming phone "
    "apps training school family abuse needs senior colleague advice police referral "
    "meeting confident unsure children young people harmful behaviour team manager "
    "specialist service time pressure risk assessment foster carer night"
).split()
ROLES = ["social worker", "teacher", "foster carer", "police officer", "youth worker", "nurse"]
ATTRIBUTES = ["role", "area", "years"]


def make_survey(path: Path, rows: int, questions: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", *ATTRIBUTES, *[f"q{i}" for i in range(1, questions + 1)]])
        for i in range(rows):
            answers = [
                " ".join(rng.choices(WORDS, k=rng.randint(3, 40))) if rng.random() > 0.1 else ""
                for _ in range(questions)
            ]
            w.writerow(
                [f"R{i:07d}", rng.choice(ROLES), "ABCDEF"[i % 6], rng.randint(0, 35), *answers]
            )


# Runs code in a child process and prints that process's own peak memory (KiB) and
# processor time (user + system seconds) last.
MEASURED = """
import resource, sys
code = sys.argv.pop(1)
try:
    exec(compile(code, "<bench>", "exec"))
finally:
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(use.ru_maxrss, use.ru_utime + use.ru_stime, file=sys.stderr)
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

# The plain way: pandas in chunks, melted, executemany, an external-content FTS5 index.
BASELINE = """
import sqlite3, sys
import pandas as pd
source, db, chunk_rows, questions = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
conn = sqlite3.connect(db)
conn.execute(
    "CREATE TABLE comments (id INTEGER PRIMARY KEY, respondent TEXT, role TEXT, area TEXT,"
    " years TEXT, question TEXT, text TEXT NOT NULL)"
)
conn.execute(
    "CREATE VIRTUAL TABLE comments_fts USING fts5(text, content='comments',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
next_id = 1
for chunk in pd.read_csv(source, dtype=str, keep_default_na=False, chunksize=chunk_rows):
    long = chunk.melt(
        id_vars=["id", "role", "area", "years"], value_vars=questions,
        var_name="question", value_name="text",
    )
    long["text"] = long["text"].str.strip()
    long = long[long["text"] != ""]
    ids = range(next_id, next_id + len(long))
    next_id += len(long)
    conn.executemany(
        "INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?)",
        zip(ids, long["id"], long["role"], long["area"], long["years"], long["question"],
            long["text"]),
    )
    conn.executemany("INSERT INTO comments_fts (rowid, text) VALUES (?, ?)", zip(ids, long["text"]))
    conn.commit()
conn.close()
"""

# The older baseline: the whole file at once, one flat table, no full-text index.
FLAT = """
import sqlite3, sys, pandas as pd
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
conn = sqlite3.connect(sys.argv[2])
long = df.melt(id_vars=["id", "role", "area", "years"], var_name="question", value_name="text")
long = long[long["text"].str.strip() != ""]
long.to_sql("comments", conn, index=False, chunksize=10000)
conn.commit()
"""


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # processor time: what the work costs, less disturbed by a busy machine
    peak_mb: float


def measured(code: str, *args: str) -> Run:
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, code, *args], check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t
    peak, cpu = done.stderr.strip().splitlines()[-1].split()
    return Run(elapsed, float(cpu), int(peak) / 1024)


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def run_coder(survey: Path, db: Path, questions: int) -> Run:
    fresh(db)
    subprocess.run(
        [sys.executable, "-m", "coder", "init", str(db)], check=True, capture_output=True
    )
    args = ["import", str(db), str(survey), "--id", "id", "-q"]
    for name in ATTRIBUTES:
        args += ["--attr", name]
    for i in range(1, questions + 1):
        args += ["--text", f"q{i}"]
    return measured(CODER, *args)


def run_baseline(survey: Path, db: Path, questions: int, chunk_rows: int) -> Run:
    fresh(db)
    names = [f"q{i}" for i in range(1, questions + 1)]
    return measured(BASELINE, str(survey), str(db), str(chunk_rows), *names)


def run_flat(survey: Path, db: Path) -> Run:
    fresh(db)
    return measured(FLAT, str(survey), str(db))


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.peak_mb for r in runs),
    )


def compare(size: int, questions: int, repeat: int, flat: bool, tmp: Path) -> None:
    import sqlite3

    from coder.corpus import CHUNK_COMMENTS

    survey = tmp / f"survey-{size}.csv"
    make_survey(survey, size, questions)
    size_mb = survey.stat().st_size / 1e6
    # The baseline's chunks hold about as many answers as coder's transactions.
    chunk_rows = CHUNK_COMMENTS // questions
    runs: dict[str, list[Run]] = {"coder": [], "baseline": [], "flat": []}
    for attempt in range(repeat):
        # Each goes first in turn, so neither always meets a warmer or busier machine.
        order = ["coder", "baseline"] if attempt % 2 == 0 else ["baseline", "coder"]
        for name in order:
            if name == "coder":
                runs["coder"].append(run_coder(survey, tmp / "coder.db", questions))
            else:
                runs["baseline"].append(
                    run_baseline(survey, tmp / "baseline.db", questions, chunk_rows)
                )
        if flat:
            runs["flat"].append(run_flat(survey, tmp / "flat.db"))
    with sqlite3.connect(tmp / "coder.db") as conn:
        comments = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
    with sqlite3.connect(tmp / "baseline.db") as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone()[0] == comments
    print(
        f"\nsurvey: {size:,} rows x {questions} questions, {size_mb:.0f} MB, "
        f"{comments:,} non-empty answers; median of {repeat}"
    )
    print(f"{'':44}{'seconds':>9}{'CPU s':>7}{'rows/s':>10}{'comments/s':>12}{'peak MB':>9}")
    lines = [
        ("coder import (streaming)", "coder"),
        (f"pandas chunks + sqlite3 + FTS5 ({chunk_rows:,} rows)", "baseline"),
    ]
    if flat:
        lines.append(("pandas + to_sql, one flat table, no FTS", "flat"))
    for label, key in lines:
        r = median(runs[key])
        print(
            f"{label:44}{r.seconds:>9.2f}{r.cpu:>7.2f}{size / r.seconds:>10,.0f}"
            f"{comments / r.seconds:>12,.0f}{r.peak_mb:>9.0f}"
        )
    coder, baseline = median(runs["coder"]), median(runs["baseline"])
    each = ", ".join(
        f"{c.seconds / b.seconds:.2f}" for c, b in zip(runs["coder"], runs["baseline"], strict=True)
    )
    print(
        f"coder / baseline: {coder.seconds / baseline.seconds:.2f} in seconds (each run: {each}),"
        f" {coder.cpu / baseline.cpu:.2f} in CPU time"
    )


def insert_methods(rows: int) -> None:
    """sqlite-utils insert_all, executemany and the store's insert_rows on the same rows."""
    import sqlite_utils

    from coder.store import Store, create_project

    Row = tuple[int, str, None, None, str, None]
    rng = random.Random(7)
    columns = ("id", "source_id", "respondent_id", "question_id", "text", "import_id")
    data: list[Row] = [
        (i, f"R{i:07d}:q1", None, None, " ".join(rng.choices(WORDS, k=rng.randint(3, 40))), None)
        for i in range(1, rows + 1)
    ]
    insert = "INSERT OR IGNORE INTO comments (" + ", ".join(columns) + ")"

    def executemany(store: Store, part: list[Row]) -> None:
        store.db.executemany(insert + " VALUES (?, ?, ?, ?, ?, ?)", part)

    def insert_rows(store: Store, part: list[Row]) -> None:
        store.db.insert_rows(insert, len(columns), part)

    def insert_all(store: Store, part: list[Row]) -> None:
        db = sqlite_utils.Database(store.db.conn)
        db["comments"].insert_all([columns, *part], ignore=True, batch_size=len(part))

    print(f"\n{rows:,} comment rows into coder's comments table, 20,000 a transaction:")
    with tempfile.TemporaryDirectory() as tmp:
        for name, method in [
            ("sqlite-utils insert_all", insert_all),
            ("executemany", executemany),
            ("store insert_rows (multi-row)", insert_rows),
        ]:
            times = []
            for attempt in range(3):
                path = Path(tmp) / f"{name.split()[0]}-{attempt}.db"
                store = create_project(path)
                t = time.process_time()
                for k in range(0, rows, 20_000):
                    with store.db.transaction():
                        method(store, data[k : k + 20_000])
                times.append(time.process_time() - t)
                store.close()
            print(f"  {name:32}{statistics.median(times):>7.2f} s CPU (median of 3)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="survey size; repeatable")
    ap.add_argument("--questions", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the median is shown")
    ap.add_argument("--flat", action="store_true", help="add the one-flat-table baseline")
    ap.add_argument("--insert-methods", action="store_true")
    args = ap.parse_args()
    if args.insert_methods:
        insert_methods((args.rows or [360_000])[0])
        return
    print("coder's figure includes respondents, attributes, the full-text index, duplicate")
    print("checks and all-or-nothing rollback; the baseline writes comments and their index.")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.rows or [200_000]:
            compare(size, args.questions, args.repeat, args.flat, Path(tmp))


if __name__ == "__main__":
    main()
