"""Making a damaged or tampered project file safe again, and copying one while others work.

`coder repair` copies the file first (through SQLite's online backup), then removes what
coder did not create (triggers, views, indexes), puts back coder's own definitions where
they were changed (rebuilding a table keeps every row that fits it), rebuilds the
full-text index, and mends data a tampered file can carry: codes in a loop, colours and
JSON that are not what they claim. Everything it did is counted and named.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from coder.errors import CoderError
from coder.store.db import APPLICATION_ID, connect, friendly_sqlite_error
from coder.store.expected_schema import EXPECTED
from coder.store.integrity import compare, triggers_of
from coder.store.schema import migrate, refuse_newer

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FTS = ("table", "comments_fts")


@dataclass
class RepairReport:
    backup: Path
    done: list[str] = field(default_factory=list)

    def add(self, what: str, count: int = 1) -> None:
        if count:
            self.done.append(what if count == 1 else f"{what} ({count:,})")


def backup(path: Path | str, dest: Path | str) -> Path:
    """Copy a project file through SQLite's online backup: a consistent copy, safe while
    other coders keep working on it (they are paused for moments, never stopped)."""
    path, dest = Path(path), Path(dest)
    if dest.is_dir():
        dest = dest / path.name
    if dest.exists():
        raise CoderError(f"{dest} already exists; choose another name")
    if not dest.parent.exists():
        raise CoderError(f"folder {dest.parent} does not exist")
    source = _raw(path, any_version=True)
    try:
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target, pages=1024, sleep=0.005)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            target.close()
    except sqlite3.Error as exc:
        dest.unlink(missing_ok=True)
        raise friendly_sqlite_error(dest, exc) from exc
    finally:
        source.close()
    return dest


def repair(path: Path | str) -> RepairReport:
    """Copy the file aside, then make it safe and whole again."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{path.stem}.before-repair-{stamp}"
    copy = path.with_name(f"{name}{path.suffix}")
    n = 1
    while copy.exists():
        n += 1
        copy = path.with_name(f"{name}-{n}{path.suffix}")
    copy = backup(path, copy)
    report = RepairReport(copy)
    try:
        _mend_in_place(path, copy, report)
    except _Malformed:
        _salvage(path, copy, report)
    return report


class _Malformed(Exception):
    """The file's pages are damaged: its rows can still be read into a fresh file."""


def _mend_in_place(path: Path, copy: Path, report: RepairReport) -> None:
    conn = _raw(path, report)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        # Triggers go first, so that bringing an older file up to date cannot fire them.
        conn.execute("BEGIN IMMEDIATE")
        for name in triggers_of(conn):
            conn.execute(f'DROP TRIGGER IF EXISTS "{_quote(name)}"')
            report.add(f"removed trigger {name}")
        conn.commit()
        migrate(conn)
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        try:
            _schema(conn, report)
            _data(conn, report)
            orphans = _orphans(conn)
            for table, count in orphans.items():
                report.add(f"removed rows of {table} that pointed at nothing", count)
            conn.execute("INSERT INTO comments_fts (comments_fts) VALUES ('rebuild')")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise _Malformed(problems[0])
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or "corrupt" in str(exc):
            raise _Malformed(str(exc)) from exc
        raise friendly_sqlite_error(path, exc) from exc
    finally:
        with suppress(sqlite3.Error):
            conn.execute("PRAGMA foreign_keys = ON")
        conn.close()


def _salvage(path: Path, copy: Path, report: RepairReport) -> None:
    """Read every row that can still be read into a fresh project file, which then takes
    the damaged one's place (the copy made first keeps the damaged one)."""
    from coder.store.db import open_connection

    fresh = path.with_name(f".{path.name}.salvage")
    scratch = path.with_name(f".{path.name}.read")
    for name in (fresh, scratch):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, scratch)
    _readable(scratch)
    conn = open_connection(fresh, create=True)
    kept = lost = 0
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("ATTACH DATABASE ? AS old", (str(scratch),))
        tables = [
            name
            for (kind, name) in EXPECTED
            if kind == "table" and not name.startswith("comments_fts")
        ]
        conn.execute("BEGIN IMMEDIATE")
        for table in tables:
            try:
                have = [r[1] for r in conn.execute(f'PRAGMA old.table_info("{table}")')]
                want = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
                columns = ", ".join(f'"{c}"' for c in want if c in have)
                if not columns:
                    continue
                total = conn.execute(f'SELECT count(*) FROM old."{table}"').fetchone()[0]
                conn.execute(
                    f'INSERT OR IGNORE INTO main."{table}" ({columns}) '
                    f'SELECT {columns} FROM old."{table}"'
                )
                count = conn.execute(f'SELECT count(*) FROM main."{table}"').fetchone()[0]
                kept += count
                lost += max(0, total - count)
            except sqlite3.DatabaseError:
                lost += 1
                report.add(f"could not read table {table}")
        for table, count in _orphans(conn).items():
            report.add(f"removed rows of {table} that pointed at nothing", count)
            lost += count
        conn.execute("INSERT INTO comments_fts (comments_fts) VALUES ('rebuild')")
        conn.commit()
        conn.execute("DETACH DATABASE old")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        conn.close()
        fresh.unlink(missing_ok=True)
        raise CoderError(
            f"{path} is damaged beyond what repair can mend ({exc}); the copy made first is {copy}"
        ) from exc
    conn.close()
    scratch.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, path)
    report.add(
        f"the file's pages were damaged: rebuilt it from the {kept:,} rows that could be read"
        + (f" ({lost:,} could not)" if lost else "")
    )


def _raw(
    path: Path, report: RepairReport | None = None, *, any_version: bool = False
) -> sqlite3.Connection:
    """A connection to a project file with nothing in it run or changed yet; for a repair,
    a damaged (negative) schema version is worked out again from what the file holds."""
    if not path.exists():
        raise CoderError(f"no project file at {path}")
    conn = connect(path)
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise CoderError(f"{path} is not a coder project file")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < 0 and report is not None:
            version = _infer_version(conn)
            conn.execute(f"PRAGMA user_version = {version}")
            report.add(f"set the damaged schema version to {version}, as the file's tables show")
        if not any_version:  # a copy is of pages: any version, even a damaged one
            refuse_newer(version)
    except BaseException:
        conn.close()
        raise
    return conn


def _readable(path: Path) -> None:
    """Make a scratch copy's tables readable whatever happened to its indexes: every table
    is declared again with its columns alone (its rows stay where they are), and the index
    entries, which reading does not need and a damaged file may have lost, go."""
    conn = sqlite3.connect(path)
    try:
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%'"
        ).fetchall()
        plain = {}
        for name, sql in tables:
            memory = sqlite3.connect(":memory:")
            try:
                memory.execute(sql)
                info = memory.execute(f'PRAGMA table_info("{_quote(name)}")').fetchall()
                rowid = "WITHOUT ROWID" not in sql.upper()
            except sqlite3.Error:
                continue
            finally:
                memory.close()
            keys = [r for r in info if r[5]]
            columns = [
                f'"{_quote(r[1])}" INTEGER PRIMARY KEY'
                if rowid and len(keys) == 1 and r[5] and str(r[2]).upper() == "INTEGER"
                else f'"{_quote(r[1])}"'
                for r in info
            ]
            if not rowid:  # its rows are stored by their key: keep the key
                columns.append("PRIMARY KEY (" + ", ".join(f'"{_quote(r[1])}"' for r in keys) + ")")
            tail = " WITHOUT ROWID" if not rowid else ""
            plain[name] = f'CREATE TABLE "{_quote(name)}" ({", ".join(columns)}){tail}'
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("DELETE FROM sqlite_master WHERE type IN ('index', 'trigger', 'view')")
        for name, sql in plain.items():
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, name))
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute(f"PRAGMA schema_version = {version + 1}")
        conn.commit()
    except sqlite3.Error:
        pass  # read what can be read as it is
    finally:
        conn.close()


def _infer_version(conn: sqlite3.Connection) -> int:
    """The newest migration whose work a file shows."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    codings = {r[1] for r in conn.execute("PRAGMA table_info(codings)")}
    fts = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'comments_fts'").fetchone()
    suggestions = {r[1] for r in conn.execute("PRAGMA table_info(suggestions)")}
    if "discovery_runs" in names:
        return 9
    if "tier" in suggestions:
        return 8
    if "code_sets" in names:
        return 7
    if "assignments" in names:
        return 6
    if "row_log" in names:
        return 5
    if "import_id" in codings:
        return 4
    if fts and 'content="comments"' in (fts[0] or ""):
        return 3
    if "coding_log_batch" in names:
        return 2
    return 1 if "codes" in names else 0


def _schema(conn: sqlite3.Connection, report: RepairReport) -> None:
    found = compare(conn)
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
    fts = [n for n in found.altered + found.missing if n == _FTS[1] or _is_fts_part(n)]
    if fts:  # the full-text index is made again as a whole, then rebuilt from the comments
        conn.execute(f'DROP TABLE IF EXISTS "{_FTS[1]}"')
        for name in fts:
            conn.execute(f'DROP TABLE IF EXISTS "{_quote(name)}"')
        conn.execute(EXPECTED[_FTS])
        report.add("recreated the full-text index")
        found = compare(conn)
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
    for name in found.foreign:
        conn.execute(f'DROP {kinds[name].upper()} IF EXISTS "{_quote(name)}"')
        report.add(f"removed {kinds[name]} {name}")
    for name in found.altered:
        kind = kinds[name]
        if kind == "table":
            kept, dropped = _rebuild_table(conn, name)
            report.add(f"rebuilt table {name} to coder's definition, keeping {kept:,} rows")
            report.add(f"left out rows of {name} that break its rules", dropped)
        else:
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{_quote(name)}"')
            conn.execute(EXPECTED[(kind, name)])
            report.add(f"restored {kind} {name}")
    present = {(t, n) for n, t in conn.execute("SELECT name, type FROM sqlite_master")}
    for kind in ("table", "index", "view"):  # tables first: the rest stand on them
        for key, sql in EXPECTED.items():
            if key[0] == kind and key not in present and not _is_fts_part(key[1]):
                conn.execute(sql)
                report.add(f"recreated missing {kind} {key[1]}")


def _is_fts_part(name: str) -> bool:
    return name.startswith("comments_fts_")  # made by FTS5 with comments_fts itself


def _rebuild_table(conn: sqlite3.Connection, name: str) -> tuple[int, int]:
    """Recreate a table from coder's definition, copying every row that fits it."""
    if not re.fullmatch(r"[a-z_]+", name):  # one of coder's own table names
        raise CoderError(f"cannot rebuild table {name!r}")
    old = [r[1] for r in conn.execute(f'PRAGMA table_info("{_quote(name)}")')]
    temp = f"_repair_{name}"
    sql = EXPECTED[("table", name)]
    conn.execute(re.sub(rf"^CREATE TABLE {re.escape(name)}\b", f'CREATE TABLE "{temp}"', sql))
    new = [r[1] for r in conn.execute(f'PRAGMA table_info("{temp}")')]
    columns = ", ".join(f'"{_quote(c)}"' for c in new if c in old)
    total = conn.execute(f'SELECT count(*) FROM "{_quote(name)}"').fetchone()[0]
    kept = 0
    for row in conn.execute(f'SELECT {columns} FROM "{_quote(name)}"').fetchall():
        marks = ",".join("?" * len(row))
        insert = f'INSERT INTO "{temp}" ({columns}) VALUES ({marks})'
        for values in (row, tuple("" if v is None else v for v in row)):
            try:  # as it is; else with empty text where there was none
                conn.execute(insert, values)
            except sqlite3.IntegrityError:
                continue  # a duplicate, or worse: counted as left out
            kept += 1
            break
    conn.execute(f'DROP TABLE "{_quote(name)}"')
    # The views name the table; in legacy mode the rename does not check them against a
    # table that is, for this moment, gone.
    conn.execute("PRAGMA legacy_alter_table = ON")
    try:
        # Unquoted, so that the stored definition reads exactly as coder writes it.
        conn.execute(f'ALTER TABLE "{temp}" RENAME TO {name}')
    finally:
        conn.execute("PRAGMA legacy_alter_table = OFF")
    for (kind, index_name), index_sql in EXPECTED.items():
        if kind == "index" and re.search(rf"\bON {re.escape(name)}\b", index_sql):
            conn.execute(f'DROP INDEX IF EXISTS "{_quote(index_name)}"')
            conn.execute(index_sql)
    return kept, total - kept


def _data(conn: sqlite3.Connection, report: RepairReport) -> None:
    rows = conn.execute("SELECT id, parent_id, color, examples FROM codes").fetchall()
    parent = {r[0]: r[1] for r in rows}
    reachable: set[int] = set()
    for code_id in parent:  # a code is in the tree if following its parents ends at the top
        seen: list[int] = []
        node: int | None = code_id
        while node is not None and node not in reachable and node not in seen:
            seen.append(node)
            node = parent.get(node)
        if node is None or node in reachable:
            reachable.update(seen)
    looped = sorted(set(parent) - reachable)
    conn.executemany("UPDATE codes SET parent_id = NULL WHERE id = ?", [(c,) for c in looped])
    report.add("moved codes caught in a loop of parents to the top level", len(looped))
    bad_colour = [r[0] for r in rows if r[2] is not None and not _COLOR.match(str(r[2]))]
    conn.executemany("UPDATE codes SET color = NULL WHERE id = ?", [(c,) for c in bad_colour])
    report.add("cleared colours that were not #rrggbb", len(bad_colour))
    bad = [r[0] for r in rows if not _json_strings(r[3])]
    conn.executemany("UPDATE codes SET examples = '[]' WHERE id = ?", [(c,) for c in bad])
    report.add("cleared damaged example lists of codes", len(bad))
    bad = [
        r[0]
        for r in conn.execute("SELECT id, explanation FROM suggestions")
        if not _json_strings(r[1])
    ]
    conn.executemany("UPDATE suggestions SET explanation = '[]' WHERE id = ?", [(s,) for s in bad])
    report.add("cleared damaged explanations of suggestions", len(bad))
    bad = [
        r[0]
        for r in conn.execute("SELECT id, metrics, params FROM model_versions")
        if not (_json_object(r[1]) and _json_object(r[2]))
    ]
    conn.executemany("DELETE FROM model_versions WHERE id = ?", [(v,) for v in bad])
    report.add("removed model versions whose description was damaged (retrain)", len(bad))
    nulls = conn.execute("UPDATE comments SET text = '' WHERE text IS NULL").rowcount
    report.add("gave comments with no text an empty one", nulls)


def _orphans(conn: sqlite3.Connection) -> dict[str, int]:
    """Delete rows whose foreign keys point at nothing; how many per table."""
    counts: dict[str, int] = {}
    for _ in range(10):  # deleting a row can orphan rows that pointed at it
        found = conn.execute("PRAGMA foreign_key_check").fetchall()
        if not found:
            break
        for table, rowid, _, _ in found:
            if rowid is not None:
                conn.execute(f'DELETE FROM "{_quote(table)}" WHERE rowid = ?', (rowid,))
                counts[table] = counts.get(table, 0) + 1
    return counts


def _json_strings(text: object) -> bool:
    try:
        value = json.loads(str(text)) if text is not None else None
    except (ValueError, RecursionError):
        return False
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _json_object(text: object) -> bool:
    try:
        return isinstance(json.loads(str(text)), dict)
    except (ValueError, RecursionError):
        return False


def _quote(name: str) -> str:
    return name.replace('"', '""')
