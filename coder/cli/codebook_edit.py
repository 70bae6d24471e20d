"""Changing the codebook from scripts: add, rename, move, merge and delete codes by path.

Each is one undoable action by the coder named with --coder (the workbench's `u` takes it
back), and prints what it changed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder.cli.common import default_coder, opened
from coder.cli.output import echo
from coder.cli.project import codebook
from coder.errors import CoderError

if TYPE_CHECKING:
    from coder.store import Store

coder_option = click.option(
    "--coder",
    "coder",
    metavar="NAME",
    help="Who makes the change, for undo (default: $CODER_NAME, else your login name).",
)


def _find(store: Store, path: str) -> int:
    from coder.codebook import CodeIndex

    return CodeIndex(store.codes.all()).get(path).id


@codebook.command("add")
@click.argument("name")
@click.option("--parent", metavar="PATH", help="Make it a sub-code of this code.")
@click.option("--description", default="", help="What the code means.")
@click.option("--color", metavar="#RRGGBB", help="Its colour.")
@coder_option
@click.pass_obj
def codebook_add(
    project: Path,
    name: str,
    parent: str | None,
    description: str,
    color: str | None,
    coder: str | None,
) -> None:
    """Add a code NAME (a sub-code with --parent PATH)."""
    with opened(project) as store:
        parent_id = _find(store, parent) if parent else None
        code_id = store.codebook.create(
            name, coder or default_coder(), parent_id=parent_id, description=description,
            color=color,
        )  # fmt: skip
        echo(f"added {store.codes.get(code_id).path}")


@codebook.command("rename")
@click.argument("path")
@click.argument("new_name")
@coder_option
@click.pass_obj
def codebook_rename(project: Path, path: str, new_name: str, coder: str | None) -> None:
    """Rename the code at PATH ("Parent > Child") to NEW_NAME; its codings stay."""
    with opened(project) as store:
        code_id = _find(store, path)
        old = store.codes.get(code_id).path
        if store.codebook.update(code_id, coder or default_coder(), name=new_name):
            echo(f"renamed {old} to {store.codes.get(code_id).path}")
        else:
            echo(f"{old} already has that name")


@codebook.command("move")
@click.argument("path")
@click.option("--parent", metavar="PATH", help="The code to move it under.")
@click.option("--top", is_flag=True, help="Make it a top-level code.")
@coder_option
@click.pass_obj
def codebook_move(
    project: Path, path: str, parent: str | None, top: bool, coder: str | None
) -> None:
    """Move the code at PATH, with its sub-codes, under --parent PATH or to the --top."""
    if bool(parent) == top:
        raise CoderError("say where to: --parent PATH or --top")
    with opened(project) as store:
        code_id = _find(store, path)
        parent_id = _find(store, parent) if parent else None
        if store.codebook.move(code_id, parent_id, coder or default_coder()):
            echo(f"moved {path} to {store.codes.get(code_id).path}")
        else:
            echo(f"{path} is there already")


@codebook.command("merge")
@click.argument("from_path", metavar="FROM_PATH")
@click.argument("into_path", metavar="INTO_PATH")
@coder_option
@click.pass_obj
def codebook_merge(project: Path, from_path: str, into_path: str, coder: str | None) -> None:
    """Merge the code FROM_PATH into INTO_PATH: every coding, memo and sub-code of it
    moves over, then FROM_PATH is removed."""
    with opened(project) as store:
        from_id, into_id = _find(store, from_path), _find(store, into_path)
        names = store.codes.get(from_id).path, store.codes.get(into_id).path
        done = store.codebook.merge(from_id, into_id, coder or default_coder())
    echo(
        f"merged {names[0]} into {names[1]}: {done.moved_codings} codings moved "
        f"({done.codings - done.moved_codings} already there), {done.memos} memos"
    )


@codebook.command("delete")
@click.argument("path")
@click.option("--yes", is_flag=True, help="Delete without asking.")
@coder_option
@click.pass_obj
def codebook_delete(project: Path, path: str, yes: bool, coder: str | None) -> None:
    """Delete the code at PATH with its sub-codes and every coding of them (undoable)."""
    with opened(project) as store:
        code_id = _find(store, path)
        name = store.codes.get(code_id).path
        impact = store.codebook.impact(code_id)
        what = (
            f"{name}: {impact.codes - 1} sub-codes, {impact.codings} codings, {impact.memos} memos"
        )
        if not yes:
            if not sys.stdin.isatty():
                raise CoderError(f"this would delete {what}; add --yes to do it")
            click.confirm(f"Delete {what}?", abort=True, err=True)
        done = store.codebook.delete(code_id, coder or default_coder())
    echo(
        f"deleted {name} with {done.codes - 1} sub-codes, {done.codings} codings, "
        f"{done.memos} memos and {done.suggestions} suggestions"
    )
