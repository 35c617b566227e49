"""Cold ingest's shortcuts (issue 18: ingest speed) give what the long way gives."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

from peercorpus.config import load_config
from peercorpus.ingest.discover import discover
from peercorpus.ingest.shard import process_file
from peercorpus.ingest.shard_codec import compact_arrays
from peercorpus.ingest.store import decode_shard, encode_shard
from peercorpus.ingest.workers import process_encoded

SAMPLE = Path(__file__).parent.parent.parent / "corpora"

TEXTS = {
    "quotes.txt": 'She said "peer support" works.\n\nA second paragraph -- with ``quotes\'\' and café.  Done!\n',
    "abbrev.txt": "Dr. Smith met Mr. J. Jones at 3.5 p.m. on Jan. 3. They talked.\nU.K. e.g. etc. The end\n\n\n",
    "empty.txt": "   \n\n  \t\n",
    "punct.txt": "... !!! ??? --- ___ ''' \"\"\" ~~~\n",
    "numbers.txt": "In 2020-21 the score was 7-6; £5m, 3.5bn, 28th, 1980s.\r\nSup-\nport sup-\nport.\n",
}


def _files(tmp_path: Path) -> list[tuple[Path, Path]]:
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [(path, tmp_path) for path in sorted(tmp_path.iterdir())] + discover([SAMPLE]).files


def _same(one: tuple, other: tuple) -> None:
    (stored_a, vocab_a, derived_a), (stored_b, vocab_b, derived_b) = one, other
    assert vocab_a == vocab_b and derived_a == derived_b and list(stored_a) == list(stored_b)
    for name, array in stored_a.items():
        assert array.dtype == stored_b[name].dtype and np.array_equal(array, stored_b[name]), name


@pytest.mark.parametrize("tokenizer", ["default", "treebank", "whitespace"])
def test_what_process_file_knows_of_a_shard_encodes_it_as_checking_would(tmp_path, tokenizer):
    config = load_config(None, [f"tokenize.tokenizer={tokenizer}"])
    for path, root in _files(tmp_path):
        shard = process_file(path, root, config)
        assert "units" in shard.known and ("forms" in shard.known) == (tokenizer == "default")
        _same(compact_arrays(shard), compact_arrays(dataclasses.replace(shard, known=frozenset())))


def test_a_worker_result_pickles_to_what_it_was(tmp_path):
    config = load_config(None)
    for path, root in _files(tmp_path):
        result = process_encoded((path, root, "digest"), config)
        again = pickle.loads(pickle.dumps(result))
        assert again.encoded == result.encoded and again.notices == result.notices and again.source == result.source
        assert np.array_equal(again.line_keys, result.line_keys) and np.array_equal(again.doc_line_keys, result.doc_line_keys)
        shard, expected = again.decode(), decode_shard(result.encoded)
        assert shard.vocab == expected.vocab and shard.documents == expected.documents
        assert shard.text_blocks == expected.text_blocks
        for name, array in expected.arrays.items():
            got = shard.arrays[name]
            assert got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array), name


def test_a_form_with_a_nul_character_survives_pickling(tmp_path):
    (tmp_path / "nul.txt").write_bytes(b"x" * 9000 + b" peer \x00 support \x00\n")  # NUL after the binary check
    result = process_encoded((tmp_path / "nul.txt", tmp_path, "digest"), load_config(None))
    assert "\x00" in result.plain[1]
    again = pickle.loads(pickle.dumps(result)).decode()
    assert again.vocab == decode_shard(encode_shard(again)).vocab == result.plain[1]


# --- sections' faster reference check ---------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from peercorpus.ingest import sections  # noqa: E402

_REFERENCE_PIECES = [
    "et al", "doi", "doi:", "10.1234/x", "[PubMed]", "[DOI]", "12 (3):", "12(3),", "25:441", "pp. 3", "p.4",
    "Vol.", "vol. 2", "Smith, J.", "Smith J,", "Smith AB.", "2018", "1999a", "2020", "1899", "x2018", "20189",
    "Murphy R, Higgins A.", "(2002).", "_2018", "é2018", "2018é", "a", "A", "1", " ", ",", ".", ":", "(", ")",
    "\t", "-", "’", "'", "_", "\n", "É", "ß",
]


def _agree(line: str) -> None:
    assert sections._has_reference_sign(line) == bool(sections._REFERENCE_SIGNS.search(line)), line
    assert (sections._YEAR_FAST.search(line) is None) == (sections._YEAR.search(line) is None), line
    assert sections._has_doi(line) == bool(sections._DOI.search(line)), line


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_REFERENCE_PIECES), max_size=12).map("".join))
def test_the_fast_reference_searches_agree_with_the_patterns_on_made_up_lines(line):
    _agree(line)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_the_fast_reference_searches_agree_with_the_patterns_on_any_text(line):
    _agree(line)


def test_the_fast_reference_searches_agree_with_the_patterns_on_the_sample_corpus(tmp_path):
    tests = Path(__file__).parent.parent
    sources = [path for path, _root in _files(tmp_path)] + sorted(tests.rglob("*.py")) + sorted((tests / "data").rglob("*.txt"))
    lines = [line for path in sources for line in path.read_text(encoding="utf-8", errors="replace").split("\n")]
    lines += ["7. Murphy R, Higgins A. The complex terrain. J Psychiatr Ment Health Nurs. 2018;25:441-448.",
              "Zeileis A, Hothorn T (2002). Diagnostic checking. R News 2(3):7-10. doi:10.1000/xyz"]
    for line in lines:
        _agree(line)


# --- a file's name under its folder ---------------------------------------------------------

from peercorpus.io.base import relative_name  # noqa: E402


@pytest.mark.parametrize(
    "path, root",
    [("corpora/peer/a.txt", "corpora"), ("/abs/c/a.txt", "/abs"), ("/a.txt", "/"), ("a/b.txt", "."), ("a.txt", "a.txt"),
     ("a/../b/c.txt", "a"), ("x/y", "x/y"), ("/r/caf\udce9/a.txt", "/r"), ("ab/c.txt", "ab"), ("a b/c d.txt", "a b")],
)
def test_a_relative_name_is_what_pathlib_gives(path, root):
    path, root = Path(path), Path(root)
    assert relative_name(path, root) == (path.relative_to(root).as_posix() if path != root else path.name)


def test_a_path_outside_its_folder_is_refused_as_pathlib_refuses_it():
    for path, root in (("ab/c.txt", "a"), ("a/c.txt", "b")):
        with pytest.raises(ValueError):
            relative_name(Path(path), Path(root))


# --- word or punctuation: a default token's first character decides -----------------------

from peercorpus.ingest.shard import _ALPHANUMERIC  # noqa: E402
from peercorpus.ingest.tokenize import _default_words  # noqa: E402


def _first_character_agrees(text: str) -> None:
    for form in _default_words(text)[0]:
        assert form[0].isalnum() == bool(_ALPHANUMERIC.search(form)), form


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_a_default_token_holds_a_letter_or_digit_exactly_when_it_starts_with_one(text):
    _first_character_agrees(text)


def test_the_first_character_rule_on_the_sample_corpus(tmp_path):
    for path, _root in _files(tmp_path):
        _first_character_agrees(path.read_text(encoding="utf-8", errors="replace"))
    _first_character_agrees("_x_ __init__ 3.5bn 28th U.K. e.g. ²³ ½ Ⅻ ٣ x² 7-6 don't peer-led £5m … ‐‐ '’")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Share", "this", "page", " ", "  ", "\t", "3", "of", "12", "word" * 10, "a" * 130, "Menu:"]),
                max_size=40).map("".join))
def test_a_long_line_has_no_key_as_before(line):
    stripped = " ".join(line.split())
    if len(stripped) > sections.REPEATED_MAX_CHARS:
        assert sections.line_key(line) is None


def test_a_large_file_s_result_pickles_its_arrays_one_by_one_to_the_same_shard(tmp_path, monkeypatch):
    from peercorpus.ingest import workers

    monkeypatch.setattr(workers, "PACKED_BYTES", 0)
    for path, root in _files(tmp_path)[:6]:
        result = process_encoded((path, root, "digest"), load_config(None))
        state = result.__getstate__()
        assert state["packed"][2] is None  # no layout: the arrays themselves
        again = pickle.loads(pickle.dumps(result)).decode()
        expected = decode_shard(result.encoded)
        assert again.vocab == expected.vocab and again.documents == expected.documents
        for name, array in expected.arrays.items():
            assert again.arrays[name].dtype == array.dtype and np.array_equal(again.arrays[name], array), name
