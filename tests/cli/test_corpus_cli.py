"""The ingest and info commands, driven through the CLI as a user would."""

import io
import json

import pytest

from conftest import heavy_imports_of_warm_command
from peercorpus.cli.lazy import COMMAND_MODULES


def test_ingest_then_info_json(run, mini_corpus):
    first = run("ingest", str(mini_corpus))
    assert first.exit_code == 0 and "4 documents" in first.stdout and "4 files tokenised" in first.stdout
    second = run("ingest", str(mini_corpus))
    assert "unchanged, from cache" in second.stdout
    result = run("info", str(mini_corpus), "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["totals"]["documents"] == 4
    blog = payload["documents"][1]
    assert blog["doc"] == "blog-one.txt" and blog["genre"] == "blog" and blog["year"] == 2021
    assert {"tokens", "types", "sentences", "encoding", "warnings", "cleaned"} <= set(blog)


def test_info_csv_output_file_and_where(run, mini_corpus, tmp_path):
    out = tmp_path / "docs.csv"
    result = run("info", str(mini_corpus), "--where", "genre=blog", "-o", str(out))
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("doc,genre,year,tokens") and len(lines) == 3


def test_info_on_sample_corpus_flags_the_pdf_layout_text(run, sample_corpus):
    payload = json.loads(run("info", str(sample_corpus), "-f", "json").stdout)
    assert payload["totals"]["documents"] == 5
    flagged = {d["doc"] for d in payload["documents"] if "hard-wrapped" in d["warnings"]}
    assert flagged == {"peer-support/new-ways-of-working-research-summary.txt"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["info", "does-not-exist"], "path not found: does-not-exist"),
        (["info", "{corpus}", "--where", "genre=blgo"], "values present: article, blog, report"),
        (["info", "{corpus}", "--format", "xml"], "--format must be one of"),
        (["info", "{corpus}", "--config", "missing.yaml"], "config file not found"),
        (["info", "{corpus}", "-o", "{corpus}/out.csv"], "inside the corpus folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, mini_corpus, args, message):
    result = run(*[a.replace("{corpus}", str(mini_corpus)) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_malformed_metadata_names_file_and_line(run, mini_corpus):
    (mini_corpus / "metadata.csv").write_text("file,genre\nblog-one.txt,blog,extra\n")
    result = run("info", str(mini_corpus))
    assert result.exit_code == 2 and "metadata.csv line 2" in result.stderr


def test_metadata_duplicate_row_is_one_line_exit_2_and_a_missing_file_a_warning(run, mini_corpus):
    sidecar = mini_corpus / "metadata.csv"
    original = sidecar.read_text()
    sidecar.write_text(original + "ghost.txt,blog,2020\n")
    result = run("info", str(mini_corpus))
    assert result.exit_code == 0 and f"warning: {sidecar}: 1 file named but not found: ghost.txt" in result.stderr
    sidecar.write_text(original + "blog-one.txt,news,2020\n")
    result = run("info", str(mini_corpus))
    assert result.exit_code == 2 and "metadata.csv line 6: blog-one.txt already has a row (line 2)" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_folder_of_only_broken_files_is_a_clear_error(run, tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"junk")
    (tmp_path / "b.txt").write_bytes(b"")
    result = run("info", str(tmp_path))
    assert result.exit_code == 2 and "no readable documents" in result.stderr


def test_every_command_has_help_with_an_example(run):
    import typer.main

    from peercorpus.cli import app

    group = typer.main.get_command(app)
    for name in group.list_commands(None):
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.stdout, f"{name} --help has no example"
        assert "--install-completion" not in result.stdout, f"{name} --help offers shell completion"


def test_help_paragraphs_flow_to_the_terminal_width(run, monkeypatch):
    """A command's help is a docstring cut at ~100 characters; Typer keeps its line breaks, which
    at 80 columns left a word or two alone on a line ("(recover*," then "peer?, ...")."""
    import typer.main

    from peercorpus.cli import app

    group = typer.main.get_command(app)
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        for sub in [command, *getattr(command, "commands", {}).values()]:
            assert all("\n" not in paragraph for paragraph in (sub.help or "").split("\n\n") if not paragraph.startswith("\b")), name
    monkeypatch.setenv("COLUMNS", "80")
    lines = run("kwic", "--help").stdout.splitlines()
    assert any("(recover*, peer?, *ism)" in line for line in lines)


def test_lazy_command_list_names_each_module_commands_in_order():
    """cli/lazy.py lists which module defines each command: it must match what they define."""
    import importlib

    import typer.main

    defined = {}
    for module_name in dict.fromkeys(COMMAND_MODULES.values()):
        app = importlib.import_module(f"peercorpus.cli.{module_name}").app
        built = typer.main.get_command(app)
        for name in getattr(built, "commands", {built.name: built}):
            defined[name] = module_name
    assert defined == COMMAND_MODULES
    assert list(COMMAND_MODULES) == sorted(COMMAND_MODULES, key=list(defined).index)


def test_a_command_imports_only_its_own_module(mini_corpus, tmp_path):
    others = tuple(f"peercorpus.cli.{m}" for m in dict.fromkeys(COMMAND_MODULES.values()) if m != "kwic_commands")
    imported = heavy_imports_of_warm_command(mini_corpus, tmp_path / "cache", "kwic", str(mini_corpus), "peer", modules=others)
    assert not any(imported), dict(zip(others, imported))


def test_unknown_command_suggests_the_nearest(run):
    result = run("kwc", "corpora")
    assert result.exit_code == 2 and "Did you mean 'kwic'" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "json", "table"])
def test_info_without_pandas_writes_what_the_dataframe_writes(run, mini_corpus, fmt):
    """info writes plain rows itself (a warm info does not import pandas); the bytes must be
    those of the DataFrame path, also for a whole-number field with a gap (year)."""
    from rich.console import Console

    from peercorpus import load_corpus
    from peercorpus.analysis.info import document_table
    from peercorpus.render.export import frame_records, frame_to_text
    from peercorpus.render.table import print_table

    result = run("info", str(mini_corpus), "-f", fmt, *(["--long"] if fmt == "table" else []))
    table = document_table(load_corpus(mini_corpus))
    if fmt == "json":
        assert json.loads(result.stdout)["documents"] == frame_records(table)
    elif fmt == "table":
        console = Console(record=True, width=200, soft_wrap=False, file=io.StringIO())
        print_table(table, title="Documents", console=console)
        assert result.stdout == console.export_text()
    else:
        assert result.stdout == frame_to_text(table, fmt, title="Documents")


def test_warm_info_does_not_import_pandas(sample_corpus, warm_sample_cache):
    args = ("info", str(sample_corpus), "-f", "csv")
    assert heavy_imports_of_warm_command(sample_corpus, warm_sample_cache, *args, modules=("pandas", "nltk")) == (False, False)


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_silences_library_warnings_too(sample_corpus, where):
    import subprocess
    import sys

    argv = ["-q", "freq", str(sample_corpus), "--top", "1", "-f", "csv"] if where == "before" else ["freq", str(sample_corpus), "--top", "1", "-f", "csv", "-q"]
    probe = (
        "import sys, warnings\nimport peercorpus.analysis.frequency as f\nfrom peercorpus.cli import app\n"
        "original = f.frequency\n"
        "def noisy(*a, **k):\n    warnings.warn('a notice from a library', UserWarning)\n    return original(*a, **k)\n"
        f"f.frequency = noisy\ntry:\n    app({argv!r}, prog_name='peercorpus')\nexcept SystemExit:\n    pass\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert "a notice from a library" not in result.stderr and result.stdout.startswith("rank,term")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "json"])
@pytest.mark.parametrize("where", [[], ["--where", "genre!=news"]])
def test_info_writes_its_table_a_batch_of_documents_at_a_time(run, sample_corpus, monkeypatch, fmt, where):
    """``info -f csv/tsv/md/json`` decodes a document at a time and lets it go (memory flat in
    the number of documents): the same bytes as the rows written at once."""
    from peercorpus.analysis import info as info_module
    from peercorpus.core.corpus import Corpus
    from peercorpus.ingest.load import load_corpus
    from peercorpus.render.export import dumps_json, records_to_text

    corpus = load_corpus(sample_corpus)
    fields = corpus.fields()
    narrowed = corpus.where(where[1:]) if where else corpus
    columns, rows = info_module.document_rows(narrowed, fields)
    if fmt == "json":
        expected = dumps_json({"documents": rows, "totals": info_module.corpus_totals(narrowed), "skipped": []})
    else:
        expected = records_to_text(rows, columns, fmt, title="Documents")
    monkeypatch.setattr(info_module.document_row_batches, "__defaults__", (2,))  # batches of two documents
    held = []
    monkeypatch.setattr(Corpus, "documents", property(lambda self: held.append(1) or []))  # decoding them all would show here
    result = run("info", str(sample_corpus), "-f", fmt, *where)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected and held == []


@pytest.mark.parametrize("command", [["info"], ["info", "--long"], ["stats"]])
def test_a_table_of_every_document_on_the_terminal_shows_the_first_and_says_how_many_more(run, mini_corpus, monkeypatch, command):
    """The terminal lays a table out whole: past ``TERMINAL_ROWS`` documents (890,000 took 7.7 GB
    and six minutes) it shows the first ones and says where the rest are; a file holds them all."""
    from peercorpus.render import export

    monkeypatch.setattr(export, "TERMINAL_ROWS", 2)  # the one setting every such table reads
    monkeypatch.setenv("COLUMNS", "200")
    shown = run(*command, str(mini_corpus))
    assert shown.exit_code == 0, shown.output
    assert "article.txt" in shown.output and "blog-one.txt" in shown.output
    assert "blog-two.txt" not in shown.output and "report.txt" not in shown.output
    assert "… 2 more rows (--format csv -o FILE writes every row)" in shown.output
    written = run(*command, str(mini_corpus), "--format", "csv")
    assert all(name in written.output for name in ("article.txt", "blog-two.txt", "report.txt")) and "more rows" not in written.output
