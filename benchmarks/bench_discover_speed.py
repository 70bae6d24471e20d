"""How long `coder discover` takes, and the memory it needs, on a large project.

    python benchmarks/bench_discover_speed.py [--comments 100000] [--features tfidf]

The comments are made from the real answers in ../shared/data (NHS and ANES, see its
README): each joins two answers drawn at random, so that every one is different. They are
imported into a fresh project; then `coder discover --scope all --themes auto` runs in a
process of its own, whose wall time and peak memory (resident set) are reported. The
baseline, in the same run and on the same texts: scikit-learn's TfidfVectorizer and
MiniBatchKMeans with 20 clusters, the plainest thing that groups the comments.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_suggest_data import DATA, ROOT

from coder.corpus import ImportOptions, import_file
from coder.store import create_project


def answers() -> list[str]:
    import pandas as pd

    texts = pd.read_csv(DATA / "nhs-patient-feedback" / "text_data.csv").feedback.dropna()
    out = [str(t) for t in texts if str(t).strip()]
    for name in ("party_likes_dislikes", "candidate_likes_dislikes"):
        frame = pd.read_csv(DATA / "anes2008-open-ended" / f"{name}.csv")
        out += [str(t) for t in frame.verbatim.dropna() if str(t).strip()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--features", default="tfidf")
    args = parser.parse_args()
    rng = random.Random(0)
    pool = answers()
    texts = [f"{rng.choice(pool)} {rng.choice(pool)}" for _ in range(args.comments)]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "survey.csv"
        with source.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "answer"])
            writer.writerows((f"r{i}", t) for i, t in enumerate(texts))
        project = Path(tmp) / "big.db"
        with create_project(project) as store:
            import_file(store, source, ImportOptions(text=["answer"], id="id"))

        started, cpu_started = time.perf_counter(), time.process_time()
        from sklearn.cluster import MiniBatchKMeans
        from sklearn.feature_extraction.text import TfidfVectorizer

        matrix = TfidfVectorizer().fit_transform(texts)
        MiniBatchKMeans(20, random_state=0, n_init=3, batch_size=4096).fit(matrix)
        baseline = time.perf_counter() - started
        baseline_cpu = time.process_time() - cpu_started

        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "coder", "discover", str(project), "--scope", "all",
             "--features", args.features, "--quiet", "--format", "csv"],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = child.ru_maxrss / 1024
        cpu = child.ru_utime + child.ru_stime
        themes = sum(1 for row in csv.reader(done.stdout.splitlines()[1:]) if row and row[0])
    print(f"{args.comments:,} comments, --features {args.features}")
    # Processor time beside the wall time: on a machine shared with other work, the wall
    # time says as much about the others as about discover.
    print(f"  coder discover --themes auto: {seconds:6.1f} s ({cpu:.1f} s of processor), "
          f"peak {peak_mb:,.0f} MB, {themes} themes")  # fmt: skip
    print(f"  baseline TfidfVectorizer + MiniBatchKMeans(20): {baseline:6.1f} s "
          f"({baseline_cpu:.1f} s of processor)")  # fmt: skip


if __name__ == "__main__":
    main()
