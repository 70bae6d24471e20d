"""Discovery runs, their candidate themes and where each comment went."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from coder.domain import DiscoveryRun, Theme
from coder.errors import CoderError
from coder.store.db import Db


@dataclass(frozen=True)
class NewTheme:
    """A theme as a run found it, before it is stored."""

    size: int
    terms: Sequence[str]
    quotes: Sequence[int]
    nearest_code_id: int | None
    nearest_code_share: float
    members: Sequence[tuple[int, float]]  # (comment_id, typicality)


class Discovery:
    """Every run's settings are kept; only the latest run's themes and members are."""

    def __init__(self, db: Db):
        self.db = db

    def save(
        self,
        coder: str,
        settings: dict[str, Any],
        chosen: dict[str, Any],
        themes: Sequence[NewTheme],
        unthemed: Iterable[tuple[int, float]],
    ) -> DiscoveryRun:
        """Store a run, replacing the last run's themes and members, in one transaction."""
        with self.db.transaction():
            self.db.execute("DELETE FROM discovery_members")
            self.db.execute("DELETE FROM discovery_themes")
            run_id = int(
                self.db.execute(
                    "INSERT INTO discovery_runs (coder, settings, chosen) VALUES (?, ?, ?)",
                    (coder, json.dumps(settings), json.dumps(chosen)),
                ).lastrowid
                or 0
            )
            for number, theme in enumerate(themes, start=1):
                theme_id = int(
                    self.db.execute(
                        "INSERT INTO discovery_themes (run_id, number, size, terms, quotes, "
                        "nearest_code_id, nearest_code_share) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            run_id,
                            number,
                            theme.size,
                            json.dumps(list(theme.terms)),
                            json.dumps(list(theme.quotes)),
                            theme.nearest_code_id,
                            theme.nearest_code_share,
                        ),
                    ).lastrowid
                    or 0
                )
                self.db.insert_rows(
                    "INSERT INTO discovery_members (run_id, comment_id, theme_id, typicality)",
                    4,
                    ((run_id, c, theme_id, t) for c, t in theme.members),
                )
            self.db.insert_rows(
                "INSERT INTO discovery_members (run_id, comment_id, theme_id, typicality)",
                4,
                ((run_id, c, None, t) for c, t in unthemed),
            )
        run = self.latest()
        assert run is not None
        return run

    def runs(self) -> int:
        return int(self.db.scalar("SELECT count(*) FROM discovery_runs"))

    def latest(self) -> DiscoveryRun | None:
        """The latest run with its themes, largest first; None before any run."""
        row = self.db.execute(
            "SELECT id, created_at, coder, settings, chosen FROM discovery_runs "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        run_id, created_at, coder, settings, chosen = row
        chosen_dict = _json_dict(chosen)
        scope = int(chosen_dict.get("comments", 0)) or 1
        themes = tuple(
            Theme(
                id=r[0],
                number=r[1],
                size=r[2],
                share=r[2] / scope,
                terms=tuple(str(t) for t in _json_list(r[3])),
                quotes=tuple(int(q) for q in _json_list(r[4]) if isinstance(q, int)),
                nearest_code_id=r[5],
                nearest_code_share=float(r[6] or 0.0),
                code_id=r[7],
            )
            for r in self.db.execute(
                "SELECT id, number, size, terms, quotes, nearest_code_id, nearest_code_share, "
                "code_id FROM discovery_themes WHERE run_id = ? ORDER BY number",
                (run_id,),
            )
        )
        return DiscoveryRun(run_id, created_at, coder, _json_dict(settings), chosen_dict, themes)

    def theme(self, theme_id: int) -> Theme:
        run = self.latest()
        for theme in run.themes if run else ():
            if theme.id == theme_id:
                return theme
        raise CoderError(f"no theme {theme_id} in the latest discovery run")

    def members(self, theme_id: int | None = None) -> list[tuple[int, int | None, float]]:
        """(comment_id, theme_id, typicality) of the latest run's comments, most typical
        first within each theme; of one theme when given."""
        if theme_id is not None:
            return self.db.execute(
                "SELECT comment_id, theme_id, typicality FROM discovery_members "
                "WHERE theme_id = ? ORDER BY typicality DESC, comment_id",
                (theme_id,),
            ).fetchall()
        return self.db.execute(
            "SELECT m.comment_id, m.theme_id, m.typicality FROM discovery_members m "
            "LEFT JOIN discovery_themes t ON t.id = m.theme_id "
            "ORDER BY t.number IS NULL, t.number, m.typicality DESC, m.comment_id"
        ).fetchall()

    def codings_of(self, comment_ids: Sequence[int]) -> list[tuple[int, int]]:
        """(comment_id, code_id) once each for whole-comment or segment codings by anyone."""
        return [
            (c, k)
            for c, k in self.db.select_in(
                "SELECT DISTINCT comment_id, code_id FROM codings WHERE comment_id IN ({marks})",
                comment_ids,
            )
        ]

    def source_ids(self, comment_ids: Sequence[int]) -> dict[int, str]:
        return {
            c: str(s)
            for c, s in self.db.select_in(
                "SELECT id, source_id FROM comments WHERE id IN ({marks})", comment_ids
            )
        }

    def set_code(self, theme_id: int, code_id: int) -> None:
        with self.db.transaction():
            self.db.execute(
                "UPDATE discovery_themes SET code_id = ? WHERE id = ?", (code_id, theme_id)
            )


def _json_dict(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []
