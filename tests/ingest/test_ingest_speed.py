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
