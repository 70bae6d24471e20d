"""The connection to a project file: settings, migrations, transactions and id chunking.

Plain `sqlite3` on every path a key press or a command's start takes; sqlite-utils is
loaded only when the schema is created or moved forward (see schema.py).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import chain, islice
from pathlib import Path
from typing import Any

from coder.errors import CoderError

APPLICATION_ID = 0x436F6452  # "CodR": marks a SQLite file as a coder project
BUSY_TIMEOUT_MS = 5000
MAX_PARAMS = 900  # below SQLite's smallest limit on bound parameters
# The newest model version: pending suggestions and the "most useful next" order belong to it.
LATEST_MODEL = "(SELECT max(id) FROM model_versions)"
# An import's many large transactions: a page cache of this many KiB, and a checkpoint
# of the write-ahead log once it holds this many pages rather than every 1,000.
BULK_CACHE_KIB = 32768
BULK_CHECKPOINT_PAGES = 16384

Params = Sequence[Any] | dict[str, Any]


def friendly_sqlite_error(path: Path | str, exc: sqlite3.Error) -> CoderError:
    """Turn a sqlite3 error into a one-line message a researcher can act on."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return CoderError(f"{path} is locked by another program; try again in a moment")
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return CoderError(f"{path} is not a coder project file (or it is damaged)")
    if "readonly" in text:
        return CoderError(f"{path} is read-only")
    if "unable to open" in text:
        return CoderError(f"cannot open {path}")
    if "disk is full" in text or "disk I/O error" in text:
        return CoderError(f"cannot write to {path}: {text}; free some space and try again")
    return CoderError(f"{path}: {text}")


def chunks(ids: Iterable[Any], size: int = MAX_PARAMS) -> Iterator[list[Any]]:
    """A long list of ids in pieces small enough to bind as parameters."""
    items = list(ids)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def marks(part: Sequence[object]) -> str:
    """`?, ?, ?` for an IN (...) list of this many parameters."""
    return ",".join("?" * len(part))


class Db:
    """One open connection to a project file and the transactions on it."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def insert_rows(self, insert: str, width: int, rows: Iterable[Sequence[Any]]) -> int:
        """Run `insert` (an INSERT up to VALUES) for many rows of `width` values, as many
        rows a statement as the bound-parameter limit allows; returns the rows inserted.

        `executemany` runs its statement once a row; several rows a statement save that
        work a row, a tenth to a fifth of the time on the tables an import fills.
        sqlite-utils' `insert_all` writes several rows a statement too, but checks every
        value in Python first, which made it slower than `executemany` here.
        """
        per = MAX_PARAMS // width
        row = "(" + ",".join("?" * width) + ")"
        full = f"{insert} VALUES {','.join([row] * per)}"
        values = chain.from_iterable(rows)
        added = 0
        while batch := list(islice(values, per * width)):
            if len(batch) < per * width:  # the last, shorter batch
                full = f"{insert} VALUES {','.join([row] * (len(batch) // width))}"
            added += self.conn.execute(full, batch).rowcount
        return added

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def column(self, sql: str, params: Params = ()) -> list[Any]:
        """The first column of every row."""
        return [r[0] for r in self.conn.execute(sql, params)]

    def select_in(
        self, sql: str, ids: Iterable[Any], before: Sequence[Any] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql` (with `{marks}` where the ids go) for any number of ids.

        `before` are parameters bound ahead of the ids on every piece.
        """
        for part in chunks(ids):
            yield from self.conn.execute(sql.format(marks=marks(part)), [*before, *part])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error.

        BEGIN IMMEDIATE takes the write lock up front, so two coders on one file
        wait for each other (up to the busy timeout) instead of failing half-way.
        """
        if self.conn.in_transaction:  # nested: join the outer transaction
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise friendly_sqlite_error(self.path, exc) from exc
        try:
            yield self.conn
            self.conn.commit()
        except sqlite3.Error as exc:
            # A full disk, a lock held too long, a constraint: one clear line, nothing half-done.
            self._rollback()
            raise friendly_sqlite_error(self.path, exc) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # If the connection itself failed there is nothing more to undo here.
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.rollback()

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Settings for a long run of large write transactions, on this connection only,
        put back as they were afterwards.

        In WAL mode `synchronous = NORMAL` lets a commit return without waiting for the disk;
        what is committed still survives the process being killed, and only a power cut
        could lose the last commits. The caller's next commit, made once FULL is back,
        syncs the whole log and so everything before it.
        """
        saved = {
            name: int(self.scalar(f"PRAGMA {name}"))
            for name in ("synchronous", "cache_size", "wal_autocheckpoint")
        }
        try:
            if saved["synchronous"] > 1 and self.scalar("PRAGMA journal_mode") == "wal":
                self.execute("PRAGMA synchronous = NORMAL")
            self.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            self.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
            yield
        finally:
            for name, value in saved.items():
                self.execute(f"PRAGMA {name} = {value}")

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file, so the file alone is complete."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def data_version(self) -> int:
        """Changes whenever another connection (another coder's screen) commits to the file."""
        return int(self.scalar("PRAGMA data_version"))

    @property
    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version"))


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the settings every project file is used with."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so every write is
    # committed exactly when the store says so.
    # A project file may come from someone else: never let its schema run code.
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _create_whole(path: Path) -> None:
    """Make an empty project file with its whole schema, appearing at `path` only once
    complete: built under a hidden name beside it, then linked into place, so that a kill
    at any moment leaves no file, or an empty project, never a file with half a schema."""
    from coder.store.schema import migrate

    building = path.with_name(f".{path.name}.{os.getpid()}.creating")
    for suffix in ("", "-wal", "-shm", "-journal"):  # a run killed before, with this pid
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    conn = None
    try:
        conn = connect(building)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrate(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        conn = None
        try:
            os.link(building, path)  # never replaces a file made meanwhile
        except FileExistsError:
            raise CoderError(
                f"{path} already exists; choose another name or remove it first"
            ) from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise CoderError(
                    f"{path} already exists; choose another name or remove it first"
                ) from None
            os.replace(building, path)
    except sqlite3.Error as exc:
        raise friendly_sqlite_error(path, exc) from exc
    finally:
        if conn is not None:
            conn.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(OSError):
                Path(f"{building}{suffix}").unlink(missing_ok=True)


def open_connection(
    path: Path | str, *, create: bool = False, check: bool = True
) -> sqlite3.Connection:
    """Open (or with create=True, make) a project file and bring its schema up to date.

    A file from elsewhere is checked before anything in it is used or changed: a newer
    schema is refused untouched, and so is a schema coder did not write (see integrity.py);
    `check=False` is for `coder repair` alone.
    """
    from coder.store.integrity import check_before_use
    from coder.store.schema import SCHEMA_VERSION, migrate, refuse_newer

    path = Path(path)
    if create:
        if path.exists():
            raise CoderError(f"{path} already exists; choose another name or remove it first")
        if not path.parent.exists():
            raise CoderError(f"folder {path.parent} does not exist")
    elif not path.exists():
        raise CoderError(f"no project file at {path} (make one with: coder init {path})")
    elif path.is_dir():
        raise CoderError(f"{path} is a folder, not a project file")
    if create:
        _create_whole(path)
    conn = None
    try:
        conn = connect(path)
        if not create:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                raise CoderError(f"{path} is not a coder project file")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            refuse_newer(version)
            if check:
                check_before_use(conn, path, version)
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
        if check and not create:
            check_before_use(conn, path, SCHEMA_VERSION)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise friendly_sqlite_error(path, exc) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return conn
