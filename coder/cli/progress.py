"""A progress bar on stderr for long commands, drawn only on a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from coder.progress import Tally
from coder.text import shown


@contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator[Tally]:
    """Yields update(done, total). The bar appears at the first update (so a command that
    fails on its input prints only its error) and is wiped if the command fails."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda done, total: None
        return
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            progress.start()
            # A file name is shown as it is: no rich markup read from it, no escapes obeyed.
            task = progress.add_task(escape(shown(label)), total=total or None)
        progress.update(task, completed=done, total=total or None)

    try:
        yield update
    except BaseException:
        progress.live.transient = True
        raise
    finally:
        if task is not None:
            progress.stop()
