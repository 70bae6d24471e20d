"""Retraining while coding: fresh suggestions after 20 new codings on a 5,000-comment project.

    python benchmarks/bench_suggest_retrain.py [--comments 5000] [--coded 1000]

A project of NHS patient feedback (../shared/data) with its 9 categories as codes, some of
it coded, is trained once in full; then 20 more comments are coded and the workbench's
retrain runs (`train(quick=True)`, which reuses the last full search's settings, then
`suggest`), in this process as the workbench's training process runs it. The baseline,
measured in the same run, is the careful pipeline (bench_suggest_data.careful) fitted on
the coded comments and predicting the uncoded ones, with no project to read or write.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_suggest_data import careful, nhs, project

from coder.domain import Origin
from coder.suggest import suggest, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--coded", type=int, default=1000)
    args = parser.parse_args()
    data = nhs("label")
    rng = np.random.default_rng(0)
    rows = np.sort(rng.permutation(len(data.texts))[: args.comments])
    data.texts = [data.texts[i] for i in rows]
    data.y = data.y[rows]
    coded = np.arange(args.coded)
    more = np.arange(args.coded, args.coded + 20)
    with tempfile.TemporaryDirectory() as tmp:
        store = project(data, Path(tmp), coded)
        started = time.perf_counter()
        train(store)
        suggest(store)
        full = time.perf_counter() - started
        codes = {c.path: c.id for c in store.codes.all()}
        for i in more:
            comment = store.comments.by_source_id(f"c{i}")
            for j in np.flatnonzero(data.y[i]):
                store.codings.apply(comment.id, codes[data.codes[j]], "bench", origin=Origin.MANUAL)
        started = time.perf_counter()
        trained = train(store, quick=True)
        suggested = suggest(store)
        quick = time.perf_counter() - started
        store.close()
    started = time.perf_counter()
    careful(data, np.concatenate([coded, more]), np.arange(args.coded + 20, len(data.texts)))
    baseline = time.perf_counter() - started
    print(
        f"{args.comments} comments, {args.coded} coded, then 20 more; "
        f"{trained.card.search_note()}; {suggested.suggestions} suggestions"
    )
    print(f"first training, full plan + suggest   {full:6.1f}s")
    print(f"retrain after 20 codings + suggest    {quick:6.1f}s  (target: 10 s)")
    print(f"careful baseline fit + predict        {baseline:6.1f}s")


if __name__ == "__main__":
    main()
