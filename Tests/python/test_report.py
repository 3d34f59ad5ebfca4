"""`analyze --report DIR`: one self-contained index.html, rendered by headless Chromium and
checked for what a reader sees (the DOM after rendering, and a screenshot)."""
import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from conftest import SMOKE, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (hpc/install-deps.sh --browser)")


def chromium(*args, timeout=120):
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--disable-extensions", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class Reader(HTMLParser):
    """What a reader sees: the visible text by section, table cells, and the rendered SVGs."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.sections, self.svgs, self.cells = [], [], {}, 0, []
        self.section = None
        self.row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id")
            self.sections[self.section] = []
        if tag == "svg":
            self.svgs += 1
        if tag == "tr":
            self.row = []
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "tr" and self.row is not None:
            self.cells.append((self.section, self.row))
            self.row = None
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if any(t in ("style", "script", "title") for t in self.stack):
            return
        self.text.append(data)
        if self.section:
            self.sections[self.section].append(data)
        if self.row is not None and self.stack and self.stack[-1] in ("td", "th"):
            self.row.append(data.strip())


def png_size_and_colours(path):
    """Width, height and the number of distinct byte values in the image data of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


@pytest.fixture(scope="module")
def report(tmp_path_factory, alphasweep):
    directory = tmp_path_factory.mktemp("report")
    results = directory / "smoke.h5"
    run_cli("run", SMOKE, "--out", results)
    run_cli("analyze", results, "--report", directory / "report", "--no-store")
    rows = json.loads(run_cli("analyze", results, "--format", "json", "--no-store").stdout)
    table = run_cli("analyze", results, "--no-store").stdout
    return directory / "report" / "index.html", rows, table


def test_the_report_is_one_self_contained_file(report):
    page, _, _ = report
    assert sorted(p.name for p in page.parent.iterdir()) == ["index.html"]
    html = page.read_text()
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html), "nothing is loaded from elsewhere"
    assert "url(" not in html
    assert html.count("<svg") == 3


def test_chromium_renders_the_verdict_tables_figures_caveats_provenance_and_spec(report, tmp_path):
    page, rows, table = report
    dom = chromium("--virtual-time-budget=5000", "--dump-dom", page.as_uri()).stdout
    reader = Reader()
    reader.feed(dom)
    visible = " ".join(" ".join(reader.text).split())
    for heading in ("Verdict", "α with 95 % bootstrap CI", "Figures", "Details", "Caveats", "Provenance", "Spec"):
        assert heading in visible, heading
    # The verdict is the one `analyze` prints.
    verdict = table.split("verdict\n")[1].split("\n\n")[0].splitlines()
    assert len(verdict) >= 3
    for line in verdict:
        assert " ".join(line.split()) in " ".join(" ".join(reader.sections["verdict"]).split())
    # Every α cell shows the JSON's α and CI, rounded as printed.
    alpha_rows = {r[0]: r[1:] for section, r in reader.cells if section == "alpha" and r and r[0] != "optimizer"}
    s_values = sorted({row["s"] for row in rows})
    for row in rows:
        shown = alpha_rows[row["optimizer"]][s_values.index(row["s"])]
        assert shown.startswith(f"{row['alpha']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"), (row, shown)
    assert reader.svgs == 3, "the three figures are rendered inline"
    assert "loss L" in visible and "N (features)" in visible, "the figures' axis labels are in the DOM"
    assert "local exponents" in visible and "saturating fit" in visible
    assert "α is fitted over the finite window" in visible
    provenance = [r for section, r in reader.cells if section == "provenance"]
    assert provenance[1][0] == "run" and "alphasweep run" in provenance[1][-1]
    assert "master_seed: 20260501" in " ".join(reader.sections["spec"])

    shot = tmp_path / "report.png"
    chromium("--window-size=1280,2400", f"--screenshot={shot}", page.as_uri())
    width, height, colours = png_size_and_colours(shot)
    assert (width, height) == (1280, 2400)
    assert colours > 50, "the screenshot shows more than a blank page"
