"""Suggestion speed: train on 10,000 coded comments and suggest for 50,000 uncoded ones.

    python benchmarks/bench_suggest_speed.py [--coded 10000] [--uncoded 50000] [--runs 3]

The coded comments are real NHS patient feedback with its 44 sub-categories as codes
(../shared/data); the uncoded ones are drawn from the NHS and ANES answers. `coder train`
and `coder suggest` run as commands in a subprocess, so the wall time and peak memory
printed are theirs alone. Two baselines run in the same run on the same comments:

- careful: word 1-2-gram and character 2-5-gram TF-IDF, class-balanced logistic
  regression per code, threshold 0.5 (bench_suggest_data.careful), fit and predict;
- plain: TfidfVectorizer + one-vs-rest logistic regression with scikit-learn's defaults.

Neither does cross-validation, calibration, explanations, ranking or writing to a project.
With --runs N, each is measured N times, alternating, and medians are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_suggest_data import anes, nhs, project

COMMANDS = (
    "import sys, time\n"
    "from coder.cli import main\n"
    "started = time.perf_counter()\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    if exc.code: raise\n"
    "print(f'@@ {time.perf_counter() - started:.2f}')\n"
)


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (worker processes too), Linux."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(more)
        tree |= more
    return sum(rss.get(pid, 0) for pid in tree) / 2**20


def run(*argv: str) -> tuple[float, float]:
    """Run a coder command in a fresh process: (seconds, peak MB of it and its workers)."""
    process = subprocess.Popen(
        [sys.executable, "-c", COMMANDS, *argv], stdout=subprocess.PIPE, text=True
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_rss_mb(process.pid))
        time.sleep(0.2)
    out = process.stdout.read()
    if process.returncode:
        raise SystemExit(f"coder {argv[0]} failed")
    seconds = next(line for line in out.splitlines() if line.startswith("@@")).split()[1]
    return float(seconds), peak


def corpus(coded: int, uncoded: int):
    """NHS comments coded with sub-categories, then `uncoded` answers drawn at random."""
    data = nhs("subcategory")
    pool = data.texts + anes("party_likes_dislikes").texts + anes("candidate_likes_dislikes").texts
    rng = random.Random(0)
    keep = np.arange(min(coded, len(data.texts)))
    data.texts = [data.texts[i] for i in keep] + [rng.choice(pool) for _ in range(uncoded)]
    data.y = np.vstack([data.y[keep], np.zeros((uncoded, data.y.shape[1]), dtype=np.int8)])
    data.train, data.test = keep, np.arange(len(keep), len(data.texts))
    return data


def careful_seconds(data) -> float:
    from bench_suggest_data import careful

    started = time.perf_counter()
    careful(data, data.train, data.test)
    return time.perf_counter() - started


def baseline(data) -> tuple[float, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    started = time.perf_counter()
    seen = data.y[data.train].sum(axis=0) > 0
    vectorizer = TfidfVectorizer()
    x = vectorizer.fit_transform([data.texts[i] for i in data.train])
    model = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(
        x, data.y[data.train][:, seen]
    )
    trained = time.perf_counter()
    for start in range(0, len(data.test), 5000):
        part = data.test[start : start + 5000]
        model.predict_proba(vectorizer.transform([data.texts[i] for i in part]))
    return trained - started, time.perf_counter() - trained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coded", type=int, default=10_000)
    parser.add_argument("--uncoded", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    data = corpus(args.coded, args.uncoded)
    trains, suggests, carefuls, plains = [], [], [], []
    peaks = [0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = project(data, Path(tmp), data.train)
        path = store.path
        status = store.status()
        store.close()
        print(
            f"project: {status.coded} coded, {status.uncoded} uncoded comments, "
            f"{status.codes} codes (built in {time.perf_counter() - started:.0f}s)"
        )
        for run_number in range(args.runs):
            print(f"run {run_number + 1}: load average {os.getloadavg()[0]:.1f}", flush=True)
            train_s, train_mb = run("train", str(path), "--features", "tfidf", "-q")
            suggest_s, suggest_mb = run("suggest", str(path), "-q")
            trains.append(train_s)
            suggests.append(suggest_s)
            peaks = [max(peaks[0], train_mb), max(peaks[1], suggest_mb)]
            carefuls.append(careful_seconds(data))
            plains.append(sum(baseline(data)))
            print(
                f"  coder {train_s:.1f}s + {suggest_s:.1f}s, careful {carefuls[-1]:.1f}s, "
                f"plain {plains[-1]:.1f}s",
                flush=True,
            )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    train_s, suggest_s = statistics.median(trains), statistics.median(suggests)
    totals = [a + b for a, b in zip(trains, suggests, strict=True)]
    total, careful_s = statistics.median(totals), statistics.median(carefuls)
    ratios = [t / c for t, c in zip(totals, carefuls, strict=True)]
    print(f"medians of {args.runs} run(s):")
    print(f"coder train      {train_s:6.1f}s  peak {peaks[0]:5.0f} MB (with its worker processes)")
    print(f"coder suggest    {suggest_s:6.1f}s  peak {peaks[1]:5.0f} MB")
    print(f"coder total      {total:6.1f}s")
    print(
        f"careful baseline {careful_s:6.1f}s  (fit + predict; this process peaked at {own:.0f} MB)"
    )
    print(f"plain baseline   {statistics.median(plains):6.1f}s")
    print(
        f"coder / careful  {statistics.median(ratios):6.2f}x  (target: at most 1.5x; "
        f"per run: {', '.join(f'{r:.2f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
