"""Running the `coder` command in-process, as a user would, for the CLI tests."""

from __future__ import annotations

from collections.abc import Iterator

import click

from coder.cli import cli, main


def run(capsys, *argv) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `coder ARGV`."""
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def all_commands(
    group: click.Group = cli, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Every command and sub-command, as the words that name it: ("codebook", "show")."""
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


def help_argv(path: tuple[str, ...]) -> list[str]:
    """The arguments that ask a command for its help (codebook's sub-commands follow a project)."""
    if path[0] == "codebook" and len(path) > 1:
        return ["codebook", "p.db", *path[1:], "--help"]
    return [*path, "--help"]


def command_at(path: tuple[str, ...]) -> click.Command:
    """The command a path of words names."""
    command: click.Command = cli
    for word in path:
        assert isinstance(command, click.Group)
        command = command.commands[word]
    return command
