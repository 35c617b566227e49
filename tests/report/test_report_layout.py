"""The report for reading and printing: references for every method cited, anchors for every
table and plot, no scroll boxes, numbers right-aligned, a print style sheet."""

from __future__ import annotations

import re

import pytest

from peercorpus.report.references import CITATIONS, cited_works, references


@pytest.fixture
def report_folder(full_report):
    """The folder of the whole test_report.CONFIG (tests/report/conftest.py full_report)."""
    return full_report[0]


def test_every_cited_work_is_in_the_references(report_folder):
    html = (report_folder / "report.html").read_text(encoding="utf-8")
    methods = re.search(r'<section id="methods".*?</section>', html, re.S).group()
    listed = re.search(r'<section id="references".*?</section>', html, re.S).group()
    cited = cited_works([re.sub("<[^>]+>", " ", methods).replace("&amp;", "&").replace("&#x27;", "'")])
    assert {name for name, _ in cited} >= {"Dunning", "Rayson", "Hardie", "Gries", "Covington"}
    for surname, year in cited:
        assert re.search(rf"{surname}[^<]*\({year}\)", listed), (surname, year)
    for name in ("Juilland", "Flesch", "Kiss", "Church", "Rychlý", "Lee"):
        assert name in listed, name
    assert "## References" in (report_folder / "report.md").read_text(encoding="utf-8")


def test_every_table_and_plot_has_an_anchor_and_nothing_scrolls(report_folder):
    html = (report_folder / "report.html").read_text(encoding="utf-8")
    tables = html.count('<div class="table-wrap">')
    assert html.count('<h3 id="table-') + 1 >= tables  # every analysis table (the quality table sits under its h2)
    assert html.count("<figure") == html.count('<figure id="plot-') > 0
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "overflow:auto" not in html and "max-height:34rem" not in html and "nowrap}" not in html.split("table.kwic")[1][:40]
    assert "@media print" in html and "<script" not in html
    assert '<td class="num">' in html
    assert 'td class="left" style="text-align:right"' in html and 'class="match" style="text-align:center"' in html


def test_references_only_cite_what_is_named():
    assert references(["Keywords with log-likelihood G² (Dunning 1993)."]) == [c for p, c in CITATIONS if c.startswith("Dunning")]
    assert references(["Nothing statistical."]) == []
    assert cited_works(["G² (Dunning 1993; Rayson & Garside 2000) and Gries' (2008) DP"]) == [("Dunning", "1993"), ("Rayson", "2000"), ("Gries", "2008")]


def test_k_auto_methods_text_cites_the_rule_it_used():
    text = ("k = 5 was chosen from 2–8 as the largest k at which ... (a local peak of the mean adjusted Rand index, "
            "Hubert & Arabie 1985, ...; after Brunet et al. 2004 and Greene, O'Callaghan & Cunningham 2014)")
    assert [c.split(",")[0] for c in references([text])] == ["Brunet", "Greene", "Hubert"]
