"""Commands for discovering themes: discover, and theme-code to make a code of a theme."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.common import cli, default_coder, opened, project_argument
from coder.cli.model import FEATURE_CHOICES, _progress
from coder.cli.output import echo
from coder.errors import CoderError
from coder.files import check_output, is_stdout, write_text_atomically

_DISCOVER_HELP = """Group comments into candidate themes to read, name and turn into codes.

\b
For each theme: its number, size and share of the comments in scope, its most
distinctive words and phrases (class-based TF-IDF; stop words never, and words the
codebook's code names use marked), its 3-5 most typical comments as quotes, and the
existing code its members carry most, with the share that carry it ("new" when few do).
Comments that fit no theme are counted as unthemed, never forced into one. Everything
runs on this machine; the run is stored in the project (a new run replaces the last
run's themes; every run's settings are kept) for the workbench's themes (key T) and
`coder theme-code`.

\b
--scope: uncoded (default: comments nobody has coded), all, or a code's path (its
comments and its sub-codes', to find themes within it). --themes auto (default) chooses
the number itself, at most half the square root of the comments (and 60), and says how
in one line. The same project, settings and --seed give the same themes.

\b
Formats: table (terminal), md, csv, html (one self-contained page); --out FILE writes
it there (format from the suffix). CSV columns: theme, size, share, terms, nearest_code,
nearest_code_share, codebook_terms, quotes, code; the last row, with an empty theme, is
the unthemed comments. --members FILE.csv writes every comment in scope: theme (empty
for an unthemed comment), comment_id, typicality (closeness to its theme's centre, 0-1),
text.
"""


@cli.command(help=_DISCOVER_HELP, short_help="Find candidate themes in the comments.")
@project_argument
@click.option("--scope", default="uncoded", show_default=True, metavar="uncoded|all|CODE",
              help="Which comments: nobody's coded yet, all, or those with a code.")  # fmt: skip
@click.option("--question", metavar="Q", help="Only the comments answering this question.")
@click.option("--themes", "themes", default="auto", show_default=True, metavar="N|auto",
              help="How many themes (2-60), or auto.")  # fmt: skip
@click.option(
    "--features",
    type=click.Choice(FEATURE_CHOICES),
    help="tfidf, or tfidf+embeddings with the embeddings extra (default: the best installed).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "md", "csv", "html"]),
    help="Output format (default: from --out's suffix, else table).",
)  # fmt: skip
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE instead of the terminal ('-': standard output).",
)
@click.option(
    "--members",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.csv",
    help="Write every comment in scope with its theme and typicality.",
)
@click.option(
    "--coder", "coder", metavar="NAME", help="Who ran it (default: $CODER_NAME or login)."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def discover(
    project: Path,
    scope: str,
    question: str | None,
    themes: str,
    features: str | None,
    seed: int,
    fmt: str | None,
    out: Path | None,
    members: Path | None,
    coder: str | None,
    quiet: bool,
) -> None:
    from coder.discover.run import DiscoverOptions, discover, parse_themes
    from coder.discover.views import members_csv, render, view

    if is_stdout(out):
        if fmt is None:
            raise CoderError("with --out - (standard output) say which --format")
        out = None
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = {"md": "md", "markdown": "md", "csv": "csv", "html": "html", "htm": "html"}.get(
            suffix, "table"
        )
    if members is not None and is_stdout(members):
        raise CoderError("--members needs a file name")
    check_output(out)
    check_output(members)
    options = DiscoverOptions(scope, question, parse_themes(themes), features, seed)
    with opened(project) as store, _progress(quiet) as progress:
        run = discover(store, options, coder or default_coder(), progress)
        text = render(view(store, run), fmt)
        listing = members_csv(store) if members is not None else ""
    if out is None:
        echo(text.rstrip("\n"))
    else:
        echo(f"wrote {write_text_atomically(out, text)}", err=True)
    if members is not None:
        echo(f"wrote {write_text_atomically(members, listing)}", err=True)


@cli.command("theme-code")
@project_argument
@click.argument("theme", type=int)
@click.option("--name", required=True, help="The new code's name.")
@click.option("--description", default="", help="Its definition.")
@click.option("--parent", metavar="PATH", help="Make it a sub-code of this code.")
@click.option(
    "--code-members",
    is_flag=True,
    help="Also code every member of the theme with it, as one undoable step (origin `discovered`).",
)
@click.option(
    "--coder", "coder", metavar="NAME", help="Who does it (default: $CODER_NAME or login)."
)
def theme_code(
    project: Path,
    theme: int,
    name: str,
    description: str,
    parent: str | None,
    code_members: bool,
    coder: str | None,
) -> None:
    """Make a code from candidate theme THEME of the latest `coder discover` run.

    The theme's typical quotes become the code's examples. With --code-members every
    comment of the theme is coded with it in one step that `u` in the workbench (or
    undo) takes back; review the members first (`coder discover --members`, or the
    workbench's themes, key T).
    """
    from coder.discover.codes import code_from_theme

    with opened(project) as store:
        made = code_from_theme(
            store,
            theme,
            name,
            coder or default_coder(),
            description=description,
            parent=parent,
            code_members=code_members,
        )
    echo(made.message)
