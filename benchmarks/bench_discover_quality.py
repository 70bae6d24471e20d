"""Discovered themes against human labels, beside plain k-means, on real coded survey data.

    python benchmarks/bench_discover_quality.py [--sets "NHS label,ANES party"] [--seed S]

For each data set (../shared/data, see its README) every comment is imported, uncoded, into
a fresh project and `coder.discover.discover` runs on all of them with `--themes auto`,
as a user would run it. Its themes are scored against the data's human labels with
normalised mutual information (NMI) and the adjusted Rand index (ARI); the unthemed
comments count as one more group, so leaving the hard ones out is no win. Beside it, in
the same run: k-means on TF-IDF (scikit-learn's TfidfVectorizer with its defaults, and
again with its English stop words left out, the common recipe) and, with the embeddings
extra installed, k-means on the same MiniLM sentence vectors, all told the true number of
labels.

The labels: NHS has one category per comment (9 labels, or 44 sub-categories). ANES
answers carry about 2.3 codes each; an answer's label is its code used most often in the
whole set (an answer with no code, its own group), so each answer has one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_suggest_data import all_sets, project
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from coder.discover.run import DiscoverOptions, discover
from coder.suggest import embeddings


def labels_of(y: np.ndarray) -> np.ndarray:
    """One label per comment: its code, or of several the one used most in the set."""
    used = y.sum(axis=0)
    return np.where(y.sum(axis=1) > 0, np.argmax(y * used, axis=1), -1)


def score(truth: np.ndarray, found: np.ndarray) -> tuple[float, float]:
    return (
        float(normalized_mutual_info_score(truth, found)),
        float(adjusted_rand_score(truth, found)),
    )


def themes_found(store, n: int) -> np.ndarray:
    """Each data row's theme number (0 for an unthemed comment: one group of its own)."""
    run = store.discovery.latest()
    number = {t.id: t.number for t in run.themes}
    row = {store.comments.by_source_id(f"c{i}").id: i for i in range(n)}
    out = np.zeros(n, dtype=np.int64)
    for comment_id, theme_id, _ in store.discovery.members():
        out[row[comment_id]] = number[theme_id] if theme_id is not None else 0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", help="comma-separated names (default: all four)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sets = all_sets()
    if args.sets:
        wanted = {s.strip() for s in args.sets.split(",")}
        sets = [s for s in sets if s.name in wanted]
    feature_sets = [embeddings.TFIDF]
    if embeddings.available():
        feature_sets.append(embeddings.TFIDF_EMBEDDINGS)
    print(
        f"{'set':<20} {'method':<40} {'NMI':>6} {'ARI':>6} {'themes':>6} {'unthemed':>9} {'s':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for data in sets:
            truth = labels_of(data.y)
            k = len(np.unique(truth))
            store = project(data, Path(tmp), np.array([], dtype=np.int64))
            n = len(data.texts)
            for stop_words, method in ((None, "TF-IDF"), ("english", "TF-IDF, no stop words")):
                started = time.perf_counter()
                matrix = TfidfVectorizer(stop_words=stop_words).fit_transform(data.texts)
                kmeans = KMeans(k, random_state=args.seed, n_init=1).fit_predict(matrix)
                seconds = time.perf_counter() - started
                nmi, ari = score(truth, kmeans)
                name = f"{data.name} ({k})"
                print(f"{name:<20} {f'k-means on {method}, k={k}':<40} {nmi:6.3f} {ari:6.3f} "
                      f"{k:6d} {'':>9} {seconds:6.1f}", flush=True)  # fmt: skip
            if embeddings.available():
                ids = [store.comments.by_source_id(f"c{i}").id for i in range(n)]
                vectors = embeddings.vectors(store, ids, data.texts)  # cached for discover
                started = time.perf_counter()
                kmeans = KMeans(k, random_state=args.seed, n_init=1).fit_predict(vectors)
                seconds = time.perf_counter() - started
                nmi, ari = score(truth, kmeans)
                print(f"{name:<20} {f'k-means on MiniLM, k={k}':<40} {nmi:6.3f} {ari:6.3f} "
                      f"{k:6d} {'':>9} {seconds:6.1f}", flush=True)  # fmt: skip
            for features in feature_sets:
                started = time.perf_counter()
                run = discover(
                    store,
                    DiscoverOptions(scope="all", features=features, seed=args.seed),
                    "bench",
                )
                seconds = time.perf_counter() - started
                found = themes_found(store, n)
                nmi, ari = score(truth, found)
                unthemed = run.unthemed / n
                print(f"{name:<20} {f'coder discover, {features}':<40} {nmi:6.3f} {ari:6.3f} "
                      f"{len(run.themes):6d} {unthemed:9.1%} {seconds:6.1f}", flush=True)  # fmt: skip
                print(f"{'':<20}   {run.chosen['how']}")
            store.close()


if __name__ == "__main__":
    main()
