"""Building the demo project from the bundled codebook and illustrative survey."""

from __future__ import annotations

import shutil
from pathlib import Path

from coder import bundled
from coder.codebook import merge_codebook, read_codebook
from coder.corpus import ImportOptions, ImportSummary, import_file
from coder.errors import CoderError
from coder.store import create_project

DEMO_FILE = "hsb-demo.db"


def demo_project_path(folder: Path) -> Path:
    return Path(folder) / DEMO_FILE


def build_demo(folder: Path, *, fresh: bool = False) -> ImportSummary:
    """Make FOLDER/hsb-demo.db from the bundled codebook and corpus."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CoderError(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    path = demo_project_path(folder)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    tmp = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    book = read_codebook(bundled.codebook_path())
    store = create_project(tmp, name="HSB workforce survey (demo)")
    try:
        merge_codebook(store, book)
        store.meta.set("codebook", book.name)
        options = ImportOptions(
            text=bundled.DEMO_QUESTIONS,
            id="respondent_id",
            attrs=bundled.DEMO_ATTRIBUTES,
            codes=[f"{q}_codes" for q in bundled.DEMO_QUESTIONS],
            coder=bundled.DEMO_REFERENCE_CODER,
        )
        summary = import_file(store, bundled.corpus_path(), options)
        store.db.checkpoint()
    finally:
        store.close()
    # Built aside and moved into place, so a half-built demo never looks finished.
    shutil.move(str(tmp), str(path))
    return summary
