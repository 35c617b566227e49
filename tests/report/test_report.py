"""peercorpus report: the folder it writes, determinism, exit codes, and bad configs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

CONFIG = """\
title: Mini <report> & friends
corpus: {corpus}
seed: 3
tokenize:
  stopwords: english
analyses:
  - name: info
  - name: stats
    by: genre
  - name: freq
    top: 10
  - name: kwic
    queries: ["lived experience", "boundar*"]
    context: sentence
    show: [genre]
  - name: dispersion
    terms: [recovery, peer]
  - name: collocates
    node: peer
    min_count: 1
  - name: collocations
    min_count: 2
  - name: keyness
    comparisons:
      - target: [genre=blog]
    min_count: 1
    alpha: 0.99
  - name: topics
    k: 2
    unit: paragraph
    min_df: 1
  - name: codebook
    cooccurrence: paragraph
    by: genre
    themes:
      lived experience: ["lived experience"]
      recovery: ["recover*"]
      boundaries: {terms: ["boundar*"], description: Where peer work stops}
"""


#: For tests whose subject is the output folder, overrides or crashes, not what the analyses write:
#: three analyses instead of ten (no plots, no topic model), so the run takes a fraction of the time.
SMALL = """\
title: Small
corpus: {corpus}
analyses:
  - name: info
  - name: stats
  - name: freq
    top: 10
"""


def write_config(folder: Path, corpus: Path, text: str = CONFIG) -> Path:
    path = folder / "report.yaml"
    path.write_text(text.replace("{corpus}", str(corpus)), encoding="utf-8")
    return path


def report_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_writes_every_table_plot_and_page(full_report):
    out, mini_corpus, _ = full_report
    files = report_files(out)
    for name in ["report.html", "report.md", "manifest.json", "tables/quality.csv", "tables/kwic.csv", "tables/kwic.json",
                 "tables/kwic-summary.csv", "tables/topics.csv", "tables/stats-groups.csv", "tables/keyness.csv",
                 "plots/dispersion.png", "plots/keyness.png", "plots/topics-terms.png", "tables/codebook.csv",
                 "tables/codebook-documents.csv", "tables/codebook-cooccurrence.csv", "tables/codebook-extracts.csv",
                 "tables/codebook-groups.csv"]:
        assert name in files, name
    # every table has a CSV and a JSON with the same rows
    for name in [n for n in files if n.endswith(".csv")]:
        rows = json.loads(files[name[:-4] + ".json"])
        assert len(rows) == len(files[name].decode().strip().splitlines()) - 1 or '"' in files[name].decode(), name
    kwic = json.loads(files["tables/kwic.json"])
    assert {row["match"].lower().replace("\n", " ") for row in kwic} >= {"lived experience", "boundaries"}
    assert all(row["genre"] in ("blog", "article", "report") for row in kwic)
    summary = json.loads(files["tables/kwic-summary.json"])
    assert summary and all(row["hits"] > 0 for row in summary), "the report lists documents with hits only"
    assert sum(row["hits"] for row in summary) == len(kwic)

    manifest = json.loads(files["manifest.json"])
    assert manifest["generator"] == "peercorpus report"
    assert manifest["corpus"]["documents"] == 4 and len(manifest["corpus"]["fingerprint"]) == 64
    assert manifest["corpus"]["paths"] == manifest["config"]["resolved"]["corpus"] == [str(mini_corpus)]  # as written
    assert manifest["config"]["sha256"] and manifest["seed"] == 3 and manifest["seeds"]["topics"] == 3
    assert [a["status"] for a in manifest["analyses"]] == ["ok"] * 10
    assert set(manifest["timings"]["analyses"]) == {a["id"] for a in manifest["analyses"]}
    assert {"python", "peercorpus", "nltk", "scikit-learn"} <= set(manifest["software"])
    assert set(manifest["files"]) == set(files) - {"manifest.json"}


def test_html_is_self_contained_escaped_and_highlights_matches(run, mini_corpus, tmp_path):
    (mini_corpus / "script.txt").write_text("A peer wrote <script>alert('x')</script> about lived experience & pay.\n")
    out = tmp_path / "out"
    assert run("report", str(write_config(tmp_path, mini_corpus)), "-o", str(out)).exit_code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<title>Mini &lt;report&gt; &amp; friends</title>" in page
    assert re.search(r"<mark>lived experience</mark>", page, re.IGNORECASE)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page), "the page must not fetch anything"
    assert page.count('<img src="data:image/png;base64,') == 4
    for anchor in re.findall(r'href="#([^"]+)"', page):
        assert f'id="{anchor}"' in page
    assert "## Methods" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_same_config_gives_identical_files_but_timings(run, full_report, tmp_path):
    first, _, config = full_report  # made with a cache
    second = tmp_path / "second"
    assert run("--quiet", "report", str(config), "-o", str(second), "--no-cache").exit_code == 0
    one, two = report_files(first), report_files(second)
    manifests = [json.loads(files.pop("manifest.json")) for files in (one, two)]
    assert one == two
    for manifest in manifests:
        manifest.pop("timings")
    assert manifests[0] == manifests[1]


def test_methods_section_says_what_ran(full_report):
    out, _, _ = full_report
    text = (out / "report.md").read_text(encoding="utf-8")
    methods = text.split("## Methods")[1].split("## Ingestion quality")[0]
    assert "5 documents" not in methods and "4 documents" in methods
    assert "Punkt" in methods and "English stop words" in methods
    assert "“lived experience”, “boundar\\*”" in methods and "seed 3" in methods  # * escaped: Markdown shows it as written
    assert "k = 2" in methods and "Dunning 1993" in methods


def test_failed_analysis_exits_1_and_the_rest_is_reported(run, mini_corpus, tmp_path):
    config = write_config(tmp_path, mini_corpus, CONFIG.replace("k: 2\n", "k: 40\n"))
    out = tmp_path / "out"
    result = run("report", str(config), "-o", str(out))
    assert result.exit_code == 1
    assert "topics: failed" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    topics = [a for a in manifest["analyses"] if a["id"] == "topics"][0]
    assert topics["status"] == "failed" and "--k 40" in topics["error"] and topics["files"] == []
    assert (out / "tables/kwic.csv").exists()
    assert "This analysis failed" in (out / "report.html").read_text()


def test_set_overrides_a_value_and_rerun_replaces_the_previous_report(run, mini_corpus, tmp_path):
    config = write_config(tmp_path, mini_corpus, SMALL)
    out = tmp_path / "out"
    assert run("report", str(config), "-o", str(out)).exit_code == 0
    assert run("report", str(config), "-o", str(out), "--set", "analyses.2.top=3").exit_code == 0
    assert len((out / "tables/freq.csv").read_text().strip().splitlines()) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "no staging folder left behind"


def test_output_folder_not_written_by_peercorpus_needs_force(run, mini_corpus, tmp_path):
    config = write_config(tmp_path, mini_corpus, SMALL)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    result = run("report", str(config), "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert (out / "notes.txt").read_text() == "my notes"
    assert run("report", str(config), "-o", str(out), "--force").exit_code == 0
    assert not (out / "notes.txt").exists() and (out / "report.html").exists()


def test_output_holding_the_corpus_or_config_is_refused_even_with_force(run, mini_corpus, tmp_path):
    (tmp_path / "cfg").mkdir()
    config = write_config(tmp_path / "cfg", mini_corpus)
    for target in (tmp_path, tmp_path / "cfg"):  # holds the corpus and the config; the config
        result = run("report", str(config), "-o", str(target), "--force")
        assert result.exit_code == 2 and "which replacing it would delete" in result.stderr
    assert config.exists() and (mini_corpus / "metadata.csv").exists()


def test_output_inside_the_corpus_is_refused(run, mini_corpus, tmp_path):
    result = run("report", str(write_config(tmp_path, mini_corpus)), "-o", str(mini_corpus / "report"))
    assert result.exit_code == 2 and "inside the corpus" in result.stderr


def test_default_output_is_the_configs_output_key(run, mini_corpus, tmp_path):
    config = write_config(tmp_path, mini_corpus, SMALL + "output: results/mini\n")
    assert run("report", str(config)).exit_code == 0
    assert (tmp_path / "results/mini/report.html").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (("    top: 10\n", "    topp: 10\n"), "report.yaml line 11: unknown key 'topp' (did you mean 'top'?) in analysis 'freq'"),
        (("    top: 10\n", "    top: ten\n"), "report.yaml line 11: 'top' must be a whole number; got 'ten'"),
        (("    by: genre\n", "    by: genr\n"), "report.yaml line 9: by names no metadata field 'genr'"),
        (("      - target: [genre=blog]\n", "      - target: [genre=blgo]\n"), "values present: article, blog, report"),
        (("  - name: info\n", "  - name: infos\n"), "report.yaml line 7: unknown analysis 'infos' (did you mean 'info'?)"),
        (("    context: sentence\n", "    context: page\n"), "report.yaml line 14: analysis 'kwic': context must be one of"),
        (("corpus: {corpus}\n", "corpus: nowhere/\n"), "report.yaml line 2: corpus path not found: nowhere/"),
        (("seed: 3\n", "sed: 3\n"), "report.yaml line 3: unknown key 'sed' (did you mean 'seed'?)"),
        (("  - name: collocates\n    node: peer\n", "  - name: collocates\n"), "analysis 'collocates' needs 'node'"),
        (("title: Mini", "title: [Mini"), "report.yaml line"),
        (("{terms: [\"boundar*\"], description", "{term: [\"boundar*\"], description"), "report.yaml line 38: theme 'boundaries': unknown key 'term'"),
        (("  - name: codebook\n", "  - name: codebook\n    codebook: missing.yaml\n  - name: codebook\n"),
         "report.yaml line 33: analysis 'codebook': codebook file not found"),
    ],
)
def test_bad_config_is_one_line_exit_2_and_writes_nothing(run, mini_corpus, tmp_path, change, message):
    config = write_config(tmp_path, mini_corpus, CONFIG.replace(*change))
    out = tmp_path / "out"
    result = run("report", str(config), "-o", str(out))
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "report.yaml"], "nothing may be written"


def test_sample_config_is_a_complete_report_config():
    from peercorpus.report.spec import read_report

    spec = read_report(Path(__file__).parents[2] / "configs" / "peer-support.yaml")
    names = {a.name for a in spec.analyses}
    assert {"info", "kwic", "keyness", "collocates", "topics", "codebook"} <= names
    queries = {q for a in spec.analyses if a.name == "kwic" for q in a.params.queries}
    assert {"lived experience", "boundar*", "recover"} <= queries
    # the --set example of README and `report --help`
    changed = read_report(Path(__file__).parents[2] / "configs" / "peer-support.yaml", overrides=["analyses.2.top=50"])
    assert (changed.analyses[2].name, changed.analyses[2].params.top) == ("freq", 50)


def test_a_crash_while_writing_keeps_the_previous_report_and_leaves_no_half_folder(run, mini_corpus, tmp_path, monkeypatch):
    import peercorpus.report.run as report_run
    from peercorpus.ingest.load import load_corpus
    from peercorpus.report.run import read_resources, write_report
    from peercorpus.report.spec import read_report

    config = write_config(tmp_path, mini_corpus, SMALL)
    out = tmp_path / "out"
    assert run("report", str(config), "-o", str(out)).exit_code == 0
    before = report_files(out)

    def crash(report):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_run, "report_markdown", crash)  # where the report writer looks it up
    spec = read_report(config)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(spec, load_corpus(list(spec.corpus), spec.config), out, resources=read_resources(spec))
    assert report_files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "out", "report.yaml"]


@pytest.mark.slow
def test_codebook_counts_in_the_report_match_the_code_command(run, full_report, tmp_path):
    out, mini_corpus, _ = full_report
    themes = {row["theme"]: row["hits"] for row in json.loads((out / "tables/codebook.json").read_text())}
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text('lived experience: ["lived experience"]\nrecovery: ["recover*"]\nboundaries: ["boundar*"]\n')
    direct = json.loads(run("code", str(mini_corpus), "--codebook", str(codebook), "--by", "genre", "-f", "json").stdout)
    assert themes == {row["theme"]: row["hits"] for row in direct["themes"]}
    assert json.loads((out / "tables/codebook-groups.json").read_text()) == direct["groups"]
    assert themes["recovery"] > 0 and themes["boundaries"] > 0


def test_help_shows_bracketed_defaults_written_in_option_help(run, monkeypatch):
    # rich reads "[default: ...]" in help text as markup and would drop it unescaped
    monkeypatch.setenv("COLUMNS", "200")
    text = run("report", "--help").stdout
    assert "[default: the config's 'output', or reports/CONFIG-NAME]" in text
    assert "[default: $PEERCORPUS_CACHE_DIR or ~/.cache/peercorpus]" in text


def test_freq_by_a_field_writes_the_side_by_side_table_and_a_tidy_one(tmp_path, mini_corpus, run):
    config = write_config(tmp_path, mini_corpus, "corpus: {corpus}\nanalyses:\n  - name: freq\n    by: genre\n    top: 3\n")

    result = run("report", str(config), "-o", str(tmp_path / "out"))

    assert result.exit_code == 0
    tables = tmp_path / "out" / "tables"
    assert (tables / "freq.csv").exists()
    tidy = (tables / "freq-long.csv").read_text(encoding="utf-8").splitlines()
    assert tidy[0] == "group,rank,term,count,per_million,range,range_share,dp"
    assert len(tidy) > 3 and all(line.split(",")[1] in {"1", "2", "3"} for line in tidy[1:])


def test_topics_batch_in_a_report_says_it_was_fitted_in_batches(run, mini_corpus, tmp_path):
    config = tmp_path / "batch.yaml"
    config.write_text(
        f"title: Batch\ncorpus: {mini_corpus}\nanalyses:\n  - name: topics\n    k: 2\n    unit: paragraph\n    min_df: 1\n    batch: true\n    plots: false\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run("report", str(config), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "MiniBatchNMF" in text.split("## Methods")[1] and "fitted in batches" in text
