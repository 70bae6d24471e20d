"""The workbench on a long text: an interview of 40,000 characters, as other tools' projects hold.

    python benchmarks/bench_long_text.py [--chars 40000] [--repeat 3]

Drives the workbench headlessly (Textual's Pilot) on a project with one long text and one
short comment, and prints the median time of each key on the long text beside the same
key on the short comment, measured in the same run: the short comment is the baseline,
what a key costs anyway (Pilot's own work included).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench_import import WORDS

from coder.domain import ImportRow
from coder.store import create_project
from coder.tui.app import CoderApp


def interview(chars: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    text = ""
    while len(text) < chars:
        text += " ".join(rng.choices(WORDS, k=rng.randint(40, 120))).capitalize() + ".\r\n\r\n"
    return text[:chars]


def build(path: Path, chars: int) -> None:
    with create_project(path) as store:
        store.codes.add("Workload")
        import_id = store.imports.begin("bench")
        rows = [
            ImportRow("long", "R1", "q", interview(chars), {}),
            ImportRow("short", "R2", "q", "Caseload is high and supervision helps.", {}),
        ]
        store.imports.write_chunk(import_id, rows, None)
        store.imports.finish(import_id, {})


async def measure(path: Path, which: str) -> dict[str, float]:
    """Milliseconds for each key on one comment (the first is the long one)."""
    out: dict[str, float] = {}
    app = CoderApp(path, "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        async def timed(label: str, *keys: str, n: int = 1) -> None:
            start = time.perf_counter()
            for _ in range(n):
                await pilot.press(*keys)
            await pilot.pause()
            out[label] = (time.perf_counter() - start) / n * 1000

        if which == "long":  # the long text is first: step off it, then time coming back
            await pilot.press("j")
            await pilot.pause()
            await timed("show the comment", "k")
        else:
            await timed("show the comment", "j")
        await timed("J (scroll)", "J", n=10)
        await timed("v (start selecting)", "v")
        await timed("w (caret a word on)", "w", n=20)
        await timed("l (caret a letter on)", "l", n=20)
        await timed("1 (code the segment)", "1")
        await timed("/ search, 8 letters, enter", "slash", *"caseload", "enter")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"long": [], "short": []}
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(args.repeat):
            for which in ("long", "short") if attempt % 2 == 0 else ("short", "long"):
                path = Path(folder) / f"{which}-{attempt}.db"
                build(path, args.chars)
                runs[which].append(asyncio.run(measure(path, which)))
    print(f"{args.chars:,}-character text; median of {args.repeat} runs, ms per key")
    print(f"{'':<30}{'long text':>10}{'short':>8}")
    for key in runs["long"][0]:
        long = statistics.median(r[key] for r in runs["long"])
        short = statistics.median(r[key] for r in runs["short"])
        print(f"{key:<30}{long:>10.0f}{short:>8.0f}")


if __name__ == "__main__":
    main()
