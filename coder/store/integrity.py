"""A project file from someone else is checked before anything in it is used.

`trusted_schema` is off on every connection, so nothing in a file can call a function
with side effects; but a plain trigger (`AFTER INSERT ON codings ... DELETE FROM codings`)
would still run on the first key press, and a view or index that coder did not create can
change what a query returns or make it never end. So on opening, the file's schema is
compared with the one coder writes: a trigger, or a view, index or table definition that
differs, is refused with a way out (`coder repair`), before anything is read or written.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from coder.errors import CoderError
from coder.store.expected_schema import EXPECTED, EXPECTED_VERSION


class UnsafeProject(CoderError):
    """The file holds schema objects coder did not create; `coder repair` removes them."""


@dataclass
class SchemaReport:
    """How a file's schema differs from the one coder writes."""

    triggers: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # views and indexes coder did not make
    altered: list[str] = field(default_factory=list)  # coder's own objects, redefined
    missing: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.triggers or self.foreign or self.altered or self.missing)

    def describe(self) -> str:
        parts = []
        for label, names in (
            ("triggers", self.triggers),
            ("views or indexes coder did not create", self.foreign),
            ("changed definitions of", self.altered),
            ("missing", self.missing),
        ):
            if names:
                shown = ", ".join(names[:5]) + (
                    f" and {len(names) - 5} more" if len(names) > 5 else ""
                )
                parts.append(f"{label} {shown}")
        return "; ".join(parts)


def normalise(sql: str | None) -> str:
    """SQL compared by its words: spacing, line breaks, comments and quotes around a plain
    name do not count."""
    if sql is None:
        return ""
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r'"([A-Za-z_][A-Za-z0-9_]*)"', r"\1", sql)  # "name" and name are one
    return " ".join(sql.split())


def _objects(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()


def schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(type, name) -> SQL of every view, index and table a fresh project file holds."""
    return {
        (kind, name): sql
        for kind, name, _, sql in sorted(_objects(conn))
        if sql is not None and not name.startswith("sqlite_")
    }


def triggers_of(conn: sqlite3.Connection) -> list[str]:
    return [name for kind, name, _, _ in _objects(conn) if kind == "trigger"]


def compare(conn: sqlite3.Connection) -> SchemaReport:
    """The differences between this file's schema and the current one coder writes."""
    report = SchemaReport()
    ours = {table for (kind, table) in EXPECTED if kind == "table"}
    seen = set()
    for kind, name, table, sql in _objects(conn):
        key = (kind, name)
        if kind == "trigger":
            report.triggers.append(name)
        elif key in EXPECTED:
            seen.add(key)
            if normalise(sql) != normalise(EXPECTED[key]):
                report.altered.append(name)
        elif kind == "view" or kind == "index" and table in ours and sql is not None:
            report.foreign.append(name)
        # Other tables (someone's own analysis, sqlite_stat1 after ANALYZE) run nothing.
    report.missing = sorted(name for key, name in ((k, k[1]) for k in EXPECTED) if key not in seen)
    return report


def check_before_use(conn: sqlite3.Connection, path: object, version: int) -> None:
    """Refuse a file whose schema could act behind the coder's back.

    Triggers are refused at any schema version, before migrations could fire them; the
    full comparison is made once the file is at the version this coder writes.
    """
    triggers = triggers_of(conn)
    if triggers:
        raise UnsafeProject(
            f"{path} contains triggers coder did not create ({', '.join(triggers[:5])}); "
            f"they could change the coding behind your back. Run: coder repair {path}"
        )
    if version != EXPECTED_VERSION:
        return
    report = compare(conn)
    if not report.clean:
        raise UnsafeProject(
            f"{path} has a schema coder did not write ({report.describe()}). "
            f"Run: coder repair {path}"
        )
