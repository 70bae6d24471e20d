"""Training and suggesting in a process of its own, for the workbench's `t`.

    python -m coder.suggest.background PROJECT.db [--budget SECONDS]

Runs at a lower priority (nice 10), so on a small machine the coder's key presses come
first; the coding screen's process shares nothing with it (no interpreter lock), so keys
answer at full speed while it works. It writes one JSON object a line on standard output:
{"progress": 0.4, "message": "..."} as it goes, then {"done": {...}} or {"error": "..."}.
Killed at any moment, it leaves the project as it was: what it writes commits at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from coder.errors import CoderError
from coder.progress import emit, emitted


def summary(version: int, trained: Any, suggested: Any) -> str:
    """What training did, in a sentence; reports lacking a figure just leave it out."""
    text = f"Model v{version}"
    size = getattr(trained, "training_size", None)
    if size is not None:
        text += f" learnt from {size:,} coded comments"
    f1 = getattr(trained, "macro_f1", None)
    if f1 is not None:
        text += f" (macro F1 {f1:.2f})"
    count = getattr(suggested, "suggestions", None)
    where = getattr(suggested, "comments_with_suggestions", None)
    if count is not None and where is not None:
        text += f"; {count:,} suggestions on {where:,} comments"
    unsure = getattr(suggested, "unsure", None)
    if unsure:
        text += f" ({sum(unsure.values()):,} of them unsure)"
    skipped = getattr(trained, "skipped", None)
    if skipped:
        text += f"; {len(skipped)} codes have too few examples to learn yet"
    return text + "."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project")
    parser.add_argument("--budget", type=float, default=None)
    args = parser.parse_args(argv)
    with contextlib.suppress(OSError):  # not allowed here: run at the usual priority
        os.nice(10)
    from coder.store import open_project
    from coder.suggest import suggest, train

    try:
        with open_project(args.project) as store:
            options = {} if args.budget is None else {"budget": args.budget}
            # A retrain while coding reuses the last full search's settings (until the coding
            # has grown a quarter).
            trained = train(store, progress=emitted, quick=True, **options)
            suggested = suggest(store, progress=emitted)
    except CoderError as exc:
        emit({"error": str(exc)})
        return 1
    except Exception as exc:  # noqa: BLE001 - reported to the screen, which carries on
        emit({"error": f"training failed: {type(exc).__name__}: {exc}"})
        return 1
    emit(
        {
            "done": {
                "version": trained.version,
                "summary": summary(trained.version, trained, suggested),
            }
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
