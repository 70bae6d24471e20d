"""REFI-QDA interchange at scale: `coder export` to .qdpx and `coder import` of it, beside plain
xml.etree + zipfile + sqlite3 doing the same work, measured in the same run.

    python benchmarks/bench_interchange.py [--comments 100000] [--codes 300] [--repeat 3]

Builds a project of COMMENTS comments (two questions, half as many respondents with three
attributes each), CODES codes (30 top-level codes with sub-codes), about 1.5 codings a
comment by three coders (whole comments and segments) and a memo on every hundredth
comment. Then, each in a child process of its own so that seconds, processor time and
peak memory are its own:

- `coder export P.db P.qdpx`, beside a plain export: the same rows read with sqlite3, the
  same document built with xml.etree.ElementTree and written with the texts by zipfile;
- `coder import NEW.db P.qdpx`, beside a plain import: every part read with zipfile, the
  document parsed with xml.etree, comments (with their full-text index) and codings
  written with sqlite3 executemany in one transaction.

With --repeat N each is run N times, taking turns to go first, and medians are shown.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

from bench_import import ROLES, WORDS, Run, fresh, measured

from coder.domain import ExchangeData
from coder.store import create_project

CODER = """
import sys
from coder.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
"""

PLAIN_EXPORT = """
import sqlite3, sys, zipfile, uuid
import xml.etree.ElementTree as ET
db, out = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db)
ns = uuid.uuid4()
g = lambda *k: str(uuid.uuid5(ns, "/".join(map(str, k))))
root = ET.Element("Project", {"xmlns": "urn:QDA-XML:project:1.0", "name": "plain"})
users = ET.SubElement(root, "Users")
for (name,) in conn.execute("SELECT DISTINCT coder FROM codings"):
    ET.SubElement(users, "User", {"guid": g("u", name), "name": name})
codes = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
elements = {}
for id_, parent, name, description, guid in conn.execute(
        "SELECT id, parent_id, name, description, guid FROM codes ORDER BY parent_id IS NOT NULL, id"):
    e = ET.SubElement(elements.get(parent, codes), "Code", {"guid": guid, "name": name, "isCodable": "true"})
    ET.SubElement(e, "Description").text = description
    elements[id_] = e
cases = ET.SubElement(root, "Cases")
case = {}
for rid, source in conn.execute("SELECT id, source_id FROM respondents"):
    case[rid] = ET.SubElement(cases, "Case", {"guid": g("r", source), "name": source})
for rid, name, value in conn.execute("SELECT respondent_id, name, value FROM respondent_attributes"):
    v = ET.SubElement(case[rid], "VariableValue")
    ET.SubElement(v, "VariableRef", {"targetGUID": g("v", name)})
    ET.SubElement(v, "TextValue").text = value
sources = ET.SubElement(root, "Sources")
code_guid = dict(conn.execute("SELECT id, guid FROM codes"))
codings = {}
for cid, code, coder, start, end in conn.execute('SELECT comment_id, code_id, coder, start, "end" FROM codings'):
    codings.setdefault(cid, []).append((code, coder, start, end))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
    for cid, source, rid, text in conn.execute("SELECT id, source_id, respondent_id, text FROM comments ORDER BY id"):
        guid = g("c", source)
        zf.writestr(f"sources/{guid}.txt", text.encode())
        ET.SubElement(case[rid], "SourceRef", {"targetGUID": guid})
        s = ET.SubElement(sources, "TextSource", {"guid": guid, "name": source, "plainTextPath": f"internal://{guid}.txt"})
        for code, coder, start, end in codings.get(cid, []):
            a, b = (0, len(text)) if start is None else (start, end)
            sel = ET.SubElement(s, "PlainTextSelection", {"guid": g("s", guid, a, b), "startPosition": str(a), "endPosition": str(b)})
            c = ET.SubElement(sel, "Coding", {"guid": g("k", guid, code, coder), "creatingUser": g("u", coder)})
            ET.SubElement(c, "CodeRef", {"targetGUID": code_guid[code]})
    with zf.open("project.qde", "w", force_zip64=True) as f:
        ET.ElementTree(root).write(f, encoding="utf-8", xml_declaration=True)
"""

PLAIN_IMPORT = """
import sqlite3, sys, zipfile
import xml.etree.ElementTree as ET
source, db = sys.argv[1], sys.argv[2]
zf = zipfile.ZipFile(source)
texts = {n.rsplit("/", 1)[-1]: zf.read(n).decode("utf-8-sig") for n in zf.namelist() if n.startswith("sources/")}
root = ET.fromstring(zf.read("project.qde"))
local = lambda e: e.tag.rsplit("}", 1)[-1]
conn = sqlite3.connect(db)
conn.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, source_id TEXT UNIQUE, guid TEXT, text TEXT)")
conn.execute("CREATE VIRTUAL TABLE comments_fts USING fts5(text, content='comments', content_rowid='id')")
conn.execute("CREATE TABLE codings (comment_id INTEGER, code TEXT, coder TEXT, start INTEGER, \\"end\\" INTEGER)")
comments, codings = [], []
for e in root.iter():
    if local(e) != "TextSource":
        continue
    text = texts[e.get("plainTextPath").split("://", 1)[1]]
    cid = len(comments) + 1
    comments.append((cid, e.get("name"), e.get("guid"), text))
    for sel in e:
        if local(sel) != "PlainTextSelection":
            continue
        a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
        for c in sel:
            ref = c[0]
            codings.append((cid, ref.get("targetGUID"), c.get("creatingUser"), a, b))
conn.executemany("INSERT INTO comments VALUES (?, ?, ?, ?)", comments)
conn.executemany("INSERT INTO comments_fts (rowid, text) VALUES (?, ?)", ((c[0], c[3]) for c in comments))
conn.executemany("INSERT INTO codings VALUES (?, ?, ?, ?, ?)", codings)
conn.commit()
"""


def build(path: Path, comments: int, codes: int, seed: int = 7) -> None:
    """The project to exchange, written through the store's own bulk writer."""
    rng = random.Random(seed)
    with create_project(path, name="Interchange benchmark") as store:
        code_ids: list[int] = []
        top = max(1, codes // 10)
        with store.db.transaction():
            parents = [store.codes.add(f"Theme {t}", description=" ".join(rng.choices(WORDS, k=12)))
                       for t in range(top)]  # fmt: skip
            code_ids.extend(parents)
            for n in range(codes - top):
                code_ids.append(store.codes.add(f"Sub {n}", parent_id=parents[n % top]))
            data = ExchangeData(questions=[("q1", None), ("q2", None)])
            people = comments // 2
            data.respondents = [(f"R{i:07d}", None) for i in range(people)]
            data.attributes = [
                (i, name, value)
                for i in range(people)
                for name, value in (("role", rng.choice(ROLES)), ("area", "ABCDEF"[i % 6]),
                                    ("years", str(rng.randint(0, 35))))
            ]  # fmt: skip
            for c in range(comments):
                text = " ".join(rng.choices(WORDS, k=rng.randint(3, 60)))
                data.comments.append((f"R{c // 2:07d}:q{c % 2 + 1}", None, c // 2, c % 2, text))
                for _ in range(1 if rng.random() < 0.5 else 2):
                    coder = rng.choice(["alice", "bob", "carol"])
                    code = rng.choice(code_ids)
                    if rng.random() < 0.6:
                        data.codings.append((c, code, coder, None, None, "2026-01-01T00:00:00Z"))
                    else:
                        start = rng.randrange(len(text))
                        end = rng.randint(start + 1, len(text))
                        data.codings.append((c, code, coder, start, end, "2026-01-01T00:00:00Z"))
                if c % 100 == 0:
                    data.memos.append((c, None, "alice", "a memo", f"00000000-0000-4000-8000-{c:012d}",
                                       "2026-01-01T00:00:00Z"))  # fmt: skip
            import_id = store.imports.begin("benchmark")
            store.exchange.write(import_id, data)
            store.imports.finish(import_id, {})
        store.db.checkpoint()


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.peak_mb for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        project = tmp / "project.db"
        build(project, args.comments, args.codes)
        runs: dict[str, list[Run]] = {
            k: [] for k in ("export", "plain export", "import", "plain import")
        }
        for attempt in range(args.repeat):
            order = [0, 1] if attempt % 2 == 0 else [1, 0]
            for which in order:
                if which == 0:
                    (tmp / "coder.qdpx").unlink(missing_ok=True)
                    runs["export"].append(
                        measured(CODER, "export", str(project), str(tmp / "coder.qdpx"))
                    )
                    fresh(tmp / "back.db")
                    runs["import"].append(
                        measured(CODER, "import", str(tmp / "back.db"), str(tmp / "coder.qdpx"))
                    )
                else:
                    (tmp / "plain.qdpx").unlink(missing_ok=True)
                    runs["plain export"].append(
                        measured(PLAIN_EXPORT, str(project), str(tmp / "plain.qdpx"))
                    )
                    fresh(tmp / "plain.db")
                    runs["plain import"].append(
                        measured(PLAIN_IMPORT, str(tmp / "coder.qdpx"), str(tmp / "plain.db"))
                    )
        with zipfile.ZipFile(tmp / "coder.qdpx") as zf:
            document = zf.getinfo("project.qde").file_size
            parts = len(zf.infolist())
        size = (tmp / "coder.qdpx").stat().st_size
        print(f"{args.comments:,} comments, {args.codes} codes; .qdpx {size / 1e6:.1f} MB "
              f"({parts:,} files, project.qde {document / 1e6:.1f} MB unpacked); "
              f"median of {args.repeat}")  # fmt: skip
        print(f"{'':<14}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}")
        for name, measured_runs in runs.items():
            m = median(measured_runs)
            print(f"{name:<14}{m.seconds:>9.1f}{m.cpu:>8.1f}{m.peak_mb:>9.0f}")
        for name in ("export", "import"):
            ratio = median(runs[name]).seconds / median(runs[f"plain {name}"]).seconds
            print(f"coder {name} / plain {name}: {ratio:.2f}")
        print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
