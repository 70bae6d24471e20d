"""The HTML report is valid HTML and renders right in a real browser, on a desktop and a phone."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
import test_report_support as support
from browser_support import Browser, find_browser
from cli_support import run

rich_template = support.rich_template
rich_project = support.rich_project


@pytest.fixture
def html_report(rich_project, tmp_path, capsys):
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "report", rich_project, "--by", "role", "--out", out)
    assert code == 0, err
    return out


def test_html_parses_without_errors_and_every_id_is_unique(html_report):
    import html5lib

    text = html_report.read_text(encoding="utf-8")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(text)  # strict: raises on the first parse error
    assert not parser.errors
    ids = Counter(e.get("id") for e in document.iter() if e.get("id") is not None)
    assert ids and not [i for i, n in ids.items() if n > 1]
    # Every in-page reference (a chart's clip paths and glyphs) points at an id that exists.
    references = set(re.findall(r"url\(#([^)]+)\)", text))
    references |= set(re.findall(r'href="#([^"]+)"', text))
    assert references and references <= set(ids)
    assert len(document.findall(".//svg")) + len(document.findall(".//{*}svg")) == 2


def _dark_share(png: bytes, box: list[float]) -> float:
    """The share of pixels in a box of a screenshot that are not near white."""
    import matplotlib.image as image

    pixels = image.imread(io.BytesIO(png), format="png")[..., :3]
    left, top, width, height = (int(round(v)) for v in box)
    crop = pixels[top : top + height, left : left + width]
    return float((crop.mean(axis=2) < 0.85).mean()) if crop.size else 0.0


MEASURE = """JSON.stringify({
  inner: window.innerWidth,
  scroll: document.documentElement.scrollWidth,
  charts: [...document.querySelectorAll('.chart svg')].map(svg => {
    const r = svg.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
  }),
  hidden: [...document.querySelectorAll('.chart svg')].filter(svg => {
    const s = getComputedStyle(svg); return s.display === 'none' || s.visibility !== 'visible';
  }).length,
  tables: [...document.querySelectorAll('table')].filter(t =>
    t.getBoundingClientRect().right > window.innerWidth + 1 && !t.closest('.scroll')).length,
})"""


def test_chromium_shows_every_chart_with_no_horizontal_overflow(html_report, tmp_path):
    import json

    executable = find_browser()
    if executable is None:
        pytest.skip("no Chromium here: `apt-get install chromium` (.ci/run installs it)")
    with Browser(executable) as browser:
        for width in (1280, 390):
            browser.open(html_report, width)
            seen = json.loads(browser.evaluate(MEASURE))
            # Down to the last chart: the tables below it are checked by measure alone.
            png = browser.screenshot(max(top + h for _, top, _, h in seen["charts"]) + 20)
            (tmp_path / f"report-{width}.png").write_bytes(png)
            assert seen["inner"] == width
            assert seen["scroll"] <= width, f"the page scrolls sideways at {width} px"
            assert seen["tables"] == 0, f"a table sticks out at {width} px"
            assert len(seen["charts"]) == 2 and seen["hidden"] == 0
            for left, top, w, h in seen["charts"]:
                assert left >= 0 and left + w <= width + 0.5, (width, left, w)
                assert w > min(300, width * 0.8) and h > 100, (width, w, h)
                # Drawn, not just laid out: the chart's box in the screenshot has ink in it.
                assert _dark_share(png, [left, top, w, h]) > 0.02, (width, left, top)
