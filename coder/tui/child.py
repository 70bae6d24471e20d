"""Following a background process (training, discovering themes) from a worker thread.

The process reports on standard output as coder.progress.emit writes: a JSON object a line,
{"progress": f, "message": m} as it goes, then {"done": {...}} or {"error": why}.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.worker import Worker


@dataclass(frozen=True)
class Ended:
    """How a background process ended: `done` its report, else `failed` says why; neither
    when the worker was cancelled (the app is closing)."""

    done: dict[str, Any] | None = None
    failed: str | None = None


def follow(
    command: list[str],
    worker: Worker[Any],
    *,
    started: Callable[[subprocess.Popen[str]], None],
    stop: Callable[[], None],
    progress: Callable[[str, float], object],
    what: str,
) -> Ended:
    """Run `command`, pass its progress on, and say how it ended. `started` is given the
    process (so that quitting can stop it), `stop` ends it; `what` names the work in a
    failure ("the training", "discovering themes")."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        try:
            child = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL,
                text=True,
            )  # fmt: skip
        except OSError as exc:
            return Ended(failed=f"cannot start {what}: {exc}")
        started(child)
        done: dict[str, Any] | None = None
        failed: str | None = None
        assert child.stdout is not None
        for line in child.stdout:
            if worker.is_cancelled:
                break
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a library's note on the wrong stream: not ours to show
            if "progress" in record:
                progress(str(record.get("message", "")), float(record["progress"]))
            elif "done" in record:
                done = record["done"]
            elif "error" in record:
                failed = str(record["error"])
        stop()
        if worker.is_cancelled:
            return Ended()
        if done is not None:
            return Ended(done=done)
        errors.seek(0)
        last = [line for line in errors.read().splitlines() if line.strip()][-1:]
        stopped = what.removeprefix("the ") + " stopped"
        return Ended(failed=failed or (f"{stopped}: {last[0]}" if last else stopped))
