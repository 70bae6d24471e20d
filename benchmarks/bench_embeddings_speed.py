"""Sentence-vector encoding: what the embeddings extra costs, beside a plain baseline.

    python benchmarks/bench_embeddings_speed.py [--comments 10000] [--runs 1]

Encodes real NHS patient feedback (../shared/data) with all-MiniLM-L6-v2 on the CPU, each
measurement in a fresh process of its own, so the seconds and peak memory are its alone:

- plain baseline: sentence-transformers' `encode` of the same texts with its default
  settings (the model loaded the same way, nothing written anywhere);
- coder: `coder.suggest.embeddings.vectors` on a fresh project holding the comments, as
  `coder train` calls it: encoding, and caching every vector in the project file.

Loading the model is timed apart from encoding. With --runs N the two alternate N times
and medians are printed. It also prints what the extra takes on disk in this environment
(the installed packages it adds to coder's own) and the vectors' size in a project.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from bench_suggest_data import nhs, project

ONE = """
import json, resource, sys, time
sys.path.insert(0, {bench!r})
from bench_suggest_data import nhs
from coder.suggest import embeddings
texts = nhs("label").texts[:{n}]
started = time.perf_counter()
model = embeddings._load()
loaded = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_before = usage.ru_utime + usage.ru_stime
started = time.perf_counter()
if {which!r} == "baseline":
    model.encode(texts)
else:
    from coder.store import open_project
    with open_project({path!r}) as store:
        ids = [store.comments.by_source_id(f"c{{i}}").id for i in range(len(texts))]
        embeddings.vectors(store, ids, texts, lambda message, fraction: None)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu_before
print("@@", json.dumps([loaded, seconds, usage.ru_maxrss / 1024, cpu]))
"""


def measure(which: str, n: int, path: Path) -> tuple[float, float, float, float]:
    """(load seconds, encode seconds, peak MB, encode CPU seconds) of one fresh process."""
    code = ONE.format(bench=str(Path(__file__).parent), n=n, which=which, path=str(path))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("@@"))
    loaded, seconds, peak, cpu = json.loads(line[3:])
    return loaded, seconds, peak, cpu


def _requirements(name: str) -> list[str]:
    try:
        wanted = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return []
    return [re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0] for r in wanted if "extra ==" not in r]


def _closure(names: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(_requirements(name))
    return seen


def _size_mb(name: str) -> float:
    dist = metadata.distribution(name)
    total = 0
    for file in dist.files or []:
        with contextlib.suppress(OSError):
            total += os.path.getsize(dist.locate_file(file))
    return total / 2**20


def disk() -> list[tuple[str, float]]:
    """The distributions the extra adds to coder's own, with their installed size."""
    base = _closure(_requirements("coder"))
    extra = [
        r.split(";")[0]
        for r in metadata.requires("coder") or []
        if 'extra == "embeddings"' in r or "extra == 'embeddings'" in r
    ]
    added = _closure([re.split(r"[ <>=!~\[(]", r, maxsplit=1)[0] for r in extra]) - base
    return sorted(((n, _size_mb(n)) for n in added), key=lambda item: -item[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    data = nhs("label")
    n = min(args.comments, len(data.texts))
    data.texts = data.texts[:n]
    data.y = data.y[:n]
    print(f"{n:,} NHS comments, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    results: dict[str, list[tuple[float, float, float, float]]] = {"baseline": [], "coder": []}
    with tempfile.TemporaryDirectory() as tmp:
        import numpy as np

        for r in range(args.runs):
            for which in ("baseline", "coder") if r % 2 == 0 else ("coder", "baseline"):
                store = project(data, Path(tmp), np.zeros(0, dtype=np.int64))
                path = store.path
                store.close()
                results[which].append(measure(which, n, path))
                loaded, seconds, peak, cpu = results[which][-1]
                print(
                    f"  run {r + 1} {which:<9} load {loaded:5.1f}s  encode {seconds:6.1f}s  "
                    f"({n / seconds:5.0f} comments/s, {cpu:6.1f} CPU s)  peak {peak:5.0f} MB  "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            vectors_mb = path.stat().st_size / 2**20
    print("\nmedians:")
    for which, label in (
        ("baseline", "sentence-transformers encode, defaults"),
        ("coder", "coder: encode + cache in the project"),
    ):
        loaded, seconds, peak, cpu = (
            statistics.median(x) for x in zip(*results[which], strict=True)
        )
        print(
            f"  {label:<40} load {loaded:5.1f}s  encode {seconds:6.1f}s  "
            f"CPU {cpu:6.1f}s  peak {peak:5.0f} MB"
        )
    ratio = statistics.median(c[1] for c in results["coder"]) / statistics.median(
        b[1] for b in results["baseline"]
    )
    print(f"  coder / baseline: {ratio:.2f}x")
    print(f"  project file with {n:,} comments and their vectors: {vectors_mb:.0f} MB")
    added = disk()
    print(f"\ndisk: the extra adds {sum(s for _, s in added):,.0f} MB installed:")
    print("  " + ", ".join(f"{name} {size:,.0f} MB" for name, size in added))


if __name__ == "__main__":
    main()
