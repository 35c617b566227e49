"""A ``qdpx:`` output in report configs: the project lands in the report folder, valid, and
listed in the manifest; a bad value is one line, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peercorpus.qda.reader import check_selections, read_qdpx

CONFIG = """\
title: QDA hand-off
corpus: {corpus}
analyses:
  - name: kwic
    queries: [peer, boundaries]
    qdpx: kwic.qdpx
    unit: match
    case: genre
  - name: codebook
    qdpx: coding.qdpx
    themes:
      recovery: ["recover*"]
      work:
        themes:
          peer: {terms: ["peer*"], color: "#112233"}
          nhs: {terms: [NHS]}
  - name: topics
    k: 2
    unit: paragraph
    min_df: 1
    plots: false
    qdpx: topics.qdpx
    qdpx_threshold: 0.3
"""


def _report(run, tmp_path: Path, corpus: Path, text: str):
    config = tmp_path / "report.yaml"
    config.write_text(text.replace("{corpus}", str(corpus)), encoding="utf-8")
    out = tmp_path / "out"
    return run("report", str(config), "-o", str(out)), out


def test_report_writes_the_projects_it_is_asked_for(run, mini_corpus, tmp_path):
    result, out = _report(run, tmp_path, mini_corpus, CONFIG)
    assert result.exit_code == 0, result.stderr
    kwic = json.loads((out / "tables" / "kwic.json").read_text())
    project = read_qdpx(out / "kwic.qdpx")
    assert check_selections(project) == []
    assert len(project.selections) == len(kwic)
    assert sorted((s.start, s.end) for s in project.selections) == sorted((r["char_start"], r["char_end"]) for r in kwic)
    assert project.cases == 3  # article, blog, report
    coding = read_qdpx(out / "coding.qdpx")
    assert [path for _, path, _ in coding.codes] == ["recovery", "work", "work/peer", "work/nhs"]
    assert ("work/peer" in {path for _, path, _ in coding.codes}) and ("#112233" in {c for _, _, c in coding.codes})
    assert check_selections(coding) == []
    topics = read_qdpx(out / "topics.qdpx")
    labels = [row["label"] for row in json.loads((out / "tables" / "topics.json").read_text())]
    assert [path for _, path, _ in topics.codes] == labels and check_selections(topics) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"kwic.qdpx", "coding.qdpx"} <= set(manifest["files"])
    assert "REFI-QDA project" in (out / "report.md").read_text()


@pytest.mark.parametrize(
    "change, message",
    [
        (("qdpx: kwic.qdpx", "qdpx: ../kwic.qdpx"), "qdpx must be a file name ending in .qdpx"),
        (("qdpx: kwic.qdpx", "qdpx: kwic.zip"), "qdpx must be a file name ending in .qdpx"),
        (("unit: match", "unit: word"), "unit must be one of match, sentence, paragraph"),
        (("case: genre", "case: colour"), "colour"),
        (("qdpx_threshold: 0.3", "qdpx_threshold: 2"), "qdpx_threshold must be a share between 0 and 1"),
    ],
)
def test_bad_qdpx_settings_are_one_line(run, mini_corpus, tmp_path, change, message):
    result, out = _report(run, tmp_path, mini_corpus, CONFIG.replace(*change))
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
