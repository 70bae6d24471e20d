"""The coding workbench on big projects: open, move, code, beside bare sqlite3 doing the same.

    python benchmarks/bench_tui.py [--sizes 100000 1000000] [--keep]

For each size, builds (once, cached in benchmarks/out/) a project with that many comments,
a fifth of them coded, and measures, headless (App.run_test):
  - opening the app to its first painted screen,
  - moving 100 comments down (j pressed 100 times, each handled and drawn),
  - jumping to the last comment (G),
  - the latency from a code key to the coding being committed, read back over a second
    connection,
  - the uncoded filter (computed in a worker) until the list shows it,
next to a plain baseline measured in the same run: bare sqlite3 counting the comments and
reading the first page; reading a page of 100 rows by position; an INSERT + COMMIT.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from bench_import import ROLES, WORDS  # one synthetic vocabulary for every benchmark

from coder import bundled
from coder.codebook import merge_codebook, read_codebook
from coder.domain import ImportRow
from coder.store import create_project

OUT = Path(__file__).parent / "out"
CHUNK = 20_000


def build(path: Path, comments: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    tmp = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    store = create_project(tmp, name=f"bench {comments:,}")
    merge_codebook(store, read_codebook(bundled.codebook_path()))
    leaves = [c.id for c in store.codes.all() if c.parent_id is not None]
    import_id = store.imports.begin("generated")
    rows: list[ImportRow] = []
    for i in range(comments):
        respondent = f"R{i // 3:07d}"
        coded = rng.sample(leaves, rng.randint(1, 3)) if rng.random() < 0.2 else ()
        text = " ".join(rng.choices(WORDS, k=rng.randint(3, 40)))
        attrs = {"role": rng.choice(ROLES), "area": "ABCDEF"[i % 6]}
        rows.append(
            ImportRow(f"{respondent}:q{i % 3}", respondent, f"q{i % 3}", text, attrs, coded)
        )
        if len(rows) == CHUNK:
            store.imports.write_chunk(import_id, rows, "reference")
            rows = []
    if rows:
        store.imports.write_chunk(import_id, rows, "reference")
    store.imports.finish(import_id, {"comments": comments})
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    tmp.rename(path)


def project(comments: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"tui-{comments}.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, comments)
        print(f"  built {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


async def keys(app, *names: str) -> None:
    """Queue key presses the way a terminal delivers them (Pilot's own press waits for idle)."""
    from textual import events

    for name in names:
        event = events.Key(name, name if len(name) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def until(condition, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.0005)


async def measure_app(path: Path) -> dict[str, float]:
    from coder.tui.app import CoderApp

    figures: dict[str, float] = {}
    with sqlite3.connect(path) as conn:  # a place of our own, so runs start alike
        conn.execute("DELETE FROM project WHERE key LIKE 'tui.place:%'")
        conn.execute("DELETE FROM codings WHERE coder = 'bench'")
        conn.execute("DELETE FROM coding_log WHERE coder = 'bench'")
    started = time.perf_counter()
    app = CoderApp(path, "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        figures["open"] = time.perf_counter() - started  # mounted, laid out and painted
        screen = app.screen
        shown = lambda: screen.session.shown.comment.id if screen.session.shown else None  # noqa: E731

        started = time.perf_counter()
        await keys(app, *["j"] * 100)
        await until(
            lambda: screen.comment_list.cursor == 100 and shown() == screen.comment_list.current.id
        )
        figures["move"] = time.perf_counter() - started

        steps = []
        for _ in range(20):
            target = screen.comment_list.cursor + 1
            started = time.perf_counter()
            await keys(app, "j")
            await until(
                lambda t=target: (
                    screen.comment_list.cursor == t and shown() == screen.comment_list.current.id
                )
            )
            steps.append(time.perf_counter() - started)
        figures["step"] = statistics.median(steps)

        watcher = sqlite3.connect(path)
        count = "SELECT count(*) FROM codings WHERE coder = 'bench'"
        latencies = []
        for _ in range(30):
            before = watcher.execute(count).fetchone()[0]
            started = time.perf_counter()
            await keys(app, "1")
            await until(lambda b=before: watcher.execute(count).fetchone()[0] == b + 1)
            latencies.append(time.perf_counter() - started)
            await pilot.press("j")
        watcher.close()
        figures["code_median"] = statistics.median(latencies)
        figures["code_p95"] = sorted(latencies)[int(len(latencies) * 0.95) - 1]

        last = screen.comment_list.count - 1
        started = time.perf_counter()
        await keys(app, "G")
        await until(
            lambda: screen.comment_list.cursor == last and shown() == screen.comment_list.current.id
        )
        figures["last"] = time.perf_counter() - started

        await pilot.press("f", "down")  # the filter dialog, on "Uncoded"
        started = time.perf_counter()
        await keys(app, "enter")
        await until(lambda: not screen.session.where.is_empty)
        figures["filter"] = time.perf_counter() - started
    return figures


def measure_baseline(path: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    total = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
    conn.execute("SELECT id, source_id, substr(text, 1, 200) FROM comments LIMIT 40").fetchall()
    figures["open"] = time.perf_counter() - started

    started = time.perf_counter()
    conn.execute(
        "SELECT id, source_id, substr(text, 1, 200) FROM comments ORDER BY id LIMIT 100 OFFSET ?",
        (total // 2,),
    ).fetchall()
    figures["page"] = time.perf_counter() - started

    code = conn.execute("SELECT min(id) FROM codes").fetchone()[0]
    latencies = []
    for comment in range(1, 31):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO codings (comment_id, code_id, coder) VALUES (?, ?, 'baseline')",
            (comment, code),
        )
        conn.execute("COMMIT")
        latencies.append(time.perf_counter() - started)
    conn.execute("DELETE FROM codings WHERE coder = 'baseline'")
    figures["insert"] = statistics.median(latencies)

    started = time.perf_counter()
    conn.execute(
        "SELECT id FROM comments c WHERE NOT EXISTS "
        "(SELECT 1 FROM codings k WHERE k.comment_id = c.id) ORDER BY id"
    ).fetchall()
    figures["filter"] = time.perf_counter() - started
    conn.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    for size in args.sizes:
        path = project(size)
        base = measure_baseline(path)
        tui = asyncio.run(measure_app(path))
        print(f"\n{size:,} comments ({path.stat().st_size / 1e6:.0f} MB)")
        print(f"  {'':42s} {'coder tui':>11s}   {'bare sqlite3':>12s}")
        print(
            f"  {'open to first paint':42s} {ms(tui['open'])}   {ms(base['open'])}  (count + first page)"
        )
        print(
            f"  {'move 100 comments down (j x100)':42s} {ms(tui['move'])}   {ms(base['page'])}  (one page of 100 mid-table)"
        )
        print(f"  {'  one move (j), median of 20':42s} {ms(tui['step'])}")
        print(f"  {'jump to the last comment (G)':42s} {ms(tui['last'])}")
        print(
            f"  {'code key -> committed, median':42s} {ms(tui['code_median'])}   {ms(base['insert'])}  (INSERT + COMMIT)"
        )
        print(f"  {'code key -> committed, 95th percentile':42s} {ms(tui['code_p95'])}")
        print(
            f"  {'uncoded filter, in a worker, until shown':42s} {ms(tui['filter'])}   {ms(base['filter'])}  (SELECT the ids)"
        )


if __name__ == "__main__":
    main()
