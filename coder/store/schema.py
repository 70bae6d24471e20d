"""The project file's schema, built only by appending migrations; never edit a shipped one.

Migrations 1 and 2 are SQL scripts. Later ones are functions over a sqlite-utils
`Database` (its table API creates tables, adds columns and rebuilds tables with
`transform()` where SQLite's ALTER TABLE cannot), loaded only when a file needs them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from coder.errors import CoderError

if TYPE_CHECKING:
    from sqlite_utils import Database

# Migration 1: the whole data model of a coding project.
_V1 = """
CREATE TABLE project (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE codes (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES codes(id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT NOT NULL DEFAULT '',
    include     TEXT NOT NULL DEFAULT '',
    exclude     TEXT NOT NULL DEFAULT '',
    examples    TEXT NOT NULL DEFAULT '[]',   -- JSON list of strings
    color       TEXT,                         -- #rrggbb
    position    INTEGER NOT NULL DEFAULT 0,   -- order among siblings
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX codes_unique_name ON codes (coalesce(parent_id, 0), name COLLATE NOCASE);

CREATE TABLE questions (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,             -- the source column
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    summary     TEXT                           -- JSON counts
);

CREATE TABLE respondents (
    id        INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL UNIQUE,            -- the respondent's id in the source file
    import_id INTEGER REFERENCES imports(id)
);

CREATE TABLE respondent_attributes (
    respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    value         TEXT,
    import_id     INTEGER REFERENCES imports(id),
    PRIMARY KEY (respondent_id, name)
) WITHOUT ROWID;

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL UNIQUE,        -- the comment_id every command prints
    respondent_id INTEGER REFERENCES respondents(id) ON DELETE CASCADE,
    question_id   INTEGER REFERENCES questions(id),
    text          TEXT NOT NULL,
    import_id     INTEGER REFERENCES imports(id)
);
CREATE INDEX comments_respondent ON comments (respondent_id);
CREATE INDEX comments_question ON comments (question_id);

CREATE TABLE codings (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    code_id    INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    coder      TEXT NOT NULL,
    start      INTEGER,                         -- segment span, code points, end exclusive;
    "end"      INTEGER,                         -- both NULL when the whole comment is coded
    origin     TEXT NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'suggestion', 'imported')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((start IS NULL AND "end" IS NULL) OR (start >= 0 AND "end" > start))
);
CREATE UNIQUE INDEX codings_unique ON codings
    (comment_id, code_id, coder, coalesce(start, -1), coalesce("end", -1));
CREATE INDEX codings_code ON codings (code_id);
CREATE INDEX codings_coder ON codings (coder);

-- Append-only: every coding change, in order. Undo, redo and provenance are read from here.
CREATE TABLE coding_log (
    seq        INTEGER PRIMARY KEY,
    batch      INTEGER NOT NULL,                -- one user action; undo works batch by batch
    kind       TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
    target     INTEGER,                         -- for undo/redo: the batch it reverses
    action     TEXT NOT NULL CHECK (action IN ('add', 'remove', 'reject', 'unreject')),
                                                -- reject/unreject: a decision on a suggestion
    comment_id INTEGER NOT NULL,
    code_id    INTEGER NOT NULL,
    coder      TEXT NOT NULL,
    start      INTEGER,
    "end"      INTEGER,
    origin     TEXT NOT NULL,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX coding_log_coder_batch ON coding_log (coder, batch);
CREATE INDEX coding_log_comment ON coding_log (comment_id);

CREATE TABLE memos (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    code_id    INTEGER REFERENCES codes(id) ON DELETE CASCADE,
    coder      TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (comment_id IS NULL OR code_id IS NULL)   -- both NULL: a project memo
);
CREATE INDEX memos_comment ON memos (comment_id);

CREATE TABLE model_versions (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    training_size INTEGER NOT NULL,
    features      TEXT NOT NULL,
    metrics       TEXT NOT NULL DEFAULT '{}',  -- JSON: per-code precision, recall, f1, support
    params        TEXT NOT NULL DEFAULT '{}',  -- JSON: hyper-parameters and thresholds
    model         BLOB                          -- fitted parameters as arrays (never pickle)
);

CREATE TABLE suggestions (
    id            INTEGER PRIMARY KEY,
    comment_id    INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    code_id       INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    probability   REAL NOT NULL,
    model_version INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
    explanation   TEXT NOT NULL DEFAULT '[]',  -- JSON list of the words that weighed most
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    decided_by    TEXT,
    decided_at    TEXT,
    UNIQUE (comment_id, code_id, model_version)
);
CREATE INDEX suggestions_status ON suggestions (status, comment_id);

-- "Most useful next": uncoded comments in the order coding them would teach the model most.
CREATE TABLE priorities (
    comment_id    INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    model_version INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
    rank          INTEGER NOT NULL,            -- 0 = code this one first
    score         REAL
);
CREATE INDEX priorities_rank ON priorities (rank);

CREATE TABLE embeddings (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    model      TEXT NOT NULL,
    vector     BLOB NOT NULL,                   -- float32 little-endian
    PRIMARY KEY (comment_id, model)
) WITHOUT ROWID;

CREATE VIEW code_paths AS
WITH RECURSIVE tree(id, path, depth, top_position) AS (
    SELECT id, name, 0, position FROM codes WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, tree.path || ' > ' || c.name, tree.depth + 1, tree.top_position
    FROM codes c JOIN tree ON c.parent_id = tree.id
)
SELECT id AS code_id, path, depth FROM tree;

CREATE VIEW code_frequencies AS
SELECT p.path AS code,
       count(DISTINCT k.comment_id) AS comments,
       count(DISTINCT c.respondent_id) AS respondents,
       count(DISTINCT k.coder) AS coders
FROM code_paths p
LEFT JOIN codings k ON k.code_id = p.code_id
LEFT JOIN comments c ON c.id = k.comment_id
GROUP BY p.code_id
ORDER BY p.path;

CREATE VIEW comments_with_codes AS
SELECT c.source_id AS comment_id,
       r.source_id AS respondent_id,
       q.name AS question,
       c.text,
       (SELECT group_concat(path, '; ') FROM (
            SELECT DISTINCT p.path FROM codings k JOIN code_paths p ON p.code_id = k.code_id
            WHERE k.comment_id = c.id ORDER BY p.path)) AS codes,
       (SELECT group_concat(DISTINCT k.coder) FROM codings k WHERE k.comment_id = c.id) AS coders
FROM comments c
LEFT JOIN respondents r ON r.id = c.respondent_id
LEFT JOIN questions q ON q.id = c.question_id;
"""


# Full-text search over comment text. The store keeps it in step with `comments` itself:
# triggers that write to a virtual table would need `trusted_schema`, which stays off so
# that a project file from someone else can never run anything when opened.
_V1_FTS = """
CREATE VIRTUAL TABLE comments_fts USING fts5(
    text, content='comments', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
"""

# Append only: entry N takes the schema from version N to N+1 and runs in one transaction
# together with the bump of `PRAGMA user_version`.
# Migration 2: every change takes the next batch number, max(batch), which without an index
# scans the whole log (13 ms of a 24 ms keypress at a million comments).
_V2 = """
CREATE INDEX coding_log_batch ON coding_log (batch);
"""

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


FTS_TOKENIZE = "unicode61 remove_diacritics 2"


def _v3_fts_as_sqlite_utils_makes_it(db: Database) -> None:
    """Migration 3: the full-text index as sqlite-utils declares one.

    Declared with `content='comments'` in single quotes, the index was invisible to
    sqlite-utils' detect_fts(), so neither `sqlite-utils search` nor Datasette could search
    a project file. sqlite-utils makes it again (`content="comments"`), with the same
    tokenizer and no triggers (`trusted_schema` stays off; the store keeps the index in
    step), and fills it from the comments.
    """
    db.table("comments_fts").drop()
    db.table("comments").enable_fts(
        ["text"], fts_version="FTS5", tokenize=FTS_TOKENIZE, create_triggers=False, replace=True
    )
    # Merge the index's segments 8 at a time rather than 4: an import adds one segment a
    # chunk, and this spends an eighth less time merging them, with searches as fast.
    db.execute("INSERT INTO comments_fts (comments_fts, rank) VALUES ('automerge', 8)")


def _v4_imports_own_what_they_write(db: Database) -> None:
    """Migration 4: every row an import writes names the import.

    Comments, respondents and attributes did already; now the questions and codes an
    import creates, its codings and its change-log entries do too, so that taking a failed
    import out removes exactly its own rows. `completed_by` marks an unfinished import
    (killed, or failed with someone's work kept) that a later run of the same file completed.
    """
    for table in ("questions", "codes", "codings"):
        db.table(table).add_column("import_id", int, fk="imports")
    db.table("coding_log").add_column("import_id", int)  # the log links to nothing, by design
    db.table("imports").add_column("completed_by", int, fk="imports")


def _v5_undo_reaches_the_codebook(db: Database) -> None:
    """Migration 5: undo covers the codebook, and knows who made each change.

    `row_log` keeps before-and-after snapshots of the rows a codebook change touches
    (codes, and memos and suggestions on them), placed among the coding changes by
    `after_seq`. `coding_log.actor` is who made a change when that is not the coding's
    own coder (merging two codes moves everyone's codings); empty means the coder.
    """
    db.table("coding_log").add_column("actor", str)
    log = db.table("row_log")
    log.create(
        {
            "seq": int,
            "batch": int,
            "kind": str,
            "target": int,
            "after_seq": int,
            "tbl": str,
            "row_id": int,
            "before": str,
            "after": str,
            "actor": str,
            "at": str,
        },
        pk="seq",
        not_null={"batch", "kind", "after_seq", "tbl", "row_id", "actor", "at"},
        defaults={"at": NOW},
    )
    log.create_index(["batch"])
    log.create_index(["actor", "batch"])


def _v6_assignments(db: Database) -> None:
    """Migration 6: samples of comments assigned to a coder, for double-coding.

    One row a comment a coder is asked to code; `seed` is the sample's random seed, so
    the lead can say how it was drawn. Indexed by coder (the filter "assigned to me") and
    by comment (a comment taken out takes its assignments with it).
    """
    table = db.table("assignments")
    table.create(
        {"comment_id": int, "coder": str, "seed": int, "assigned_at": str},
        pk=("comment_id", "coder"),
        not_null={"comment_id", "coder", "assigned_at"},
        defaults={"assigned_at": NOW},
        foreign_keys=[("comment_id", "comments", "id")],
    )
    table.create_index(["coder", "comment_id"])


def _v7_guids_for_interchange(db: Database) -> None:
    """Migration 7: what REFI-QDA interchange (.qdc, .qdpx) needs to keep.

    Codes and memos get a GUID each, made here for the rows already there, so that every
    export names them alike and a file read back or sent on keeps them. Comments,
    respondents and questions get a `guid` column that stays empty for rows coder made
    (their GUIDs are derived from the project's own GUID, made when first needed, and their
    unchanging ids, which costs a large import nothing) and holds the GUID another tool gave them. `coders` keeps
    the GUIDs of users read from another tool; codes can be marked not codable (a heading
    only); code sets group codes, as the other tools' sets do.
    """
    import uuid

    for table in ("codes", "memos", "comments", "respondents", "questions"):
        db.table(table).add_column("guid", str)
    db.table("codes").add_column("codable", int, not_null_default=1)
    db.table("memos").add_column("import_id", int, fk="imports")
    for table in ("codes", "memos"):
        rows = [(str(uuid.uuid4()), row_id) for (row_id,) in db.execute(f"SELECT id FROM {table}")]
        db.conn.executemany(f"UPDATE {table} SET guid = ? WHERE id = ?", rows)
    for table in ("codes", "memos", "comments", "respondents", "questions"):
        db.table(table).create_index(["guid"], unique=True)
    db.table("coders").create(
        {"name": str, "guid": str, "import_id": int},
        pk="name",
        not_null={"guid"},
        foreign_keys=[("import_id", "imports", "id")],
    )
    db.table("coders").create_index(["guid"], unique=True)
    db.table("code_sets").create(
        {
            "id": int,
            "guid": str,
            "name": str,
            "description": str,
            "position": int,
            "import_id": int,
        },  # fmt: skip
        pk="id",
        not_null={"guid", "name", "description", "position"},
        defaults={"description": "", "position": 0},
        foreign_keys=[("import_id", "imports", "id")],
    )
    db.table("code_sets").create_index(["guid"], unique=True)
    db.table("code_set_members").create(
        {"id": int, "set_id": int, "code_id": int},
        pk="id",
        not_null={"set_id", "code_id"},
        foreign_keys=[("set_id", "code_sets", "id"), ("code_id", "codes", "id")],
    )
    db.table("code_set_members").create_index(["set_id", "code_id"], unique=True)
    db.table("code_set_members").create_index(["code_id"])


def _v8_suggestion_tiers(db: Database) -> None:
    """Migration 8: each suggestion says which tier it is in. A code the model is weak on is
    still suggested, as "unsure", after the "confident" ones; suggestions written before
    there were tiers were all of codes the model trusted."""
    db.table("suggestions").add_column("tier", str, not_null_default="confident")


_ORIGINS_BEFORE_9 = "CHECK (origin IN ('manual', 'suggestion', 'imported'))"
_ORIGINS_FROM_9 = "CHECK (origin IN ('manual', 'suggestion', 'imported', 'discovered'))"


_V9_TABLES = f"""
CREATE TABLE discovery_runs (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL DEFAULT ({NOW}),
    coder      TEXT NOT NULL,
    settings   TEXT NOT NULL DEFAULT '{{}}',  -- JSON: scope, question, themes asked, features, seed
    chosen     TEXT NOT NULL DEFAULT '{{}}'   -- JSON: themes found and why, unthemed, seconds
);
CREATE TABLE discovery_themes (
    id                 INTEGER PRIMARY KEY,
    run_id             INTEGER NOT NULL REFERENCES discovery_runs(id) ON DELETE CASCADE,
    number             INTEGER NOT NULL,       -- 1, 2, ... largest first
    size               INTEGER NOT NULL,
    terms              TEXT NOT NULL DEFAULT '[]',  -- JSON: the most distinctive words
    quotes             TEXT NOT NULL DEFAULT '[]',  -- JSON: the most typical comments' ids
    nearest_code_id    INTEGER REFERENCES codes(id) ON DELETE SET NULL,
    nearest_code_share REAL NOT NULL DEFAULT 0,
    code_id            INTEGER REFERENCES codes(id) ON DELETE SET NULL  -- the code made from it
);
CREATE UNIQUE INDEX discovery_themes_number ON discovery_themes (run_id, number);
CREATE TABLE discovery_members (
    run_id     INTEGER NOT NULL REFERENCES discovery_runs(id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    theme_id   INTEGER REFERENCES discovery_themes(id) ON DELETE CASCADE,  -- NULL: unthemed
    typicality REAL NOT NULL,
    PRIMARY KEY (run_id, comment_id)
) WITHOUT ROWID;
CREATE INDEX discovery_members_theme ON discovery_members (theme_id, typicality);
CREATE INDEX discovery_members_comment ON discovery_members (comment_id);
"""


def _v9_discovery(db: Database) -> None:
    """Migration 9: candidate themes found in the comments, and codings made from them.

    `discovery_runs` keeps every run's settings and what it chose (the number of themes
    and why); `discovery_themes` and `discovery_members` hold the latest run's candidate
    themes and where each comment in its scope went (`theme_id` empty: unthemed), and a
    new run replaces them. A theme remembers the code made from it. Codings made from a
    theme are recorded with origin `discovered`, which the codings' CHECK constraint must
    allow: SQLite cannot change a constraint in place, so the table is made again with
    its rows, indexes and the views that read it (SQLite's own procedure for it).
    """
    conn = db.conn
    table_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'codings'"
    ).fetchone()[0]
    if _ORIGINS_BEFORE_9 not in table_sql:
        raise CoderError("migration 9 does not recognise the codings table")
    indexes = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'codings' "
            "AND sql IS NOT NULL ORDER BY name"
        )
    ]
    views = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid"
    ).fetchall()
    for name, _ in views:
        conn.execute(f'DROP VIEW "{name}"')
    new_sql = table_sql.replace(_ORIGINS_BEFORE_9, _ORIGINS_FROM_9).replace(
        'CREATE TABLE "codings"', 'CREATE TABLE "codings_new"', 1
    )
    conn.execute(new_sql)
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(codings)"))
    conn.execute(f"INSERT INTO codings_new ({columns}) SELECT {columns} FROM codings")
    conn.execute("DROP TABLE codings")
    conn.execute("ALTER TABLE codings_new RENAME TO codings")
    for sql in indexes:
        conn.execute(sql)
    for _, sql in views:
        conn.execute(sql)

    # Written as SQL: sqlite-utils cannot say what a deleted code or comment takes with it.
    for statement in _statements(_V9_TABLES):
        conn.execute(statement)


Migration = str | Callable[["Database"], None]

MIGRATIONS: list[Migration] = [
    _V1 + _V1_FTS,
    _V2,
    _v3_fts_as_sqlite_utils_makes_it,
    _v4_imports_own_what_they_write,
    _v5_undo_reaches_the_codebook,
    _v6_assignments,
    _v7_guids_for_interchange,
    _v8_suggestion_tiers,
    _v9_discovery,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations the file has not seen yet, each in its own transaction.

    Foreign keys are off while the schema changes (SQLite's procedure for rebuilding a
    table) and checked before each migration commits.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    refuse_newer(version)
    if version >= target:
        return int(version)
    db = None
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for number in range(version, target):
            step = MIGRATIONS[number]
            conn.execute("BEGIN IMMEDIATE")
            try:
                if isinstance(step, str):
                    for statement in _statements(step):
                        conn.execute(statement)
                else:
                    if db is None:
                        import sqlite_utils

                        db = sqlite_utils.Database(
                            conn, recursive_triggers=False, execute_plugins=False
                        )
                    step(db)
                if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise CoderError(f"migration {number + 1} would break the file's links")
                conn.execute(f"PRAGMA user_version = {number + 1}")
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(version: int) -> None:
    """A file from a newer coder (or with a nonsense version) is left alone."""
    if version > SCHEMA_VERSION:
        raise CoderError(
            f"this project file was written by a newer coder (schema {version}, "
            f"this coder knows {SCHEMA_VERSION}); upgrade coder to open it"
        )
    if version < 0:
        raise CoderError(f"this project file has a damaged schema version ({version})")


def _statements(script: str) -> list[str]:
    """A script split into complete statements (executescript would commit on its own)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return [s for s in statements if s]
