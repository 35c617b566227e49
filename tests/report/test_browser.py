"""The HTML report in a real browser: headless Chromium renders it offline, with no console errors.

Needs Debian's ``chromium`` package (``.ci/run`` installs it); skipped with a message without it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .test_report import write_config

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome-headless-shell")


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
def test_report_renders_in_headless_chromium_without_console_errors(full_report, tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip("no Chromium on this machine: 'apt-get install chromium' (as .ci/run does) to run the browser check")
    from PIL import Image

    out = full_report[0]  # the whole test_report.CONFIG on tests/data/mini (tests/report/conftest.py)
    screenshot = tmp_path / "page.png"
    completed = subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1600", f"--screenshot={screenshot}", (out / "report.html").as_uri(),
        ],
        capture_output=True, text=True, timeout=180,
    )
    assert screenshot.exists(), completed.stderr[-2000:]
    console = [line for line in completed.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "the page logged to the console:\n" + "\n".join(console)

    image = Image.open(screenshot).convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:200]) / (image.width * image.height)
    assert dark > 0.01, "the screenshot is blank"
    assert len([count for count in histogram if count]) > 20, "the screenshot has almost no tones: nothing rendered"


KWIC_CONFIG = """\
title: Print check
corpus: {corpus}
seed: 1
analyses:
  - name: kwic
    queries: ["peer", "support", "work*"]
    context: document
    show: [genre]
  - name: freq
    top: 5
"""


@pytest.mark.slow
def test_printed_report_shows_every_concordance_row(run, sample_corpus, tmp_path):
    """Printed to PDF by headless Chromium, the report holds every concordance row's match and
    the end of its right context: nothing hidden in a scroll box or cut at the page edge."""
    browser = find_browser()
    pdftotext = shutil.which("pdftotext")
    if browser is None or pdftotext is None:
        pytest.skip("needs Chromium and pdftotext: 'apt-get install chromium poppler-utils'")
    import csv
    import re

    out = tmp_path / "out"
    assert run("report", str(write_config(tmp_path, sample_corpus, KWIC_CONFIG)), "-o", str(out)).exit_code == 0
    pdf = tmp_path / "report.pdf"
    completed = subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", (out / "report.html").as_uri(),
        ],
        capture_output=True, text=True, timeout=240,
    )
    assert pdf.exists(), completed.stderr[-2000:]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    from peercorpus.report.sections import SHOWN_ROWS

    rows = list(csv.DictReader((out / "tables" / "kwic.csv").open(encoding="utf-8")))
    shown = min(len(rows), SHOWN_ROWS)  # the page shows the first SHOWN_ROWS rows; all are in the CSV
    assert shown > 10
    words = re.findall(r"\w+", flat.lower())
    for row in rows[:shown]:
        assert row["match"].lower() in flat.lower(), row
        tail = re.findall(r"\w+", row["right"].lower())[-1:]  # the right context's last word: not cut off
        assert not tail or tail[0] in words, (row, tail)
    matches = sum(1 for w in words if w == "peer")
    assert matches >= sum(1 for r in rows[:shown] if r["match"].lower() == "peer")
