"""Discovering themes in a process of its own, for the workbench's themes screen (`d`).

    python -m coder.discover.background PROJECT.db --coder NAME [--scope S] [--themes N|auto]
        [--question Q] [--seed S]

As training does (coder.suggest.background), it runs at a lower priority (nice 10) and
shares no interpreter lock with the coding screen, so keys answer at full speed while it
works. It writes one JSON object a line on standard output: {"progress": 0.4, "message":
"..."} as it goes, then {"done": {"themes": N, "summary": "..."}} or {"error": "..."}.
Killed at any moment, it leaves the project as it was: the run is stored in one
transaction at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from coder.discover.options import DiscoverOptions, parse_themes
from coder.errors import CoderError
from coder.progress import emit, emitted


def command(project: str, coder: str, options: DiscoverOptions) -> list[str]:
    """The command line that runs a discovery with these options in the background."""
    o = options
    out = [sys.executable, "-m", "coder.discover.background", project, "--coder", coder]
    out += ["--scope", o.scope, "--themes", "auto" if o.themes is None else str(o.themes)]
    if o.question is not None:
        out += ["--question", o.question]
    if o.features is not None:
        out += ["--features", o.features]
    return out + ["--seed", str(o.seed)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project")
    parser.add_argument("--coder", required=True)
    parser.add_argument("--scope", default="uncoded")
    parser.add_argument("--themes", default="auto")
    parser.add_argument("--question", default=None)
    parser.add_argument("--features", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with contextlib.suppress(OSError):  # not allowed here: run at the usual priority
        os.nice(10)

    try:
        from coder.discover.run import discover
        from coder.discover.views import view
        from coder.store import open_project

        options = DiscoverOptions(
            scope=args.scope,
            question=args.question,
            themes=parse_themes(args.themes),
            features=args.features,
            seed=args.seed,
        )
        with open_project(args.project) as store:
            run = discover(store, options, args.coder, emitted)
            summary = view(store, run).counts
    except CoderError as exc:
        emit({"error": str(exc)})
        return 1
    except Exception as exc:  # noqa: BLE001 - reported to the screen, which carries on
        emit({"error": f"discovering themes failed: {type(exc).__name__}: {exc}"})
        return 1
    emit({"done": {"themes": len(run.themes), "summary": summary}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
