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
import subprocess
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


CPU: dict[str, list[float]] = {}  # main-thread processor seconds of each press, by key


async def press_times(pilot, key: str, n: int, between: str | None = "j") -> list[float]:
    """Seconds from each press to the app idle again: handled, committed and repainted.

    The main thread's processor time for each press goes to CPU[key]: unlike the wall
    clock, it hardly moves when other work shares the machine (the commit's fsync is not in it).
    """
    times, cpu = [], CPU.setdefault(key, [])
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.thread_time()
        await pilot.press(key)
        times.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
        if between:
            await pilot.press(between)
    return times


def suggest_ahead(path: Path, start: int, count: int) -> None:
    """A model version with pending suggestions on the comments the benchmark will visit."""
    from coder.model_card import FitConfig, ModelCard
    from coder.store import open_project

    with open_project(path) as store:
        codes = [c.id for c in store.codes.all() if c.parent_id is None]
        card = ModelCard("tfidf", 0, FitConfig(), 5, 0, ())
        version = store.models.add(card, None)
        rows = [(c, codes[c % len(codes)], 0.8, ["bench"]) for c in range(start, start + count)]
        store.suggestions.replace(version, rows)


async def measure_keys(path: Path, training: bool) -> dict[str, list[float]]:
    """Code key and accept, each pressed many times: press to repainted, and Pilot's own
    cost for a key bound to nothing, to subtract."""
    from coder.tui.app import CoderApp

    trainer = None
    if training:  # the workbench's own training process, as `t` starts it
        trainer = subprocess.Popen(
            [sys.executable, "-m", "coder.suggest.background", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(8)  # well into reading and encoding two hundred thousand comments
    try:
        app = CoderApp(path, "bench")
        async with app.run_test(size=(120, 40)) as pilot:
            noop = await press_times(pilot, "f12", 100, between=None)
            accept = await press_times(pilot, "a", 100)  # comments 1-100 carry suggestions
            code = await press_times(pilot, "1", 100)
    finally:
        if trainer is not None:
            trainer.kill()
            trainer.wait()
    return {"noop": noop, "code": code, "accept": accept}


async def key_to_screen(app, key: str, n: int) -> list[float]:
    """Seconds from a key's arrival (sent as a terminal sends it, no Pilot) to the end of the
    first screen update after the key was handled: what a coder waits for. Textual draws at
    most 60 times a second, so up to 17 ms of it is waiting for the next frame."""
    from coder.tui.screens.coding import CodingScreen

    screen = app.screen
    painted: list[float] = []
    handled: list[float] = []
    paint, do = screen._compositor_refresh, CodingScreen._do

    def refresh() -> None:
        paint()
        painted.append(time.perf_counter())

    def done(self, *args, **kwargs) -> None:
        do(self, *args, **kwargs)
        handled.append(time.perf_counter())

    screen._compositor_refresh = refresh
    CodingScreen._do = done
    out = []
    try:
        for _ in range(n):
            handled.clear()
            started = time.perf_counter()
            await keys(app, key)
            await until(lambda: bool(handled) and any(t > handled[0] for t in painted[-3:]))
            out.append(next(t for t in painted if t > handled[0]) - started)
            await keys(app, "j")
            await asyncio.sleep(0.2)  # the move handled and drawn before the next key
    finally:
        CodingScreen._do = do
        del screen._compositor_refresh
    return out


async def measure_direct(path: Path, training: bool) -> dict[str, list[float]]:
    """Code key and accept, from arrival to the screen updated (see key_to_screen)."""
    from coder.tui.app import CoderApp

    trainer = None
    if training:
        trainer = subprocess.Popen(
            [sys.executable, "-m", "coder.suggest.background", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(8)
    try:
        app = CoderApp(path, "bench")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            accept = await key_to_screen(app, "a", 100)  # comments 1-100 carry suggestions
            code = await key_to_screen(app, "1", 100)
    finally:
        if trainer is not None:
            trainer.kill()
            trainer.wait()
    return {"code": code, "accept": accept}


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


def codes_project(codes: int = 1000) -> Path:
    """A small project with a big codebook: 40 themes of 25 sub-codes (as vendor codebooks)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"tui-codes-{codes}.db"
    if path.exists():
        return path
    store = create_project(path, name=f"{codes} codes")
    rng = random.Random(3)
    with store.db.transaction():
        for t in range(codes // 25):
            theme = store.codes.add(f"{rng.choice(WORDS).title()} theme {t}")
            for c in range(24):
                store.codes.add(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {c}", parent_id=theme)
    import_id = store.imports.begin("generated")
    rows = [
        ImportRow(f"R{i}", f"R{i}", "q", " ".join(rng.choices(WORDS, k=12)), {}) for i in range(200)
    ]
    store.imports.write_chunk(import_id, rows, None)
    store.imports.finish(import_id, {})
    store.close()
    return path


async def measure_palette(path: Path) -> tuple[list[float], list[float]]:
    """Each letter typed into the code palette, press to the matches shown; Pilot alone."""
    from coder.tui.app import CoderApp

    app = CoderApp(path, "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        noop = await press_times(pilot, "f12", 50, between=None)
        typed = []
        for word in ("wor", "sup", "tra", "cas", "pho", "ris"):
            await pilot.press("p")
            for letter in word:
                started = time.perf_counter()
                await pilot.press(letter)
                typed.append(time.perf_counter() - started)
            await pilot.press("escape")
    return typed, noop


def report_palette() -> None:
    path = codes_project()
    typed, noop = asyncio.run(measure_palette(path))
    pilot = statistics.median(noop)
    net = [t - pilot for t in typed]
    print(f"\n1,000 codes, the code palette ({len(typed)} letters typed)")
    print(
        f"  {'letter to matches shown, net of Pilot':42s} {ms(statistics.median(net))}"
        f" {ms(percentile(net, 0.99))}  (median, p99; Pilot alone {ms(pilot).strip()})"
    )


def reset(path: Path) -> None:
    """The bench coder's work undone, the place at the first comment, suggestions ahead."""
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM project WHERE key LIKE 'tui.place:%'")
        conn.execute("DELETE FROM codings WHERE coder = 'bench'")
        conn.execute("DELETE FROM coding_log WHERE coder = 'bench'")
        conn.execute("DELETE FROM suggestions")
        conn.execute("DELETE FROM model_versions")
    suggest_ahead(path, 1, 400)


def report_keys(path: Path) -> None:
    """Key to repainted, net of Pilot's own cost, quiet and with a training running; then
    key to screen updated, measured inside the app."""
    reset(path)
    print(f"  {'press to committed and repainted':42s} {'median':>9s} {'p99':>9s}  (net of Pilot)")
    for training in (False, True):
        CPU.clear()
        figures = asyncio.run(measure_keys(path, training))
        pilot = statistics.median(figures["noop"])
        pilot_cpu = statistics.median(CPU["f12"])
        label = "while a training runs" if training else "quiet"
        for name, key in (("code", "1"), ("accept", "a")):
            net = [t - pilot for t in figures[name]]
            cpu = [t - pilot_cpu for t in CPU[key]]
            print(
                f"  {f'{name} key, {label}':42s} {ms(statistics.median(net))}"
                f" {ms(percentile(net, 0.99))}   main-thread processor time"
                f" {ms(statistics.median(cpu)).strip()} / {ms(percentile(cpu, 0.99)).strip()}"
            )
        print(f"  {f'  (Pilot alone, {label})':42s} {ms(pilot)}")
    print(f"  {'key arriving to the screen updated':42s} {'median':>9s} {'p99':>9s}  (no Pilot)")
    for training in (False, True):
        reset(path)
        direct = asyncio.run(measure_direct(path, training))
        label = "while a training runs" if training else "quiet"
        for name in ("code", "accept"):
            times = direct[name]
            print(
                f"  {f'{name} key, {label}':42s} {ms(statistics.median(times))}"
                f" {ms(percentile(times, 0.99))}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keys-only", action="store_true", help="Only the key latencies.")
    args = parser.parse_args()
    report_palette()
    for size in args.sizes:
        path = project(size)
        if args.keys_only:
            print(f"\n{size:,} comments")
            report_keys(path)
            continue
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
        report_keys(path)


if __name__ == "__main__":
    main()
