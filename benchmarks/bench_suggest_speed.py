"""Suggestion speed: train on 10,000 coded comments and score 100,000 uncoded ones.

    python benchmarks/bench_suggest_speed.py [--coded 10000] [--uncoded 100000]

The coded comments are real NHS patient feedback with its 44 sub-categories as codes
(../shared/data); the uncoded ones are drawn from the NHS and ANES answers. `coder train`
and `coder suggest` run as commands in a subprocess, so the wall time and peak memory
printed are theirs alone. The baseline, measured in the same run on the same comments,
is scikit-learn's TfidfVectorizer + one-vs-rest logistic regression (no lemmas, no
character n-grams, no cross-validation, no calibration, no thresholds, no explanations,
no ranking, nothing written to a project).
"""

from __future__ import annotations

import argparse
import random
import resource
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
    parser.add_argument("--uncoded", type=int, default=100_000)
    args = parser.parse_args()
    data = corpus(args.coded, args.uncoded)
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
        train_s, train_mb = run("train", str(path), "--features", "tfidf", "-q")
        suggest_s, suggest_mb = run("suggest", str(path), "-q")
    base_train, base_score = baseline(data)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = train_s + suggest_s
    print(f"coder train     {train_s:6.1f}s  peak {train_mb:5.0f} MB (with its worker processes)")
    print(f"coder suggest   {suggest_s:6.1f}s  peak {suggest_mb:5.0f} MB")
    print(f"coder total     {total:6.1f}s  (target: under 60s and 2,000 MB on 2 cores)")
    print(
        f"plain baseline  {base_train + base_score:6.1f}s  (fit {base_train:.1f}s, "
        f"score {base_score:.1f}s; this process peaked at {own:.0f} MB)"
    )


if __name__ == "__main__":
    main()
