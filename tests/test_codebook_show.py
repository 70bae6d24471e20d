"""`coder codebook show`: each code's comments, direct and rolled up, each labelled."""

from __future__ import annotations

import re

import test_report_support as support
from cli_support import run

from coder.report.build import ReportOptions, build_report
from coder.store import open_project

rich_template = support.rich_template
rich_project = support.rich_project


def test_codebook_show_labels_direct_and_rolled_up_counts(rich_project, capsys):
    code, out, _ = run(capsys, "codebook", rich_project, "show")
    assert code == 0
    assert "direct = coded with the code itself" in out
    with open_project(rich_project) as store:
        report = build_report(store, ReportOptions()).frequencies.set_index("code")
        codes = store.codes.all()
    parents = {c.parent_id for c in codes}
    lines = out.splitlines()
    for c in codes:
        line = next(
            line for line in lines if line.strip().startswith(f"{c.name}  [") and "direct" in line
        )
        counts = dict(
            (label.strip(), int(n))
            for n, label in re.findall(r"(\d+) (direct|with sub-codes)", line)
        )
        if c.id in parents:
            # What the report counts for a parent, when no filter is set.
            assert counts["with sub-codes"] == report.loc[c.path, "comments"], c.path
            assert counts["direct"] < counts["with sub-codes"]
        else:
            assert set(counts) == {"direct"}
            assert counts["direct"] == report.loc[c.path, "comments"], c.path
