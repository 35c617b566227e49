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
def test_report_renders_in_headless_chromium_without_console_errors(run, mini_corpus, tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip("no Chromium on this machine: 'apt-get install chromium' (as .ci/run does) to run the browser check")
    from PIL import Image

    out = tmp_path / "out"
    assert run("report", str(write_config(tmp_path, mini_corpus)), "-o", str(out)).exit_code == 0
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
