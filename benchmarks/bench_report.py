"""Benchmark: reports over a synthetic project of 1,000,000 comments, beside plain pandas.

    python benchmarks/bench_report.py [--comments 1000000] [--project FILE] [--rounds 3]

The project is made once through the store's write_chunk API (the import path) and kept
for the next run. The baseline is what a careful analyst would write by hand: one SQL join
read with pandas.read_sql_query and a groupby per code, with no roll-up, base or tests.
Each round runs the baseline and then every report form once, so that a machine shared
with other work slows them alike; the figures are medians over the rounds, and each form's
ratio to the baseline is the median of its ratios to the baseline of the same round. A
report form is timed from opening the project to the finished tables, in a process that
has already loaded pandas (as the baseline's has).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from coder.codebook import merge_codebook, read_codebook
from coder.domain import Change, ImportRow, Origin
from coder.report.build import ReportOptions, build_report
from coder.report.data import Selection
from coder.store import create_project, open_project

QUESTIONS = ["difficult", "support", "impact", "other"]
ROLES = ["social worker", "teacher", "foster carer", "police officer", "nurse", "youth worker"]
AREAS = list("ABCDEF")
WORDS = "staff time cases support training worry online school family risk help waiting".split()


def build(path: Path, comments: int, seed: int = 7) -> float:
    from coder import bundled

    rng = random.Random(seed)
    started = time.perf_counter()
    store = create_project(path)
    merge_codebook(store, read_codebook(bundled.codebook_path()))
    code_ids = [c.id for c in store.codes.all()]
    import_id = store.imports.begin("synthetic")
    respondents = comments // len(QUESTIONS)
    chunk: list[ImportRow] = []
    for r in range(respondents):
        attrs = {
            "role": rng.choice(ROLES),
            "area": rng.choice(AREAS),
            "years_in_post": str(min(int(rng.expovariate(1 / 8)), 40)),
        }
        if r % 50 == 0:
            attrs.pop("area")  # some respondents lack an attribute
        for q in QUESTIONS:
            coded = rng.random() < 0.6
            codes = rng.sample(code_ids, rng.choice((1, 1, 2, 3))) if coded else ()
            text = " ".join(rng.choices(WORDS, k=6))
            chunk.append(ImportRow(f"R{r}:{q}", f"R{r}", q, text, attrs, codes))
        if len(chunk) >= 40_000:
            store.imports.write_chunk(import_id, chunk, "first")
            chunk = []
    if chunk:
        store.imports.write_chunk(import_id, chunk, "first")
    store.imports.finish(import_id, {})
    # A second coder on one comment in ten, agreeing on the first code, for consensus.
    first = store.reports.codings().drop_duplicates("comment_id")
    first = first[first["comment_id"] % 10 == 0]
    store.codings.record(
        [
            Change("add", int(c), int(k), "second", Origin.IMPORTED)
            for c, k in zip(first["comment_id"], first["code_id"], strict=True)
        ]
    )
    store.close()
    return time.perf_counter() - started


def baseline(path: Path) -> float:
    import pandas as pd

    started = time.perf_counter()
    con = sqlite3.connect(path)
    frame = pd.read_sql_query(
        "SELECT k.comment_id, c.respondent_id, k.code_id FROM codings k "
        "JOIN comments c ON c.id = k.comment_id",
        con,
    )
    con.close()
    per_code = frame.groupby("code_id").agg(
        comments=("comment_id", "nunique"), respondents=("respondent_id", "nunique")
    )
    per_code["comments_pct"] = 100 * per_code["comments"] / frame["comment_id"].nunique()
    return time.perf_counter() - started


def timed(path: Path, options: ReportOptions) -> tuple[float, object]:
    started = time.perf_counter()
    with open_project(path) as store:
        report = build_report(store, options)
    return time.perf_counter() - started, report


def main() -> None:
    import statistics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = args.project or Path(tempfile.gettempdir()) / f"bench-report-v2-{args.comments}.db"
    if path.exists():
        print(f"project: {path} (kept from an earlier run)")
    else:
        seconds = build(path, args.comments)
        print(f"project: {path}, built through write_chunk in {seconds:.1f} s")
    con = sqlite3.connect(path)
    n_comments, n_codings = (
        con.execute("SELECT count(*) FROM comments").fetchone()[0],
        con.execute("SELECT count(*) FROM codings").fetchone()[0],
    )
    con.close()
    print(f"{n_comments:,} comments, {n_codings:,} codings; {args.rounds} rounds")
    cases = [
        ("coder report (frequencies, roll-up, bases)", ReportOptions()),
        ("coder report --by role (cross-tab + tests)", ReportOptions(by="role")),
        ("coder report --by years_in_post (quartile bins)", ReportOptions(by="years_in_post")),
        ("coder report --consensus", ReportOptions(selection=Selection(consensus=True))),
        (
            "coder report --question impact --by area",
            ReportOptions(selection=Selection(question="impact"), by="area"),
        ),
        ("coder report --cooccurrence", ReportOptions(cooccurrence=True)),
        ("coder report --quotes 3", ReportOptions(quotes=3)),
    ]
    timed(path, ReportOptions(by="role"))  # load the libraries once, as the baseline has
    base_times: list[float] = []
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    ratios: dict[str, list[float]] = {label: [] for label, _ in cases}
    report = None
    for _ in range(args.rounds):
        base = baseline(path)
        base_times.append(base)
        for label, options in cases:
            seconds, report = timed(path, options)
            times[label].append(seconds)
            ratios[label].append(seconds / base)
    print(f"{'task':<52}{'seconds':>9}{'x baseline':>12}")
    label = "baseline: pandas read_sql + groupby (no roll-up)"
    print(f"{label:<52}{statistics.median(base_times):>9.2f}")
    for label, _ in cases:
        median = statistics.median(times[label])
        print(f"{label:<52}{median:>9.2f}{statistics.median(ratios[label]):>11.2f}x")
    assert report is not None
    print(f"(last report: {report.coded_comments:,} coded comments of {report.total_comments:,})")


if __name__ == "__main__":
    main()
