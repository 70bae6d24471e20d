"""Two coders, a training and an import on one file at once: nobody waits long, nothing is lost."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap

from coder.store import open_project

CODER = textwrap.dedent(
    """
    import asyncio, json, sys
    from coder.tui.app import CoderApp

    async def main():
        name, start = sys.argv[2], int(sys.argv[3])
        app = CoderApp(sys.argv[1], name)
        async with app.run_test(size=(100, 30)) as pilot:
            session = app.screen.session
            session.move_to(start)
            for n in range(25):
                await pilot.press(str(1 + n % 4), "j")
            await app.workers.wait_for_complete()
            assert not app.unsaved, app.unsaved
        print(json.dumps({"unsaved": app.unsaved}), flush=True)

    asyncio.run(main())
    """
)


def test_two_workbenches_a_training_and_an_import_share_one_file(tmp_path, demo_project):
    survey = tmp_path / "more.csv"
    with survey.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "answer", "role"])
        for i in range(3000):
            writer.writerow([f"N{i:05d}", f"new answer number {i} about supervision", "teacher"])
    coder = [sys.executable, "-m", "coder"]
    children = {
        "ann": subprocess.Popen(
            [sys.executable, "-c", CODER, str(demo_project), "ann", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
        "ben": subprocess.Popen(
            [sys.executable, "-c", CODER, str(demo_project), "ben", "300"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
        "train": subprocess.Popen(
            [*coder, "train", str(demo_project), "--budget", "0", "--features", "tfidf", "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
        "import": subprocess.Popen(
            [*coder, "import", str(demo_project), str(survey), "--id", "id", "--text", "answer",
             "--attr", "role", "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
    }  # fmt: skip
    results = {name: child.communicate(timeout=300) for name, child in children.items()}
    for name, (_out, err) in results.items():
        assert children[name].returncode == 0, f"{name}: {err[-2000:]}"
        assert "locked" not in err, name
    for name in ("ann", "ben"):
        assert json.loads(results[name][0].splitlines()[-1]) == {"unsaved": []}
    with open_project(demo_project) as store:
        status = store.status()
        assert status.comments == 628 + 3000
        assert {"ann", "ben", "reference"} <= set(status.coders)
        coded_by = {
            name: sum(
                1
                for c in range(1, 629)
                if any(k.coder == name for k in store.codings.of_comment(c))
            )
            for name in ("ann", "ben")
        }
        assert coded_by["ann"] >= 20 and coded_by["ben"] >= 20
        assert status.model_version is not None
