"""The report in a real browser: headless Chromium renders it, the summary and the timeline are there.

Skipped, saying why, where Chromium is not installed (``.ci/run`` installs the
Debian package ``chromium``). The browser runs with no network features and
a throwaway profile; the report must not need any.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.golden.regenerate import HERE

CHROMIUM = next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90)


# Measures what the browser laid out. The report itself runs no script (its policy forbids it), so the
# test copy drops that policy and adds this one, which writes each box into an attribute of <body>.
MEASURE = """<script>
for (const [name, selector] of [["verdict", "#verification"], ["summary", "#summary"], ["timeline", "svg.timeline"]]) {
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  const seen = box.width > 0 && box.height > 0 && style.visibility === "visible" && style.display !== "none";
  document.body.setAttribute("data-" + name, [seen, Math.round(box.top), Math.round(box.width), Math.round(box.height)].join(" "));
}
</script>"""


@pytest.fixture(scope="module")
def dom(tmp_path_factory) -> str:
    """The report's DOM after Chromium laid it out (``--dump-dom``), with the boxes measured."""
    tmp = tmp_path_factory.mktemp("chromium")
    report = tmp / "report.html"
    html = (HERE / "report.html").read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace("</body>", MEASURE + "</body>")
    report.write_text(html, encoding="utf-8")
    done = _chromium(tmp, "--window-size=1280,900", "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _box(dom: str, name: str) -> tuple[bool, int, int, int]:
    seen, top, width, height = re.search(rf'data-{name}="([^"]*)"', dom).group(1).split()
    return seen == "true", int(top), int(width), int(height)


def test_the_summary_and_the_timeline_are_laid_out_visibly_in_order(dom):
    verdict, summary, timeline = (_box(dom, name) for name in ("verdict", "summary", "timeline"))
    assert verdict[0] and summary[0] and timeline[0], (verdict, summary, timeline)
    assert verdict[1] < 300, "the verification result opens the page"
    assert verdict[1] < summary[1] < timeline[1]
    assert timeline[2] >= 700 and timeline[3] >= 100, "the timeline is drawn at a readable size"


def test_the_browser_sees_the_summary_first_and_the_timeline(dom):
    assert "<h1>Firearms safety record: Dry Creek</h1>" in dom
    verdict = dom.index("Intact: every entry's hash and every signature check out.")
    still_open = dom.index("Stop still open")
    timeline = dom.index('<svg class="timeline"')
    assert verdict < still_open < timeline
    svg = dom[timeline: dom.index("</svg>", timeline)]
    assert "<title" in svg and "<desc" in svg
    assert re.search(r'<rect [^>]*width="[1-9]', svg), "the timeline draws spans"
    assert svg.count('class="tl-mark tl-stop"') >= 3


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_screenshots_at_desktop_and_phone_widths_are_not_blank(tmp_path, width, height):
    report = tmp_path / "report.html"
    shutil.copy(HERE / "report.html", report)
    shot = tmp_path / f"shot-{width}.png"
    done = _chromium(tmp_path, f"--screenshot={shot}", f"--window-size={width},{height}", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    # A blank white page compresses to a few kilobytes; a laid-out report does not.
    assert len(data) > 20_000, len(data)


# Chromium will not open a window narrower than 500 pixels, so a phone's width is an <iframe> of that
# width. Its scrollbar is hidden, as on a phone, and its script writes what it measured into the page
# around it (which needs file pages to reach each other).
PHONE_MEASURE = """<script>
const page = document.documentElement;
const found = ["page " + page.scrollWidth + " " + page.clientWidth];
for (const table of document.querySelectorAll("table.tl-table")) {
  found.push("table " + table.getBoundingClientRect().width.toFixed(1) + " " + table.parentElement.getBoundingClientRect().width.toFixed(1));
}
const wrap = document.querySelector(".timeline-wrap");
found.push("drawing " + wrap.scrollWidth + " " + wrap.clientWidth);
parent.document.body.setAttribute("data-phone", found.join(";"));
</script>"""


@pytest.mark.parametrize("width", [390, 375, 320])
def test_on_a_phone_only_the_drawing_scrolls_sideways(tmp_path, width):
    """The timeline's table once set its narrowest width by its longest word and its unbreaking columns,
    and came out a few pixels wider than a phone's page, so the whole report scrolled sideways."""
    html = (HERE / "report.html").read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "<style>html { scrollbar-width: none; }</style>", html)
    (tmp_path / "report.html").write_text(html.replace("</body>", PHONE_MEASURE + "</body>"), encoding="utf-8")
    outer = tmp_path / "phone.html"
    outer.write_text(f'<!doctype html><body style="margin:0"><iframe src="report.html" '
                     f'style="border:0; width:{width}px; height:2000px"></iframe></body>', encoding="utf-8")
    done = _chromium(tmp_path, "--allow-file-access-from-files", "--window-size=800,2000",
                     "--virtual-time-budget=5000", "--dump-dom", outer.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-phone="([^"]*)"', done.stdout)
    assert found, done.stdout[-2000:]
    measured = [part.split() for part in found.group(1).split(";")]
    page_scroll, page_width = map(int, measured[0][1:])
    assert page_width == width and page_scroll <= page_width, f"the page scrolls sideways: {measured[0]}"
    tables = [tuple(map(float, m[1:])) for m in measured if m[0] == "table"]
    assert tables and all(table <= room + 0.5 for table, room in tables), tables
    drawing_scroll, drawing_width = map(int, measured[-1][1:])
    assert drawing_scroll > drawing_width, "the drawing keeps its size and scrolls in its own region"


# -- printed pages ----------------------------------------------------------------

PAPER = {"A4": (595, 842), "Letter": (612, 792)}


@pytest.fixture(scope="module", params=sorted(PAPER))
def printed(request, tmp_path_factory) -> tuple[str, bytes]:
    """The report printed to PDF by Chromium on A4 and on Letter (the test copy names the paper size)."""
    tmp = tmp_path_factory.mktemp("print")
    html = (HERE / "report.html").read_text(encoding="utf-8")
    report = tmp / "report.html"
    report.write_text(html.replace('<style media="print">@page {', f'<style media="print">@page {{ size: {request.param};', 1),
                      encoding="utf-8")
    pdf = tmp / "report.pdf"
    done = _chromium(tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    return request.param, pdf.read_bytes()


def test_the_report_prints_on_a4_and_letter(printed):
    paper, pdf = printed
    width, height = PAPER[paper]
    boxes = {tuple(round(float(n)) for n in box.split()[2:4])
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf) for box in [box.decode()]}
    assert boxes == {(width, height)}
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) > 3


def test_every_printed_page_carries_the_production_head_key_and_page_x_of_n(printed):
    pypdf = pytest.importorskip("pypdf", reason="reading the printed text needs pypdf")
    import io

    paper, pdf = printed
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    for number, text in enumerate(pages, 1):
        assert "Dry Creek" in text and "head #39 d2660a1f346f34df" in text and "key 56475aa75463474c" in text, (
            paper, number)
        assert f"page {number} of {len(pages)}" in text, (paper, number)
