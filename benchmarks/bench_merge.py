"""Merging two 100,000-comment copies, beside a plain ATTACH + INSERT ... SELECT.

    python benchmarks/bench_merge.py [--comments 100000] [--repeat 3]

A base project (30 codes) is made through the store's import path and copied twice; in
one copy ann codes every comment, in the other bob does (about 2.4 codes a comment, a
tenth of them segments, a memo on one comment in a hundred, each coding logged as the
workbench logs it). Timed, each the median of --repeat runs on a fresh copy of ann's:

- `coder merge ANN.db BOB.db`, the whole command in a fresh process: both copies
  checked and opened, comments matched by id and text, codes by path, every coding,
  memo and assignment compared with what is there, written and logged in one
  transaction;
- the same merge again, when nothing is new;
- the baseline: plain sqlite3, ATTACH bob's copy and INSERT ... SELECT its codings and
  memos joined on comment id and text and code path, skipping what is there, in one
  transaction (no checks of the file, no conflicts named, no change log).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from coder.domain import ImportRow
from coder.store import create_project, open_project

TOP = 10

BASELINE = """
ATTACH DATABASE ? AS other;
BEGIN IMMEDIATE;
CREATE TEMP TABLE comment_map AS
  SELECT o.id AS theirs, c.id AS ours FROM other.comments o
  JOIN main.comments c ON c.source_id = o.source_id AND c.text = o.text;
CREATE TEMP TABLE code_map AS
  WITH RECURSIVE tree(id, path) AS (
    SELECT id, name FROM other.codes WHERE parent_id IS NULL
    UNION ALL SELECT c.id, tree.path || ' > ' || c.name FROM other.codes c
    JOIN tree ON c.parent_id = tree.id)
  SELECT tree.id AS theirs, p.code_id AS ours FROM tree JOIN main.code_paths p ON p.path = tree.path;
INSERT INTO main.codings (comment_id, code_id, coder, start, "end", origin, created_at)
  SELECT cm.ours, km.ours, k.coder, k.start, k."end", k.origin, k.created_at
  FROM other.codings k JOIN comment_map cm ON cm.theirs = k.comment_id
  JOIN code_map km ON km.theirs = k.code_id
  WHERE NOT EXISTS (SELECT 1 FROM main.codings x WHERE x.comment_id = cm.ours
    AND x.code_id = km.ours AND x.coder = k.coder AND x.start IS k.start AND x."end" IS k."end");
INSERT INTO main.memos (comment_id, code_id, coder, text, created_at, updated_at)
  SELECT cm.ours, NULL, m.coder, m.text, m.created_at, m.updated_at
  FROM other.memos m JOIN comment_map cm ON cm.theirs = m.comment_id
  WHERE NOT EXISTS (SELECT 1 FROM main.memos x WHERE x.comment_id = cm.ours
    AND x.code_id IS NULL AND x.coder = m.coder);
COMMIT;
"""


def build_base(path: Path, comments: int) -> None:
    store = create_project(path)
    for t in range(TOP):
        parent = store.codes.add(f"Theme {t}")
        store.codes.add("first", parent_id=parent)
        store.codes.add("second", parent_id=parent)
    import_id = store.imports.begin("synthetic")
    for start in range(0, comments, 20_000):
        rows = [
            ImportRow(f"C{i:07d}", f"R{i:07d}", "q1", f"answer number {i} " * 4, {})
            for i in range(start, min(start + 20_000, comments))
        ]
        store.imports.write_chunk(import_id, rows, None)
    store.imports.finish(import_id, {})
    store.db.checkpoint()
    store.close()


def code_copy(path: Path, coder: str, seed: int) -> None:
    """One coder codes every comment of this copy, logged as the workbench logs it."""
    rng = np.random.default_rng(seed)
    with open_project(path) as store:
        codes = [c.id for c in store.codes.all()]
        comments = store.db.column("SELECT id FROM comments ORDER BY id")
        lengths = dict(store.db.execute("SELECT id, length(text) FROM comments"))
        rows = []
        for comment in comments:
            for j in np.flatnonzero(rng.random(len(codes)) < 0.08):
                if rng.random() < 0.1:
                    start = int(rng.integers(0, lengths[comment] - 5))
                    rows.append((comment, codes[j], coder, start, start + 5, "manual"))
                else:
                    rows.append((comment, codes[j], coder, None, None, "manual"))
        with store.db.transaction():
            store.db.insert_rows(
                'INSERT INTO codings (comment_id, code_id, coder, start, "end", origin)', 6, rows
            )
            store.db.insert_rows(
                "INSERT INTO coding_log (batch, kind, action, comment_id, code_id, coder, start, "
                '"end", origin)',
                9,
                ((n + 1, "do", "add", *row) for n, row in enumerate(rows)),
            )
            store.db.insert_rows(
                "INSERT INTO memos (comment_id, coder, text)",
                3,
                ((c, coder, f"note by {coder}") for c in comments[::100]),
            )
        store.db.checkpoint()


def timed(work, repeat: int, before=None) -> list[float]:
    times = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-merge-"))
    base, ann, bob, target = (tmp / n for n in ("base.db", "ann.db", "bob.db", "target.db"))
    started = time.perf_counter()
    build_base(base, args.comments)
    shutil.copy(base, ann)
    shutil.copy(base, bob)
    code_copy(ann, "ann", 1)
    code_copy(bob, "bob", 2)
    with sqlite3.connect(bob) as conn:
        codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    print(
        f"built two copies of {args.comments:,} comments in {time.perf_counter() - started:.1f} s;"
        f" {codings:,} codings by bob to merge\n"
    )

    def fresh_target() -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(ann, target)

    command = [sys.executable, "-m", "coder", "merge", str(target), str(bob)]
    merge = timed(
        lambda: subprocess.run(command, check=True, capture_output=True), args.repeat, fresh_target
    )
    again = timed(lambda: subprocess.run(command, check=True, capture_output=True), args.repeat)
    with sqlite3.connect(target) as conn:
        merged = conn.execute("SELECT count(*) FROM codings WHERE coder = 'bob'").fetchone()[0]
    assert merged == codings, (merged, codings)

    def plain() -> None:
        conn = sqlite3.connect(target, isolation_level=None)
        for statement in BASELINE.split(";\n"):
            if statement.strip():
                conn.execute(statement, (str(bob),) if "ATTACH" in statement else ())
        conn.close()

    baseline = timed(plain, args.repeat, fresh_target)
    with sqlite3.connect(target) as conn:
        assert (
            conn.execute("SELECT count(*) FROM codings WHERE coder = 'bob'").fetchone()[0]
            == codings
        )
    print(f"{'':62}median s   runs")
    for label, runs in (
        ("coder merge ANN.db BOB.db (a fresh process, all of it)", merge),
        ("coder merge again: nothing new", again),
        ("baseline: ATTACH + INSERT ... SELECT, one transaction", baseline),
    ):
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(f"{label:62}{statistics.median(runs):8.2f}   {shown}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
