"""The .qdpx writer streams (issue 18): the same bytes as the previous writer, which built the
whole tree in memory (kept in ``legacy_project.py``), on the sample corpus and generated
corpora; passages given as an iterator are read a document at a time."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import legacy_project
import pytest

from peercorpus import load_corpus
from peercorpus.analysis.kwic import find_hits
from peercorpus.errors import InputError
from peercorpus.qda import project as streamed
from peercorpus.qda.passages import kwic_passage_stream, kwic_passages

WORDS = "peer support worker recovery hope boundaries lived experience group the of and a".split()


def write_generated_corpus(folder: Path, *, documents: int = 40, seed: int = 3) -> Path:
    """Documents with CRLF and lone CR line ends, characters XML cannot hold, and metadata of
    every type a variable can have (some missing)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,genre,year,score,flag,date,note"]
    for number in range(documents):
        sentences = [" ".join(rng.choices(WORDS, k=rng.randint(4, 14))).capitalize() + "." for _ in range(rng.randint(1, 9))]
        end = rng.choice(["\n", "\r\n", "\r", "\n\n"])
        text = end.join(sentences) + end
        if number % 7 == 3:
            text = text.replace("hope", "ho\x01pe", 1)
        (folder / f"d{number:03d}.txt").write_text(text, encoding="utf-8", newline="")
        year = "" if number % 5 == 0 else str(2000 + number % 4)
        score = "" if number % 6 == 0 else f"{rng.random():.3f}"
        flag = rng.choice(["true", "false"])
        date = f"2021-0{1 + number % 9}-1{number % 10}"
        note = rng.choice(["", "a, quoted \"note\"", "plain", "x\x02y"])
        rows.append(f'd{number:03d}.txt,{rng.choice(["blog", "news", "forum"])},{year},{score},{flag},{date},"{note.replace(chr(34), chr(34) * 2)}"')
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def generated_folder(tmp_path_factory) -> Path:
    return write_generated_corpus(tmp_path_factory.mktemp("generated") / "corpus")


@pytest.fixture(scope="module")
def generated(generated_folder, tmp_path_factory):
    return load_corpus([generated_folder], cache_dir=tmp_path_factory.mktemp("generated-cache"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from conftest import SAMPLE

    return load_corpus([SAMPLE], cache_dir=tmp_path_factory.mktemp("sample-cache"))


def both(corpus, codes, passages, **options) -> tuple[bytes, bytes]:
    return legacy_project.project_bytes(corpus, codes, list(passages), **options), streamed.project_bytes(corpus, codes, list(passages), **options)


@pytest.mark.parametrize("case_field", [None, "genre", "year", "flag"])
@pytest.mark.parametrize("unit", ["match", "sentence", "paragraph"])
def test_generated_corpus_same_bytes_as_the_whole_tree(generated, unit, case_field):
    queries = ["peer", "lived experience", "ho*"]
    codes, passages = kwic_passages(generated, find_hits(generated, queries), queries, unit=unit)
    old, new = both(generated, codes, passages, name="peercorpus kwic", description="every hit", case_field=case_field)
    assert new == old


def test_sample_corpus_same_bytes_as_the_whole_tree(sample):
    queries = ["peer", "recover*", "lived experience"]
    codes, passages = kwic_passages(sample, find_hits(sample, queries), queries, unit="sentence")
    old, new = both(sample, codes, passages, name="Peer support", description="kwic")
    assert new == old
    old, new = both(sample, codes, passages, name="Peer support", case_field="genre")
    assert new == old


def test_codebook_passages_same_bytes(sample):
    from peercorpus.analysis.codebook import load_codebook
    from peercorpus.analysis.coding import code_corpus
    from peercorpus.qda.passages import coding_passages

    book = load_codebook(Path(__file__).parents[2] / "configs" / "peer-support-codebook.yaml")
    codes, passages, _ = coding_passages(sample, book, code_corpus(sample, book).extracts, unit="paragraph")
    old, new = both(sample, codes, passages, name=book.title or "codebook", description="coding")
    assert new == old


def test_no_passages_and_no_codes_and_a_subset(generated):
    assert both(generated, [], [], name="empty")[0] == both(generated, [], [], name="empty")[1]
    codes, passages = kwic_passages(generated, find_hits(generated, ["peer"]), ["peer"], unit="match")
    part, kept = streamed.restrict(generated, passages, [2, 5, 9])
    assert kept and all(p.doc in (0, 1, 2) for p in kept)
    old, new = both(part, codes, kept, name="part", case_field="genre")
    assert new == old


def test_written_file_is_the_same_bytes_and_a_pipe_gets_them_too(generated, tmp_path):
    codes, passages = kwic_passages(generated, find_hits(generated, ["peer"]), ["peer"], unit="sentence")
    target = tmp_path / "p.qdpx"
    count = streamed.write_qdpx(target, generated, codes, iter(sorted(passages, key=lambda p: p.doc)), name="p")
    assert target.read_bytes() == legacy_project.project_bytes(generated, codes, passages, name="p")
    assert count == len(set(passages))
    assert [p.name for p in tmp_path.iterdir()] == ["p.qdpx"]  # no temporary left beside it
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        assert archive.testzip() is None


def test_iterator_of_passages_is_read_a_document_at_a_time(generated, monkeypatch):
    """The writer takes a document's passages when it writes that document's source, not
    before: a kwic's passages need not all be held."""
    queries = ["peer", "the"]
    codes, stream = kwic_passage_stream(generated, find_hits(generated, queries), queries, unit="sentence")
    pulled = []

    def counting():
        for passage in stream:
            pulled.append(passage.doc)
            yield passage

    ahead = []
    pieces = streamed._source_pieces

    def watched(corpus, groups, *args):
        for number, piece in enumerate(pieces(corpus, groups, *args)):
            ahead.append(len({doc for doc in pulled if doc > number}))  # documents read ahead
            yield piece

    monkeypatch.setattr(streamed, "_source_pieces", watched)
    data = streamed.project_bytes(generated, codes, counting(), name="kwic")
    assert len(ahead) == len(generated) and max(ahead) <= 2  # the next group, and one passage past it
    assert len(pulled) > len(generated)
    codes, passages = kwic_passages(generated, find_hits(generated, queries), queries, unit="sentence")
    assert data == legacy_project.project_bytes(generated, codes, passages, name="kwic")


def test_passage_iterator_out_of_document_order_is_refused(generated):
    codes = [streamed.QdaCode("a", "a")]
    passages = iter([streamed.Passage(3, 0, 4, "a"), streamed.Passage(1, 0, 4, "a")])
    with pytest.raises(ValueError, match="document order"):
        streamed.project_bytes(generated, codes, passages, name="x")


def test_an_invalid_project_is_one_input_error(generated, monkeypatch):
    """Validation still happens, as the bytes are written: a code colour the schema refuses."""
    codes = [streamed.QdaCode("a", "a", color="not a colour")]
    with pytest.raises(InputError, match="not a valid REFI-QDA project"):
        streamed.project_bytes(generated, codes, [], name="x")


@pytest.mark.parametrize("options", [[], ["--sort", "R1", "--limit", "25"], ["--where", "genre=blog", "--case", "year"], ["-f", "csv", "--unit", "paragraph"]])
def test_kwic_qdpx_command_same_bytes_in_tiny_chunks(run, tmp_path, monkeypatch, generated_folder, generated, options):
    """``kwic --qdpx`` (hits found a chunk at a time, lines written in batches, passages
    streamed into the project) writes the project the whole-tree writer wrote for the same hits.
    The command reads the corpus into its own empty cache; the reference is the module's."""
    from peercorpus.analysis import kwic as kwic_module
    from peercorpus.analysis.kwic import order_hits
    from peercorpus.core import chunks

    folder, corpus = generated_folder, generated
    queries = ["peer", "the"]
    unit = options[options.index("--unit") + 1] if "--unit" in options else "sentence"
    view = corpus.where(["genre=blog"]) if "--where" in options else corpus
    hits = order_hits(view, find_hits(view, queries), sort=["R1"] if "--sort" in options else None, limit=25 if "--limit" in options else None)
    codes, passages = kwic_passages(view, hits, queries, unit=unit)
    target_corpus = corpus
    if "--where" in options:
        target_corpus, passages = streamed.restrict(corpus, passages, view.within()[1])
    expected = legacy_project.project_bytes(
        target_corpus, codes, passages, name="peercorpus kwic: peer, the", case_field="year" if "--case" in options else None,
        description=f"Concordance by peercorpus: every hit of peer, the coded as its {unit}, one code per query.",
    )
    monkeypatch.setenv(chunks.CHUNK_TOKENS_ENV, "80")
    monkeypatch.setattr(kwic_module, "LINE_BATCH", 4)
    target = tmp_path / "kwic.qdpx"
    result = run("kwic", str(folder), *queries, "--qdpx", str(target), *options)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == expected


def test_the_validating_parser_lets_cases_and_sources_go(generated, monkeypatch):
    """The schema check reads the project as it is written and keeps at most the last case
    and source it parsed, not the document."""
    left = []
    close = streamed._CheckedWriter.close

    def watched(self):
        root = close(self)
        left.extend(len(holder) for holder in root if holder.tag.endswith(("}Cases", "}Sources")))
        return root

    monkeypatch.setattr(streamed._CheckedWriter, "close", watched)
    codes, passages = kwic_passages(generated, find_hits(generated, ["peer"]), ["peer"], unit="sentence")
    streamed.project_bytes(generated, codes, passages, name="x")
    assert len(generated) == 40 and left == [1, 1]
