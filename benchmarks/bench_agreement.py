"""Agreement over 100,000 comments x 3 coders x 30 codes, beside the krippendorff package.

    python benchmarks/bench_agreement.py [--comments 100000] [--coders 3] [--repeat 3]
                                         [--project /tmp/bench-agreement.db]

The project is made once through the store's import path (each coder's coding imported
onto the same comments, as `coder import --coder` does) and kept for the next run. Timed,
each the median of --repeat runs:

- `coder agreement PROJECT --format csv`, the whole command in a fresh process: reading
  the codings, every code and its roll-up, percent agreement, Fleiss' kappa and alpha;
- `coder.agreement.agreement()` in this process (the same work without the start-up);
- baselines, the plain way with the krippendorff package: `krippendorff.alpha()` on each
  of the 30 codes' coder x comment matrices, already in memory; and the same preceded by
  reading the codings with plain sqlite3 into those matrices.

The script also checks that each code's alpha equals the package's.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from coder.agreement import agreement
from coder.domain import ImportRow
from coder.store import create_project, open_project

TOP = 10  # top-level codes, each with two sub-codes: 30 codes
CODERS = ["ann", "bob", "cat", "dan", "eve"]


def build(path: Path, comments: int, coders: int, seed: int = 7) -> np.ndarray:
    """The project, and each coder's codes as present[coder, comment, code]."""
    rng = np.random.default_rng(seed)
    store = create_project(path)
    ids = []
    for t in range(TOP):
        parent = store.codes.add(f"Theme {t}")
        ids += [parent, store.codes.add("first", parent_id=parent)]
        ids.append(store.codes.add("second", parent_id=parent))
    truth = rng.random((comments, len(ids))) < 0.08
    present = np.empty((coders, comments, len(ids)), dtype=bool)
    for r in range(coders):
        flips = rng.random(truth.shape) < 0.03
        present[r] = truth ^ flips
        nothing = ~present[r].any(axis=1)  # every coder codes every comment
        present[r, nothing, rng.integers(len(ids), size=int(nothing.sum()))] = True
    for r in range(coders):
        import_id = store.imports.begin(f"synthetic coding by {CODERS[r]}")
        for start in range(0, comments, 20_000):
            rows = [
                ImportRow(
                    f"C{i:07d}",
                    f"R{i:07d}",
                    "q1",
                    f"answer number {i}",
                    {},
                    tuple(ids[j] for j in np.flatnonzero(present[r, i])),
                )
                for i in range(start, min(start + 20_000, comments))
            ]
            store.imports.write_chunk(import_id, rows, CODERS[r])
        store.imports.finish(import_id, {})
    store.db.checkpoint()
    store.close()
    return present


def read_plainly(path: Path) -> np.ndarray:
    """present[coder, comment, code] read with plain sqlite3, the way one would by hand."""
    conn = sqlite3.connect(path)
    rows = np.array(
        conn.execute(
            "SELECT k.comment_id, k.code_id, c.n FROM codings k JOIN "
            "(SELECT coder, row_number() OVER (ORDER BY coder) - 1 AS n "
            "FROM (SELECT DISTINCT coder FROM codings)) c ON c.coder = k.coder"
        ).fetchall(),
        dtype=np.int64,
    )
    comments = conn.execute("SELECT max(id) FROM comments").fetchone()[0]
    codes = conn.execute("SELECT max(id) FROM codes").fetchone()[0]
    conn.close()
    present = np.zeros((rows[:, 2].max() + 1, comments, codes), dtype=bool)
    present[rows[:, 2], rows[:, 0] - 1, rows[:, 1] - 1] = True
    return present


def timed(work, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--coders", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--project", type=Path)
    args = ap.parse_args()
    import krippendorff

    path = args.project or Path(tempfile.gettempdir()) / (
        f"bench-agreement-{args.comments}-{args.coders}.db"
    )
    if not path.exists():
        started = time.perf_counter()
        build(path, args.comments, args.coders)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    present = read_plainly(path)
    with open_project(path) as store:
        codings = int(store.db.scalar("SELECT count(*) FROM codings"))
    print(
        f"{args.comments:,} comments x {args.coders} coders x {present.shape[2]} codes "
        f"({codings:,} codings)\n"
    )

    command = [sys.executable, "-m", "coder", "agreement", str(path), "--format", "csv"]
    cli = timed(lambda: subprocess.run(command, check=True, capture_output=True), args.repeat)

    def in_process() -> object:
        with open_project(path) as store:
            return agreement(store)

    inside = timed(in_process, args.repeat)
    report = in_process()

    def baseline() -> list[float]:
        return [
            krippendorff.alpha(
                reliability_data=present[:, :, j].astype(float), level_of_measurement="nominal"
            )
            for j in range(present.shape[2])
        ]

    plain = timed(baseline, args.repeat)

    def read_and_compute() -> None:
        read_plainly(path)
        baseline()

    plain_read = timed(read_and_compute, args.repeat)
    expected = baseline()
    ours = [row.krippendorff_alpha for row in report.rows if not row.rolled_up][:-1]
    worst = max(abs((a or 0.0) - b) for a, b in zip(ours, expected, strict=True))
    print(f"{'':58}median s   runs")
    for label, runs in (
        ("coder agreement --format csv (a fresh process, all of it)", cli),
        ("agreement() in process: read, every code + roll-up, ALL", inside),
        ("baseline: krippendorff.alpha on 30 in-memory matrices", plain),
        ("baseline: sqlite3 read into matrices + krippendorff.alpha", plain_read),
    ):
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(f"{label:58}{statistics.median(runs):8.2f}   {shown}")
    print(f"\nlargest difference from the package's alpha over the 30 codes: {worst:.1e}")
    print(
        f"pooled alpha {report.overall.krippendorff_alpha:.4f}, "
        f"Fleiss' kappa {report.overall.fleiss_kappa:.4f}"
    )


if __name__ == "__main__":
    main()
