"""Imports: writing survey answers chunk by chunk, and taking a failed import out again.

Every row an import writes carries its id: comments, respondents, their attributes, the
questions and codes it created, its codings and their change-log entries. Taking an
import out removes exactly those rows and never anyone else's: a comment a colleague
coded or wrote a memo on while the import ran is kept, with its respondent and question.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

from coder.domain import (
    Change,
    ChunkResult,
    CommentRecord,
    ImportChunk,
    ImportRow,
    KeptWork,
    Origin,
    RespondentRecord,
)
from coder.store.codings import ChangeLog
from coder.store.db import Db

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_EXAMPLES = 5  # duplicate ids named per chunk
_CONFLICTS_NAMED = 20  # ids named whose text differs from the project's
_INDEX_TEXT = "INSERT INTO comments_fts (rowid, text) VALUES (?, ?)"

# Source ids this import found already in the project, so that a second row with one of
# them counts as a duplicate within the file: kept on disk, not in memory, so that
# re-running a large import stays in constant memory.
_PRESENT = "temp.import_present"
_CREATE_PRESENT = (
    f"CREATE TABLE IF NOT EXISTS {_PRESENT} "
    "(import_id INTEGER, source_id TEXT, PRIMARY KEY (import_id, source_id)) WITHOUT ROWID"
)

# Work by anyone but the import itself on the comments it wrote: (comment, coder, kind).
# The change log counts too: a coding made and taken back again is still someone's work.
_OTHERS_WORK = """
SELECT c.id, k.coder, 'coded' FROM comments c JOIN codings k ON k.comment_id = c.id
 WHERE c.import_id = :imp AND k.import_id IS NOT :imp
UNION
SELECT c.id, l.coder, 'coded' FROM comments c JOIN coding_log l ON l.comment_id = c.id
 WHERE c.import_id = :imp AND l.import_id IS NOT :imp
UNION
SELECT c.id, m.coder, 'memo' FROM comments c JOIN memos m ON m.comment_id = c.id
 WHERE c.import_id = :imp
"""
# Once the import's own codings and log entries are gone: its comments nobody else touched.
_UNTOUCHED = (
    "import_id = :imp "
    "AND NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = comments.id) "
    "AND NOT EXISTS (SELECT 1 FROM coding_log l WHERE l.comment_id = comments.id) "
    "AND NOT EXISTS (SELECT 1 FROM memos m WHERE m.comment_id = comments.id)"
)
_CODES_USED = """
SELECT code_id FROM codings WHERE code_id IN (SELECT id FROM codes WHERE import_id = :imp)
UNION
SELECT code_id FROM coding_log WHERE code_id IN (SELECT id FROM codes WHERE import_id = :imp)
UNION
SELECT code_id FROM memos WHERE code_id IN (SELECT id FROM codes WHERE import_id = :imp)
"""
_OWNS_ANYTHING = " OR ".join(
    f"EXISTS (SELECT 1 FROM {table} WHERE import_id = :imp)"
    for table in ("comments", "respondents", "respondent_attributes", "questions", "codes")
)


class Imports:
    """Each import is a row of `imports`; what it wrote carries its id."""

    def __init__(self, db: Db, log: ChangeLog):
        self.db = db
        self.log = log

    # -- an import's life --------------------------------------------------------------------

    def begin(self, source: str) -> int:
        with self.db.transaction():
            cur = self.db.execute("INSERT INTO imports (source) VALUES (?)", (source,))
            return int(cur.lastrowid or 0)

    def finish(self, import_id: int, summary: dict[str, Any]) -> int:
        """Mark the import done. Earlier unfinished imports of the same source (killed, or
        failed with work kept) are done too now, completed by this one: returns how many."""
        with self.db.transaction():
            self.db.execute(
                f"UPDATE imports SET status = 'done', summary = ?, finished_at = {_NOW} "
                "WHERE id = ?",
                (json.dumps(summary), import_id),
            )
            completed = self.db.execute(
                f"UPDATE imports SET status = 'done', finished_at = {_NOW}, completed_by = :imp "
                "WHERE id < :imp AND status != 'done' "
                "AND source = (SELECT source FROM imports WHERE id = :imp)",
                {"imp": import_id},
            ).rowcount
            self.db.execute(f"DROP TABLE IF EXISTS {_PRESENT}")
        return completed

    def incomplete(self) -> list[tuple[int, str]]:
        return self.db.execute(
            "SELECT id, source FROM imports WHERE status != 'done' ORDER BY id"
        ).fetchall()

    def undo(self, import_id: int) -> KeptWork:
        """Take out everything this import wrote, except comments (and the codes it created)
        that someone else has worked on since: those stay, and the import stays on record as
        failed, to be completed by running it again."""
        p = {"imp": import_id}
        db = self.db
        with db.transaction():
            work = db.execute(_OTHERS_WORK, p).fetchall()
            db.execute("DELETE FROM codings WHERE import_id = :imp", p)
            db.execute("DELETE FROM coding_log WHERE import_id = :imp", p)
            db.execute(
                "INSERT INTO comments_fts (comments_fts, rowid, text) "
                f"SELECT 'delete', id, text FROM comments WHERE {_UNTOUCHED}",
                p,
            )
            # A comment assigned to a coder while the import ran goes, and so does the assignment.
            db.execute(
                f"DELETE FROM assignments WHERE comment_id IN (SELECT id FROM comments WHERE {_UNTOUCHED})",
                p,
            )
            db.execute(f"DELETE FROM comments WHERE {_UNTOUCHED}", p)
            # Attributes stay with a respondent that keeps one of this import's comments.
            db.execute(
                "DELETE FROM respondent_attributes WHERE import_id = :imp AND respondent_id "
                "NOT IN (SELECT respondent_id FROM comments WHERE import_id = :imp "
                "AND respondent_id IS NOT NULL)",
                p,
            )
            # A respondent or question this import made stays while any comment, of this
            # import or another one running beside it, belongs to it.
            db.execute(
                "DELETE FROM respondents WHERE import_id = :imp "
                "AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.respondent_id = respondents.id)",
                p,
            )
            db.execute(
                "DELETE FROM questions WHERE import_id = :imp "
                "AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.question_id = questions.id)",
                p,
            )
            kept_codes = self._undo_codes(import_id)
            kept = KeptWork(
                comments=len({comment for comment, _, _ in work}),
                coded_by=tuple(sorted({who for _, who, kind in work if kind == "coded"})),
                memos_by=tuple(sorted({who for _, who, kind in work if kind == "memo"})),
                codes=tuple(kept_codes),
            )
            if db.scalar(f"SELECT {_OWNS_ANYTHING}", p):
                db.execute(
                    f"UPDATE imports SET status = 'failed', finished_at = {_NOW}, summary = ? "
                    "WHERE id = ?",
                    (
                        json.dumps({"kept_comments": kept.comments, "kept_codes": kept_codes}),
                        import_id,
                    ),
                )
            else:
                db.execute("DELETE FROM imports WHERE id = ?", (import_id,))
            db.execute(f"DROP TABLE IF EXISTS {_PRESENT}")
        return kept

    def _undo_codes(self, import_id: int) -> list[str]:
        """Delete the codes this import created that nobody else has used; the paths of the
        ones kept (a kept code keeps its parents, and so does a code someone added beneath)."""
        created = set(self.db.column("SELECT id FROM codes WHERE import_id = ?", (import_id,)))
        if not created:
            return []
        parents: dict[int, int | None] = dict(self.db.execute("SELECT id, parent_id FROM codes"))
        keep = set(self.db.column(_CODES_USED, {"imp": import_id}))
        keep |= {parent for code, parent in parents.items() if code not in created and parent}
        for code in list(keep):
            while code in created:
                keep.add(code)
                code = parents[code]
        keep &= created
        gone = [(code,) for code in sorted(created - keep)]
        self.db.executemany("DELETE FROM code_set_members WHERE code_id = ?", gone)
        self.db.executemany("DELETE FROM codes WHERE id = ?", gone)
        paths = self.db.select_in(
            "SELECT path FROM code_paths WHERE code_id IN ({marks}) ORDER BY path", sorted(keep)
        )
        return [path for (path,) in paths]

    # -- writing -----------------------------------------------------------------------------

    def write_chunk(
        self, import_id: int, rows: Sequence[ImportRow], coder: str | None
    ) -> ChunkResult:
        """Write a few hand-made rows as one chunk (tests and generated projects)."""
        questions = list(dict.fromkeys(r.question for r in rows))
        names = list(dict.fromkeys(name for r in rows for name in r.attributes))
        respondents: dict[str, int] = {}
        people: list[RespondentRecord] = []
        comments: list[CommentRecord] = []
        codings: list[tuple[int, int]] = []
        for row in rows:
            position = respondents.setdefault(row.respondent_source_id, len(people))
            if position == len(people):
                people.append((row.respondent_source_id, *(row.attributes.get(n) for n in names)))
            codings.extend((len(comments), code) for code in dict.fromkeys(row.code_ids))
            comments.append(
                (row.comment_source_id, position, questions.index(row.question), row.text)
            )
        chunk = ImportChunk(tuple(questions), tuple(names), people, comments, codings)
        return self.write(import_id, chunk, coder)

    def write(self, import_id: int, chunk: ImportChunk, coder: str | None) -> ChunkResult:
        """Write one chunk of an import in one transaction.

        Comments already in the project are skipped and counted; a comment id used again
        within the import counts as a duplicate and its first use is kept. Ids are handed
        out here, under the write lock that BEGIN IMMEDIATE holds, so nothing written has
        to be selected again to learn its id.
        """
        result = ChunkResult()
        if not chunk.comments:
            return result
        with self.db.transaction():
            respondent_ids = self._write_respondents(import_id, chunk)
            used = set(map(itemgetter(2), chunk.comments))
            question_ids = [
                self._question_id(name, import_id) if q in used else 0
                for q, name in enumerate(chunk.questions)
            ]
            comment_ids, known, conflicts = self._write_comments(
                import_id, chunk.comments, respondent_ids, question_ids, result
            )
            # Nothing of a comment whose text differs from the project's is written: not
            # even an attribute its (known) respondent lacked.
            skip = {person for source, person, _, _ in chunk.comments if source in conflicts}
            self._write_attributes(import_id, chunk, respondent_ids, skip)
            if chunk.codings and coder:
                result.codings = self._write_codings(
                    import_id, chunk.codings, comment_ids, coder, known, result
                )
        return result

    def _write_respondents(self, import_id: int, chunk: ImportChunk) -> list[int]:
        """Insert the chunk's new respondents; the respondents' ids, by position."""
        people = chunk.respondents
        sources = list(map(itemgetter(0), people))
        first = int(self.db.scalar("SELECT coalesce(max(id), 0) FROM respondents")) + 1
        ids: Sequence[int] = range(first, first + len(people))
        added = self.db.insert_rows(
            "INSERT OR IGNORE INTO respondents (id, source_id, import_id)",
            3,
            zip(ids, sources, repeat(import_id)),
        )
        if added != len(people):  # some were known already: ask for their ids
            found = dict(
                self.db.select_in(
                    "SELECT source_id, id FROM respondents WHERE source_id IN ({marks})", sources
                )
            )
            ids = [found[source] for source in sources]
        return list(ids)

    def _write_attributes(
        self, import_id: int, chunk: ImportChunk, ids: list[int], skip: set[int]
    ) -> None:
        """Insert the respondents' attributes (an attribute a respondent already has is
        kept), except for the respondents at the positions in `skip`."""
        people = chunk.respondents
        for k, name in enumerate(chunk.attribute_names, 1):
            values = list(map(itemgetter(k), people))
            rows: Iterable[tuple[int, str, str | None, int]] = zip(
                ids, repeat(name), values, repeat(import_id)
            )
            if None in values or skip:  # nothing to write for some respondents
                rows = compress(
                    rows, [v is not None and p not in skip for p, v in enumerate(values)]
                )
            self.db.insert_rows(
                "INSERT OR IGNORE INTO respondent_attributes (respondent_id, name, value, import_id)",
                4,
                rows,
            )

    def _question_id(self, name: str, import_id: int) -> int:
        found = self.db.scalar("SELECT id FROM questions WHERE name = ?", (name,))
        if found is not None:
            return int(found)
        cur = self.db.execute(
            "INSERT INTO questions (name, position, import_id) "
            "VALUES (?, (SELECT count(*) FROM questions), ?)",
            (name, import_id),
        )
        return int(cur.lastrowid or 0)

    def _write_comments(
        self,
        import_id: int,
        comments: list[CommentRecord],
        respondent_ids: list[int],
        question_ids: list[int],
        result: ChunkResult,
    ) -> tuple[Sequence[int | None], set[int], set[str]]:
        """Insert the comments and index their text. Returns each comment's id by position
        (None where it was not written: a duplicate, or a known id whose text differs),
        and the ids of the comments the project had already, with the same id and text,
        whose codings the import adds (another coder's coding of the same comments), and
        the ids already there with another text."""
        sources = list(map(itemgetter(0), comments))
        written = comments
        if len(set(sources)) != len(sources):  # an id used twice within the chunk
            firsts: dict[str, int] = {}
            for position, source in enumerate(sources):
                if firsts.setdefault(source, position) != position:
                    self._duplicate(source, result)
            written = [comments[p] for p in firsts.values()]
            positions: Sequence[int] = list(firsts.values())
        else:
            positions = range(len(comments))
        first = int(self.db.scalar("SELECT coalesce(max(id), 0) FROM comments")) + 1
        ids = range(first, first + len(written))
        written_sources, people, questions, texts = zip(*written, strict=True)
        added = self.db.insert_rows(
            "INSERT OR IGNORE INTO comments "
            "(id, source_id, respondent_id, question_id, text, import_id)",
            6,
            zip(
                ids,
                written_sources,
                map(respondent_ids.__getitem__, people),
                map(question_ids.__getitem__, questions),
                texts,
                repeat(import_id),
            ),
        )
        # The full-text index takes one statement a row: FTS5 is slower with several.
        known: dict[str, int] = {}
        conflicts: set[str] = set()
        if added == len(written):
            fresh: list[bool] | None = None
            self.db.executemany(_INDEX_TEXT, zip(ids, texts, strict=True))
        else:
            new = set(self.db.column("SELECT id FROM comments WHERE id >= ?", (first,)))
            fresh = [i in new for i in ids]
            self.db.executemany(_INDEX_TEXT, compress(zip(ids, texts, strict=True), fresh))
            known, conflicts = self._sort_out_conflicts(
                import_id,
                [
                    (source, text)
                    for source, text, ok in zip(written_sources, texts, fresh, strict=True)
                    if not ok
                ],
                result,
            )
        result.added += added
        if fresh is None and len(positions) == len(comments):
            return ids, set(), set()  # every comment written, in order
        by_position: list[int | None] = [None] * len(comments)
        for position, comment_id, ok, source in zip(
            positions, ids, fresh or repeat(True), written_sources, strict=False
        ):
            by_position[position] = comment_id if ok else known.get(source)
        return by_position, set(known.values()), conflicts

    def _sort_out_conflicts(
        self, import_id: int, unwritten: list[tuple[str, str]], result: ChunkResult
    ) -> tuple[dict[str, int], set[str]]:
        """Comments that were not written: their id was used earlier in this import (a
        duplicate) or is in the project before it (already present, unless this import
        met it before). An id already present with the same text is the same comment: its
        id is returned, so that the import's codings go onto it. With another text, it is
        named as a conflict and nothing of it is written; those ids are returned too."""
        sources = [source for source, _ in unwritten]
        found = {
            source: (owner, comment_id, text)
            for source, owner, comment_id, text in self.db.select_in(
                "SELECT source_id, import_id, id, text FROM comments WHERE source_id IN ({marks})",
                sources,
            )
        }
        owner = {source: row[0] for source, row in found.items()}
        elsewhere = [s for s in sources if owner.get(s) != import_id]
        self.db.execute(_CREATE_PRESENT)
        met = {
            s
            for (s,) in self.db.select_in(
                f"SELECT source_id FROM {_PRESENT} WHERE import_id = ? AND source_id IN ({{marks}})",
                elsewhere,
                before=[import_id],
            )
        }
        known: dict[str, int] = {}
        conflicts: set[str] = set()
        for source, text in unwritten:
            if owner.get(source) == import_id or source in met:
                self._duplicate(source, result)
            elif found[source][2] != text:
                conflicts.add(source)
                result.text_conflicts += 1
                if len(result.text_conflict_examples) < _CONFLICTS_NAMED:
                    result.text_conflict_examples.append(source)
            else:
                result.already_present += 1
                known[source] = found[source][1]
        self.db.executemany(
            f"INSERT OR IGNORE INTO {_PRESENT} (import_id, source_id) VALUES (?, ?)",
            ((import_id, s) for s in elsewhere if s not in met),
        )
        return known, conflicts

    @staticmethod
    def _duplicate(source: str, result: ChunkResult) -> None:
        result.duplicates += 1
        if len(result.duplicate_examples) < _EXAMPLES:
            result.duplicate_examples.append(source)

    def _write_codings(
        self,
        import_id: int,
        codings: list[tuple[int, int]],
        comment_ids: Sequence[int | None],
        coder: str,
        known: set[int],
        result: ChunkResult,
    ) -> int:
        """The imported codings of the chunk's comments, logged as one batch: of the comments
        it wrote, and of those the project had already (skipping what the coder has there)."""
        pairs = list(
            dict.fromkeys(
                (comment_id, code_id)
                for position, code_id in codings
                if (comment_id := comment_ids[position]) is not None
            )
        )
        if known:
            on_known = [pair for pair in pairs if pair[0] in known]
            had = set(
                self.db.select_in(
                    "SELECT comment_id, code_id FROM codings WHERE coder = ? AND start IS NULL "
                    "AND comment_id IN ({marks})",
                    sorted({comment for comment, _ in on_known}),
                    before=[coder],
                )
            )
            added = [pair for pair in on_known if pair not in had]
            pairs = [pair for pair in pairs if pair[0] not in known] + added
            result.codings_on_known += len(added)
            result.known_comments_coded += len({comment for comment, _ in added})
        if not pairs:
            return 0
        self.db.insert_rows(
            "INSERT INTO codings (comment_id, code_id, coder, origin, import_id)",
            5,
            ((c, k, coder, str(Origin.IMPORTED), import_id) for c, k in pairs),
        )
        changes = [Change("add", c, k, coder, Origin.IMPORTED) for c, k in pairs]
        self.log.append(self.log.next_batch(), changes, import_id=import_id)
        return len(pairs)
