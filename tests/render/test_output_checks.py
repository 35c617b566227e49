"""Files the commands write: permissions, refusing to overwrite inputs, checks before any work."""

from __future__ import annotations

import os
import stat

import pytest


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _modes(folder):
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}


def test_output_files_get_the_umask_mode(run, mini_corpus, tmp_path, umask_022):
    out = tmp_path / "out"
    commands = [
        ("info", str(mini_corpus), "-f", "csv", "-o", str(out / "documents.csv")),
        ("freq", str(mini_corpus), "-o", str(out / "freq.csv")),
        ("kwic", str(mini_corpus), "peer", "-o", str(out / "kwic.json")),
        ("code", str(mini_corpus), "-b", str(tmp_path / "cb.yaml"), "-o", str(out / "coding")),
        ("dispersion", str(mini_corpus), "peer", "--plot", str(out / "dispersion.png")),
        ("keyness", str(mini_corpus), "--target", "genre=blog", "--min-count", "1", "--plot", str(out / "keyness.svg")),
    ]
    (tmp_path / "cb.yaml").write_text("themes:\n  peers: [peer*]\n")
    (out / "freq.csv").parent.mkdir()
    (out / "freq.csv").write_text("an old file, replaced\n")
    (out / "freq.csv").chmod(0o600)
    for command in commands:
        result = run(*command)
        assert result.exit_code == 0, (command, result.stderr)
    modes = _modes(out)
    assert len(modes) >= 9 and set(modes.values()) == {0o644}, modes


def test_report_files_all_get_the_umask_mode(run, mini_corpus, tmp_path, umask_022):
    config = tmp_path / "report.yaml"
    config.write_text(f"corpus: {mini_corpus}\nanalyses:\n  - name: info\n  - name: dispersion\n    terms: [peer]\n")
    result = run("report", str(config), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    modes = _modes(tmp_path / "out")
    assert "plots/dispersion.png" in modes and set(modes.values()) == {0o644}, modes


def _refused(result, message):
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["freq", "{corpus}", "-c", "{tmp}/settings.yaml", "-f", "csv", "-o", "{tmp}/settings.yaml"], "--output {tmp}/settings.yaml is the --config"),
        (["code", "{corpus}", "-b", "{tmp}/cb.yaml", "-f", "csv", "-o", "{tmp}/cb.yaml"], "is the --codebook"),
        (["keyness", "{corpus}", "--reference-list", "{tmp}/ref.csv", "-o", "{tmp}/ref.csv"], "is the --reference-list"),
        (["keyness", "{corpus}", "--reference-corpus", "{tmp}/other", "-o", "{tmp}/other/k.csv"], "is inside the --reference-corpus"),
        (["collocations", "{corpus}", "-c", "{tmp}/settings.yaml", "--save-compounds", "{tmp}/settings.yaml"], "--save-compounds"),
        (["topics", "{corpus}", "--labels", "{tmp}/ref.csv", "--write-labels", "{tmp}/new.csv", "-o", "{tmp}"], "holds the --labels"),
        (["kwic", "{corpus}/article.txt", "peer", "-f", "csv", "-o", "{corpus}/article.txt"], "is the corpus file"),
        (["freq", "{corpus}", "-o", "{tmp}/freq.yaml"], "cannot tell the format from '.yaml'; use a suffix .csv, .tsv"),
        (["keyness", "{corpus}", "--target", "genre=blog", "-o", "{tmp}/k.csv", "--plot", "{tmp}/k.pdf"], "--plot {tmp}/k.pdf: plots are written as .png or .svg"),
        (["dispersion", "{corpus}", "peer", "--plot", "{tmp}/d.jpg"], "plots are written as .png or .svg"),
        (["dispersion", "{corpus}", "peer", "--plot", "{corpus}/d.png"], "--plot {corpus}/d.png is inside the corpus folder"),
        (["topics", "{corpus}", "--k", "2", "-o", "{tmp}/ref.csv"], "--output {tmp}/ref.csv is a file"),
        (["code", "{corpus}", "-b", "{tmp}/cb.yaml", "-o", "{tmp}/ref"], "--output {tmp}/ref is a file"),
    ],
)
def test_outputs_are_checked_before_any_work(run, mini_corpus, tmp_path, args, message):
    work = tmp_path / "work"
    (work / "other").mkdir(parents=True)
    (work / "other" / "a.txt").write_text("Another text about peers.\n")
    (work / "settings.yaml").write_text("tokenize:\n  lowercase: true\n")
    (work / "cb.yaml").write_text("themes:\n  peers: [peer*]\n")
    (work / "ref.csv").write_text("word,count\npeer,10\n")
    (work / "ref").write_text("a file without a suffix\n")
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    fill = {"{corpus}": str(mini_corpus), "{tmp}": str(work)}
    expand = [a.replace("{corpus}", fill["{corpus}"]).replace("{tmp}", fill["{tmp}"]) for a in args]
    _refused(run(*expand), message.replace("{tmp}", str(work)).replace("{corpus}", str(mini_corpus)))
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == before, "nothing may be written"


def test_any_file_name_is_fine_with_an_explicit_format(run, mini_corpus, tmp_path):
    result = run("freq", str(mini_corpus), "-f", "tsv", "-o", str(tmp_path / "freq.txt"))
    assert result.exit_code == 0 and (tmp_path / "freq.txt").read_text().startswith("rank\tterm")


def test_report_names_the_config_output_key(run, mini_corpus, tmp_path):
    config = tmp_path / "report.yaml"
    config.write_text(f"corpus: {mini_corpus}\noutput: {mini_corpus}/report\nanalyses:\n  - name: info\n")
    _refused(run("report", str(config)), "report.yaml line 2: output")


def test_report_refuses_a_folder_holding_its_codebook(run, mini_corpus, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "cb.yaml").write_text("themes:\n  peers: [peer*]\n")
    config = tmp_path / "report.yaml"
    config.write_text(f"corpus: {mini_corpus}\nanalyses:\n  - name: codebook\n    codebook: out/cb.yaml\n")
    _refused(run("report", str(config), "-o", str(tmp_path / "out"), "--force"), "which replacing it would delete")
    assert (tmp_path / "out" / "cb.yaml").exists()


def test_infinite_values_are_empty_cells_in_every_text_format():
    import pandas as pd

    from peercorpus.render.export import frame_to_text

    frame = pd.DataFrame({"term": ["a", "b", "c"], "pct_diff": [float("inf"), float("-inf"), 12.5]})
    assert frame_to_text(frame, "csv") == "term,pct_diff\na,\nb,\nc,12.5\n"
    assert frame_to_text(frame, "tsv") == "term\tpct_diff\na\t\nb\t\nc\t12.5\n"
    assert "| a |  |" in frame_to_text(frame, "md")
    assert '"pct_diff": null' in frame_to_text(frame, "json")


def test_keyness_csv_writes_no_inf(run, mini_corpus):
    result = run("keyness", str(mini_corpus), "--target", "genre=blog", "--min-count", "1", "--alpha", "1", "-f", "csv")
    assert result.exit_code == 0 and "inf" not in result.stdout
    import csv
    import io

    absent = [row for row in csv.DictReader(io.StringIO(result.stdout)) if row["reference_count"] == "0"]
    assert absent and all(row["pct_diff"] == "" for row in absent)
