"""Commands for the project file: init, import, codebook, status, demo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder.cli.common import cli, default_coder, opened, project_argument
from coder.cli.output import echo

if TYPE_CHECKING:
    from coder.corpus import ImportOptions, ImportSummary
    from coder.interchange.summary import Summary as InterchangeSummary


def _echo_kv(rows: list[tuple[str, object]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        echo(f"{key:<{width}}  {value}")


@cli.command()
@project_argument
@click.option(
    "--codebook",
    "codebook_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A codebook (.yaml/.json) to start the project with.",
)
@click.option("--name", help="The project's name (default: the file name).")
def init(project: Path, codebook_file: Path | None, name: str | None) -> None:
    """Create a new, empty project file (never overwrites an existing one)."""
    from coder.codebook import merge_codebook, read_codebook
    from coder.store import create_project

    book = read_codebook(codebook_file) if codebook_file else None  # check before creating
    store = create_project(project, name=name or (book.name if book else None))
    try:
        if book:
            added, _ = merge_codebook(store, book)
            store.meta.set("codebook", book.name)
    finally:
        store.close()
    detail = f" with codebook {book.name!r} ({added} codes)" if book else ""
    echo(f"created {project}{detail}")


@cli.command("import")
@project_argument
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--text",
    "text",
    multiple=True,
    metavar="COL",
    help="An answer column; repeat for several questions (one comment per answer).",
)
@click.option(
    "--id", "id_column", metavar="COL", help="The respondent id column (default: the row number)."
)
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="COL",
    help="A respondent attribute column (role, area, ...); repeatable.",
)
@click.option(
    "--codes",
    "codes",
    multiple=True,
    metavar="COL",
    help="A column of existing codes, names separated by ';' (one per --text column).",
)
@click.option(
    "--coder",
    "coder",
    metavar="NAME",
    help="Who the imported codes are attributed to (default: your login name).",
)
@click.option(
    "--create-codes", is_flag=True, help="Add codes the codebook lacks instead of failing."
)
@click.option("--delimiter", help="The CSV delimiter (default: detected). Use '\\t' for tab.")
@click.option("--encoding", help="The file's encoding (default: detected).")
@click.option("--sheet", help="The Excel sheet to read (default: the first).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def import_(
    project: Path,
    file: Path,
    text: tuple[str, ...],
    id_column: str | None,
    attrs: tuple[str, ...],
    codes: tuple[str, ...],
    coder: str | None,
    create_codes: bool,
    delimiter: str | None,
    encoding: str | None,
    sheet: str | None,
    quiet: bool,
) -> None:
    """Import survey answers from CSV, Excel (.xlsx) or JSON Lines, or a whole coded
    project from NVivo, ATLAS.ti, MAXQDA or QualCoder (.qdpx).

    Importing the same file twice adds nothing. If anything goes wrong, the project is
    left exactly as it was.

    \b
    A .qdpx (REFI-QDA project) goes into a new project (PROJECT.db is made if it does not
    exist), an empty one, or one it shares no comments, respondents or memos with: its
    text sources become comments, cases respondents, variables attributes, users coders,
    notes memos, and sets of sources questions. Codings and memos without a user are
    attributed to --coder (default: your login name). What coder cannot hold (pictures,
    PDFs, audio, graphs, ...) is counted and named. Only --coder applies to it.
    """
    if file.suffix.lower() == ".qdpx":
        given = [name for name, value in (("--text", text), ("--id", id_column),
                 ("--attr", attrs), ("--codes", codes), ("--create-codes", create_codes),
                 ("--delimiter", delimiter), ("--encoding", encoding), ("--sheet", sheet))
                 if value]  # fmt: skip
        if given:
            from coder.errors import CoderError

            raise CoderError(f"{', '.join(given)} do not apply to a .qdpx (only --coder does)")
        _import_qdpx(project, file, coder or default_coder())
        return
    from coder.cli.progress import progress_bar
    from coder.corpus import ImportOptions, import_file

    options = ImportOptions(
        text=list(text),
        id=id_column,
        attrs=list(attrs),
        codes=list(codes),
        coder=(coder or default_coder()) if codes else coder,
        create_codes=create_codes,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
    )
    with opened(project) as store, progress_bar(f"importing {file.name}", quiet) as bar:
        summary = import_file(store, file, options, progress=bar)
    _print_import_summary(summary, options)


def _import_qdpx(project: Path, file: Path, coder: str) -> None:
    """Import a .qdpx; a project file made for it is removed again if the import fails."""
    from coder.interchange.qdpx_import import import_qdpx, read_qdpx
    from coder.store import create_project, open_project

    made = not project.exists()
    reader = read_qdpx(file, coder)  # a bad file fails before any project file is made
    if made:
        name = reader.name
        store = create_project(project, name=" ".join(name.split()) if name else None)
    else:
        store = open_project(project)
    try:
        summary = import_qdpx(store, file, coder, reader)
    except BaseException:
        store.close()
        if made:
            for leftover in (project, Path(f"{project}-wal"), Path(f"{project}-shm")):
                leftover.unlink(missing_ok=True)
        raise
    store.close()
    if made:
        echo(f"created {project}")
    _print_summary(summary)


def _print_import_summary(s: ImportSummary, options: ImportOptions) -> None:
    what = f"{s.format}" + (f", {s.encoding}" if s.encoding else "")
    if s.delimiter:
        what += ", tab-delimited" if s.delimiter == "\t" else f", '{s.delimiter}'-delimited"
    if s.qualtrics:
        what += ", Qualtrics export"
    echo(f"read {s.rows} rows ({what})")
    echo(
        f"added {s.comments_added} comments to {len(s.questions)} question(s): "
        f"{', '.join(s.questions)}"
    )
    if s.already_present and options.codes:  # the codings go onto them (below)
        echo(f"found {s.already_present} comments already in the project (same id and text)")
    elif s.already_present:
        echo(f"skipped {s.already_present} comments already in the project")
    if s.text_conflicts:
        more = s.text_conflicts - len(s.text_conflict_examples)
        named = ", ".join(s.text_conflict_examples) + (f" and {more} more" if more else "")
        echo(
            f"skipped {s.text_conflicts} comments whose id is in the project with a different "
            f"text; nothing of them was written: {named}"
        )
    if s.empty_skipped:
        echo(f"skipped {s.empty_skipped} empty answers")
    if s.rows_without_id:
        echo(f"skipped {s.rows_without_id} rows with an empty id")
    if s.duplicate_ids:
        echo(
            f"skipped {s.duplicate_ids} rows whose id was already used in this file "
            f"(e.g. {', '.join(s.duplicate_examples)})"
        )
    if options.codes:
        on_known = ""
        if s.codings_on_known:
            on_known = (
                f" ({s.codings_on_known} of them added to {s.known_comments_coded} comments "
                "already in the project)"
            )
        echo(f"imported {s.codings} codings by {options.coder}{on_known}")
    if s.codes_created:
        echo(f"created {len(s.codes_created)} codes: {', '.join(s.codes_created)}")
    if s.completed_imports:
        echo(
            f"completed {s.completed_imports} unfinished import(s) of this file; "
            "none is unfinished now"
        )


def _print_summary(summary: InterchangeSummary) -> None:
    """What an interchange import did, then one line for each kind of thing not kept."""
    echo(f"imported {summary.done_line()}")
    for line in summary.lines():
        echo(f"not kept as it was: {line}")


@cli.command()
@project_argument
def status(project: Path) -> None:
    """Comments, coded, uncoded, codes, coders and the model version."""
    with opened(project) as store:
        st = store.status()
        name = store.meta.get("name")
    pct = f" ({st.coded / st.comments:.0%})" if st.comments else ""
    rows: list[tuple[str, object]] = [
        ("project", name),
        ("comments", st.comments),
        ("coded", f"{st.coded}{pct}"),
        ("uncoded", st.uncoded),
        ("respondents", st.respondents),
        ("questions", st.questions),
        ("codes", st.codes),
        ("coders", ", ".join(st.coders) or "none yet"),
        ("model version", st.model_version or "none (train with: coder train)"),
    ]
    if st.model_version:
        rows.append(("pending suggestions", st.pending_suggestions))
    if st.incomplete_imports:
        rows.append(
            (
                "warning",
                f"{st.incomplete_imports} import(s) did not finish; "
                "run the same import again to complete it",
            )
        )
    _echo_kv(rows)


@cli.group()
@project_argument
@click.pass_context
def codebook(ctx: click.Context, project: Path) -> None:
    """Show the project's codebook, or import or export it (format from the suffix)."""
    ctx.obj = project


@codebook.command("show")
@click.pass_obj
def codebook_show(project: Path) -> None:
    """Print the codebook as a tree, with each code's counts and definition.

    \b
    Counts are of comments, by any coder: "direct" coded with the code itself; for a code
    with sub-codes also "with sub-codes", coded with it or any of its sub-codes, each
    comment once (what `coder report` counts for it).
    """
    with opened(project) as store:
        codes = store.codes.all()
        direct = store.codes.counts()
        rolled = store.codes.counts_rolled_up()
    if not codes:
        echo("the codebook is empty (add one with: coder codebook PROJECT.db import FILE)")
        return
    echo(
        "Counts are of comments: direct = coded with the code itself; with sub-codes = with "
        "it or any of its sub-codes, each comment once (as coder report counts it)."
    )
    parents = {code.parent_id for code in codes}
    depth: dict[int, int] = {}
    for code in codes:
        depth[code.id] = 0 if code.parent_id is None else depth[code.parent_id] + 1
        indent = "  " * depth[code.id]
        counts = f"{direct.get(code.id, 0)} direct"
        if code.id in parents:
            counts += f", {rolled.get(code.id, 0)} with sub-codes"
        echo(f"{indent}{code.name}  [{counts}]")
        if code.description:
            echo(f"{indent}    {code.description}")


@codebook.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def codebook_import(project: Path, file: Path) -> None:
    """Add a codebook's codes to the project; codes already there get its definitions.

    FILE is YAML or JSON (.yaml, .yml, .json), or a REFI-QDA codebook (.qdc) from NVivo,
    ATLAS.ti, MAXQDA or QualCoder: its codes are matched to the project's by GUID, then by
    path, and its code sets come too. Anything it holds that coder cannot keep as it is
    is counted and named.
    """
    if file.suffix.lower() == ".qdc":
        from coder.interchange.qdc import import_qdc

        with opened(project) as store:
            summary = import_qdc(store, file)
        _print_summary(summary)
        return
    from coder.codebook import merge_codebook, read_codebook

    book = read_codebook(file)
    with opened(project) as store:
        added, updated = merge_codebook(store, book)
    echo(f"added {added} codes, updated {updated}")


@codebook.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def codebook_export(project: Path, file: Path) -> None:
    """Write the project's codebook to FILE (.yaml, .yml or .json, or .qdc for other tools).

    A .qdc (REFI-QDA) holds the code tree with colours, each code's definition, include,
    exclude and examples folded into its Description (see the README), whether it is
    codable, and the code sets; each code keeps its GUID from one export to the next.
    """
    if file.suffix.lower() == ".qdc":
        from coder.interchange.qdc import write_qdc

        with opened(project) as store:
            summary = write_qdc(store, file)
        echo(f"wrote {file}: {summary.done_line()}")
        for line in summary.lines():
            echo(f"note: {line}")
        return
    from coder.codebook import codebook_from_codes, write_codebook

    with opened(project) as store:
        book = codebook_from_codes(
            store.meta.get("codebook") or store.meta.get("name") or "", store.codes.all()
        )
    write_codebook(book, file)
    echo(f"wrote {file}")


@cli.command()
@click.argument(
    "folder",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("coder-demo"),
)
@click.option("--fresh", is_flag=True, help="Rebuild the demo project even if it exists.")
@click.option("--no-tui", is_flag=True, help="Build the project and print its status only.")
@click.option("--coder", "coder", metavar="NAME", help="Your name as a coder.")
def demo(folder: Path, fresh: bool, no_tui: bool, coder: str | None) -> None:
    """Build a demo project from the bundled codebook and survey, and open it.

    The demo lives in FOLDER (default ./coder-demo). Run it again to come back to
    your work; --fresh starts over.
    """
    from coder.demo import build_demo, demo_project_path

    path = demo_project_path(folder)
    if fresh or not path.exists():
        summary = build_demo(folder, fresh=fresh)
        echo(
            f"built {path}: {summary.comments_added} comments, {summary.codings} reference codings"
        )
    else:
        echo(f"reopening {path} (use --fresh to start over)")
    if no_tui:
        from coder.cli.project import status as status_cmd

        click.get_current_context().invoke(status_cmd, project=path)
        return
    from coder.cli.tui import open_tui

    open_tui(path, coder)
