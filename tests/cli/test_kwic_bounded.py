"""kwic writes every format a batch of lines at a time (issue 18): ``--show`` fields in csv,
tsv and md typed as the whole table would type them, the terminal table in two passes. Each
output is compared with the previous way, every line at once (``concordance_table`` +
``frame_to_text``, and the printer kept below), with tiny chunks and batches."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pandas as pd
import pytest

from peercorpus import load_corpus
from peercorpus.analysis import kwic as kwic_module
from peercorpus.analysis.kwic import LINE_COLUMNS, concordance_rows, find_hits, order_hits
from peercorpus.cli import kwic_commands
from peercorpus.core import chunks
from peercorpus.render import concordance as concordance_module
from peercorpus.render.concordance import concordance_table
from peercorpus.render.export import frame_to_text

WORDS = "peer support worker recovery hope boundaries lived experience group the of and a".split()


def write_typed_corpus(folder: Path, *, documents: int = 30, seed: int = 5) -> Path:
    """Documents whose YAML metadata has every type pandas tells apart: whole numbers with
    gaps (float64 when a line's document has none), floats (md's one format per column, tiny
    ones in scientific notation), numbers mixed with text (object)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for number in range(documents):
        words = rng.choices(WORDS, k=rng.randint(5, 60))
        if number % 4 == 0:
            words = [w for w in words if w != "hope"]
        (folder / f"t{number:02d}.txt").write_text(" ".join(words).capitalize() + ".\n", encoding="utf-8")
        entry = [f"- file: t{number:02d}.txt", f"  genre: {rng.choice(['blog', 'news'])}"]
        if number % 4:
            entry.append(f"  year: {2000 + number}")  # none where "hope" is missing
        if number % 3:
            entry.append(f"  score: {rng.choice([0.5, 12.25, 3.0, 0.0625, 100.5])}")
        entry.append(f"  p: {rng.choice([0.0001, 2.5e-06, 0.2, 0.04])}")
        entry.append(f"  mixed: {rng.choice(['7', 'seven', '8.5'])}")
        entries.append("\n".join(entry))
    (folder / "metadata.yaml").write_text("\n".join(entries) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def typed_corpus(tmp_path):
    return write_typed_corpus(tmp_path / "typed")


def legacy_print_concordance(lines, show, *, width=60, console):
    """``render.concordance.print_concordance`` before issue 18: every line held at once."""
    from rich.cells import cell_len

    from peercorpus.render.concordance import _fit, _line_rows, _printable

    show = show or []
    rows = list(_line_rows(lines))
    docs = [_printable(f"{row.doc}:{row.start}") for row in rows]
    extras = [[_printable("" if row.meta.get(f) is None else str(row.meta.get(f))) for f in show] for row in rows]
    lefts = [_printable(row.left) for row in rows]
    matches = [_printable(row.match) for row in rows]
    rights = [_printable(row.right) for row in rows]

    def widest(cells, header):
        return max([cell_len(header), *map(cell_len, cells)])

    doc_width = min(40, widest(docs, "doc"))
    extra_widths = [widest([extra[i] for extra in extras], f) for i, f in enumerate(show)]
    match_width = widest(matches, "match")
    fixed = doc_width + sum(extra_widths) + match_width + 2 * (3 + len(show))
    side = max(10, min(width, (console.width - fixed) // 2))
    left_width, right_width = min(side, widest(lefts, "left")), min(side, widest(rights, "right"))

    def line(doc, extra, left, match, right):
        cells = [_fit(doc, doc_width), *(_fit(e, w) for e, w in zip(extra, extra_widths)), _fit(left, left_width, from_left=True)]
        cells += [_fit(match, match_width), _fit(right, right_width)]
        return "  ".join(cells).rstrip()

    out = [line("doc", show, "left", "match", "right")]
    out += [line(*cells) for cells in zip(docs, extras, lefts, matches, rights)]
    console.file.write("\n".join(out) + "\n")


def previous_output(path: Path, queries, fields, fmt, *, sort=None, limit=None, width=120) -> str:
    """What kwic wrote before: all the lines at once."""
    corpus = load_corpus([path])
    hits = order_hits(corpus, find_hits(corpus, queries), sort=sort, limit=limit)
    rows = concordance_rows(corpus, hits, queries)
    if fmt == "table":
        from rich.console import Console

        console = Console(file=io.StringIO(), width=width, soft_wrap=False)
        legacy_print_concordance(rows, fields, console=console)
        return console.file.getvalue()
    return frame_to_text(concordance_table(pd.DataFrame(rows, columns=LINE_COLUMNS), fields), fmt)


def tiny(monkeypatch):
    """Chunks of a few documents, batches of three lines, nothing held for the terminal."""
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "60")
    monkeypatch.setattr(kwic_module, "LINE_BATCH", 3)
    monkeypatch.setattr(kwic_commands, "LINE_BATCH_HELD", 2)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md"])
@pytest.mark.parametrize("queries,fields", [(["hope"], "year,score,p,mixed,genre"), (["peer", "the"], "year,score,p"), (["recovery"], "mixed,year")])
def test_show_fields_stream_with_the_bytes_of_the_whole_table(run, typed_corpus, monkeypatch, fmt, queries, fields):
    expected = previous_output(typed_corpus, queries, fields.split(","), fmt)
    tiny(monkeypatch)
    result = run("kwic", str(typed_corpus), *queries, "--show", fields, "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def test_show_fields_when_sorted_limited_and_on_the_sample_corpus(run, sample_corpus, typed_corpus, monkeypatch, tmp_path):
    expected = {
        "sorted": previous_output(typed_corpus, ["the"], ["year", "score"], "md", sort=["R1"], limit=20),
        "sample": previous_output(sample_corpus, ["peer", "recover*"], ["year", "genre", "title"], "csv"),
    }
    tiny(monkeypatch)
    sorted_run = run("kwic", str(typed_corpus), "the", "--show", "year,score", "--sort", "R1", "--limit", "20", "-f", "md")
    assert sorted_run.stdout == expected["sorted"]
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "3000")
    out = tmp_path / "lines.csv"
    sample_run = run("kwic", str(sample_corpus), "peer", "recover*", "--show", "year,genre,title", "-o", str(out))
    assert sample_run.exit_code == 0, sample_run.stderr
    assert out.read_text(encoding="utf-8") == expected["sample"]


def test_show_lines_are_not_all_held(run, typed_corpus, monkeypatch):
    """The writer gets batches of at most LINE_BATCH lines, and only a few are alive at once."""
    tiny(monkeypatch)
    sizes = []
    add = concordance_module.ConcordanceWriter.add

    def watched(self, rows):
        sizes.append(len(rows))
        add(self, rows)

    monkeypatch.setattr(concordance_module.ConcordanceWriter, "add", watched)
    result = run("kwic", str(typed_corpus), "the", "--show", "year,score", "-f", "csv")
    assert result.exit_code == 0
    assert len(sizes) > 5 and max(sizes) <= 3 and sum(sizes) == result.stdout.count("\n") - 1


@pytest.mark.parametrize("queries,fields", [(["the"], []), (["hope", "peer"], ["year", "mixed"])])
def test_terminal_table_in_two_passes_is_the_same_text(run, typed_corpus, monkeypatch, queries, fields):
    monkeypatch.setenv("COLUMNS", "120")
    expected = previous_output(typed_corpus, queries, fields, "table")
    show = ["--show", ",".join(fields)] if fields else []
    small = run("kwic", str(typed_corpus), *queries, *show)  # one batch: held and printed once
    assert small.stdout == expected
    tiny(monkeypatch)
    written = []
    write = concordance_module.ConcordanceLayout.write
    monkeypatch.setattr(concordance_module.ConcordanceLayout, "write", lambda self, rows: (written.append(len(rows)), write(self, rows)))
    big = run("kwic", str(typed_corpus), *queries, *show)
    assert big.stdout == expected
    assert len(written) > 3 and max(written) <= 3  # lines cut again for the second pass, never all held


def test_terminal_table_with_no_hits_is_the_header(run, typed_corpus, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    result = run("kwic", str(typed_corpus), "zebra")
    assert result.exit_code == 0
    assert result.stdout == previous_output(typed_corpus, ["zebra"], [], "table")
