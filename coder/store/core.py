"""Opening a project file: connection settings, migrations, metadata and transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from coder.errors import CoderError
from coder.store.schema import MIGRATIONS, SCHEMA_VERSION

APPLICATION_ID = 0x436F6452  # "CodR": marks a SQLite file as a coder project
BUSY_TIMEOUT_MS = 5000


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
    return CoderError(f"{path}: {text}")


class StoreCore:
    """The connection and the few things every part of the store shares."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()

    # -- metadata --------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, key: str, value: str | None) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file, so the file alone is complete."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]


def connect(path: Path) -> sqlite3.Connection:
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


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations the file has not seen yet, each in its own transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CoderError(
            f"this project file was written by a newer coder (schema {version}, "
            f"this coder knows {SCHEMA_VERSION}); upgrade coder to open it"
        )
    for number in range(version, target):
        conn.executescript(
            "BEGIN IMMEDIATE;\n"
            + MIGRATIONS[number]
            + f"\nPRAGMA user_version = {number + 1};\nCOMMIT;"
        )
    return conn.execute("PRAGMA user_version").fetchone()[0]


def open_connection(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """Open (or with create=True, make) a project file and bring its schema up to date."""
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
    try:
        conn = connect(path)
        if create:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                conn.close()
                raise CoderError(f"{path} is not a coder project file")
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    except sqlite3.Error as exc:
        if create and path.exists():
            path.unlink()
        raise friendly_sqlite_error(path, exc) from exc
    return conn
