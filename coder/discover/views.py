"""A discovery run as people read it: a terminal table, Markdown, CSV or one HTML page, and
every comment's theme as CSV."""

from __future__ import annotations

import csv
import html
import io
import shutil
import textwrap
from dataclasses import dataclass

from coder.discover.terms import codebook_words, in_codebook
from coder.domain import DiscoveryRun
from coder.files import guard_text
from coder.nlp import analyse
from coder.store import Store
from coder.text import clip, counted, shown

THEME_COLUMNS = [
    "theme", "size", "share", "terms", "nearest_code", "nearest_code_share",
    "codebook_terms", "quotes", "code",
]  # fmt: skip
MEMBER_COLUMNS = ["theme", "comment_id", "typicality", "text"]
QUOTE_CHARS = 160


@dataclass(frozen=True)
class ThemeView:
    number: int
    size: int
    share: float
    terms: tuple[str, ...]
    codebook_terms: tuple[str, ...]  # those of `terms` the code names use too
    nearest_code: str
    nearest_code_share: float
    quotes: tuple[tuple[str, str], ...]  # (comment_id, text)
    code: str  # the code made from the theme, if any

    @property
    def verdict(self) -> str:
        """New, or like an existing code, at a glance."""
        if not self.nearest_code or self.nearest_code_share < 0.2:
            return "new"
        return f"looks like {self.nearest_code}"


@dataclass(frozen=True)
class RunView:
    run: DiscoveryRun
    themes: tuple[ThemeView, ...]
    scope: str

    @property
    def counts(self) -> str:
        n = self.run.scope_size
        unthemed = self.run.unthemed
        share = unthemed / n if n else 0.0
        return (
            f"{counted(len(self.themes), 'candidate theme')} in {counted(n, 'comment')} "
            f"({self.scope}); {unthemed:,} ({share:.0%}) fit no theme and are left unthemed."
        )

    @property
    def how(self) -> str:
        """How the number of themes was chosen, in one line."""
        return str(self.run.chosen.get("how", ""))

    @property
    def summary(self) -> str:
        return f"{self.counts} {self.how}."


def view(store: Store, run: DiscoveryRun) -> RunView:
    paths = {c.id: c.path for c in store.codes.all()}
    vocabulary = codebook_words(analyse(paths.values()))
    quote_ids = [q for t in run.themes for q in t.quotes]
    texts = dict(zip(quote_ids, store.comments.texts(quote_ids), strict=True))
    sources = {q: store.comments.get(q).source_id for q in quote_ids}
    themes = tuple(
        ThemeView(
            number=t.number,
            size=t.size,
            share=t.share,
            terms=t.terms,
            codebook_terms=tuple(x for x in t.terms if in_codebook(x, vocabulary)),
            nearest_code=paths.get(t.nearest_code_id, "") if t.nearest_code_id else "",
            nearest_code_share=t.nearest_code_share if t.nearest_code_id else 0.0,
            quotes=tuple((sources[q], texts[q]) for q in t.quotes),
            code=paths.get(t.code_id, "") if t.code_id else "",
        )
        for t in run.themes
    )
    settings = run.settings
    scope = str(settings.get("scope", "all"))
    scope = {"uncoded": "uncoded comments", "all": "all comments"}.get(scope, f"coded {scope}")
    if settings.get("question"):
        scope += f", question {settings['question']}"
    return RunView(run, themes, scope)


def _quote(text: str) -> str:
    return clip(" ".join(text.split()), QUOTE_CHARS)


def table(v: RunView, width: int | None = None) -> str:
    """Plain text for the terminal, wrapped to its width; every name made safe."""
    width = width or max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
    out = [textwrap.fill(shown(v.summary, 2000), width), ""]
    for t in v.themes:
        head = f"Theme {t.number}: {t.size:,} comments ({t.share:.0%}), {shown(t.verdict)}"
        if t.nearest_code:
            head += f" ({t.nearest_code_share:.0%} carry {shown(t.nearest_code)})"
        if t.code:
            head += f"; made into code {shown(t.code)}"
        out.append(textwrap.fill(head, width, subsequent_indent="  "))
        marked = [f"{shown(x)}*" if x in t.codebook_terms else shown(x) for x in t.terms]
        out.append(textwrap.fill("terms: " + ", ".join(marked), width, subsequent_indent="  "))
        for source, text in t.quotes:
            out.append(
                textwrap.fill(
                    f"“{shown(_quote(text), QUOTE_CHARS + 40)}” ({shown(source)})",
                    width,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                )
            )
        out.append("")
    if any(t.codebook_terms for t in v.themes):
        out.append("* a word the codebook's code names use too")
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    return shown(text, 2000).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def markdown(v: RunView) -> str:
    out = ["# Candidate themes", "", _md(v.summary), ""]
    out.append("| theme | size | share | terms | nearest code | carry it |")
    out.append("|---:|---:|---:|---|---|---:|")
    for t in v.themes:
        out.append(
            f"| {t.number} | {t.size} | {t.share:.0%} | {_md(', '.join(t.terms))} | "
            f"{_md(t.nearest_code) or 'new'} | {t.nearest_code_share:.0%} |"
        )
    for t in v.themes:
        out += ["", f"## Theme {t.number}: {_md(', '.join(t.terms[:3]))}", ""]
        out.append(f"{t.size} comments ({t.share:.0%}); {_md(t.verdict)}.")
        out.append("")
        out += [f"> {_md(_quote(text))} ({_md(source)})\n" for source, text in t.quotes]
    return "\n".join(out).rstrip() + "\n"


def themes_csv(v: RunView) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(THEME_COLUMNS)
    for t in v.themes:
        writer.writerow(
            [
                guard_text(x)
                for x in (
                    t.number,
                    t.size,
                    f"{t.share:.4f}",
                    "; ".join(t.terms),
                    t.nearest_code,
                    f"{t.nearest_code_share:.4f}",
                    "; ".join(t.codebook_terms),
                    " | ".join(_quote(text) for _, text in t.quotes),
                    t.code,
                )
            ]  # fmt: skip
        )
    n = v.run.scope_size
    writer.writerow(["", v.run.unthemed, f"{v.run.unthemed / n if n else 0:.4f}",
                     "", "", "", "", "", ""])  # fmt: skip
    return buffer.getvalue()


def members_csv(store: Store) -> str:
    """Every comment of the latest run: its theme (empty: unthemed), typicality and text."""
    run = store.discovery.latest()
    number = {t.id: t.number for t in run.themes} if run else {}
    rows = store.discovery.members()
    ids = [r[0] for r in rows]
    texts = dict(zip(ids, store.comments.texts(ids), strict=True))
    sources = store.discovery.source_ids(ids)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MEMBER_COLUMNS)
    for comment_id, theme_id, typicality in rows:
        writer.writerow(
            [
                number.get(theme_id, "") if theme_id is not None else "",
                guard_text(sources[comment_id]),
                f"{typicality:.4f}",
                guard_text(texts[comment_id]),
            ]
        )
    return buffer.getvalue()


def page(v: RunView) -> str:
    """One self-contained HTML page: no script, no request for anything."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Candidate themes</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.45}section{border-top:1px solid #ccc;padding:.5rem 0}"
        ".terms{font-weight:600}.cb{text-decoration:underline dotted}"
        "blockquote{margin:.3rem 0 .3rem 1rem;color:#333}.muted{color:#666}</style>",
        "</head><body>",
        "<h1>Candidate themes</h1>",
        f"<p>{e(v.summary)}</p>",
    ]
    for t in v.themes:
        terms = ", ".join(
            f'<span class="cb" title="the codebook uses this word">{e(x)}</span>'
            if x in t.codebook_terms
            else e(x)
            for x in t.terms
        )
        parts.append(f'<section id="theme-{t.number}"><h2>Theme {t.number}</h2>')
        parts.append(
            f'<p class="muted">{t.size:,} comments ({t.share:.0%}); {e(t.verdict)}'
            + (f" ({t.nearest_code_share:.0%} carry {e(t.nearest_code)})" if t.nearest_code else "")
            + (f"; made into code {e(t.code)}" if t.code else "")
            + "</p>"
        )
        parts.append(f'<p class="terms">{terms}</p>')
        for source, text in t.quotes:
            parts.append(f"<blockquote>{e(_quote(text))} <span class='muted'>({e(source)})"
                         "</span></blockquote>")  # fmt: skip
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(v: RunView, fmt: str) -> str:
    if fmt == "md":
        return markdown(v)
    if fmt == "csv":
        return themes_csv(v)
    if fmt == "html":
        return page(v)
    return table(v)
