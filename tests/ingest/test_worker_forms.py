"""Forms numbered once per worker process (issue 18: the assembling process maps a shard's
vocabulary with an array look-up): read back as sent, in any numbering epoch, and a corpus
assembled from numbered forms is the corpus one process makes, byte for byte."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus import load_corpus
from peercorpus.ingest import worker_forms
from peercorpus.ingest.assemble import given_by_first_tokens
from peercorpus.ingest.worker_forms import ReceivedForms, SentForms, WorkerVocab


def _vocabularies(count: int, seed: int = 3) -> list[list[str]]:
    rng = random.Random(seed)
    forms = [f"form{n}" for n in range(300)] + ["with\0nul", "Σ", "don’t", ""]
    return [list(dict.fromkeys(rng.sample(forms, rng.randint(0, 40)))) for _ in range(count)]


def test_forms_sent_as_numbers_read_back_as_sent_across_epochs():
    sent, received = SentForms(worker=11, limit=50), ReceivedForms()
    vocabularies = _vocabularies(200)
    deltas = [sent.number(vocab) for vocab in vocabularies]
    assert sent.epoch > 2  # the numbering started again several times
    resolved = [received.resolve(pickle.loads(pickle.dumps(delta))) for delta in deltas]  # as a pipe gives them
    assert [list(vocab) for vocab in resolved] == vocabularies
    assert all(isinstance(vocab, WorkerVocab) and len(vocab) == len(forms) for vocab, forms in zip(resolved, vocabularies))
    assert resolved[5][1:3] == vocabularies[5][1:3] and resolved[5] == vocabularies[5]


def test_a_form_listed_twice_is_numbered_once():
    delta = SentForms(worker=1).number(["peer", "work", "peer"])
    assert delta.new == ["peer", "work"] and delta.ids.tolist() == [0, 1, 0]


def test_a_result_out_of_its_order_is_an_error_not_a_wrong_vocabulary():
    sent, received = SentForms(worker=2), ReceivedForms()
    first, second = sent.number(["a", "b"]), sent.number(["c"])
    with pytest.raises(RuntimeError, match="out of order"):
        received.resolve(second)
    assert list(received.resolve(first)) == ["a", "b"]


def _snapshot_files(corpus) -> dict[str, bytes]:
    folder = Path(corpus.load_report.snapshot)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_workers_numbering_forms_in_small_epochs_give_the_snapshot_of_one_process(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rng = random.Random(5)
    words = [f"w{n}" for n in range(900)]
    for n in range(90):
        (corpus / f"doc{n:02d}.txt").write_text(" ".join(rng.choices(words, k=120)) + ".\n", encoding="utf-8")
    monkeypatch.setenv("PEERCORPUS_PARTITION_TOKENS", "2000")  # several partitions, each its own vocabulary
    monkeypatch.setattr(worker_forms, "MAX_FORMS", 150)  # workers start their numbering again often
    one = load_corpus(corpus, cache_dir=tmp_path / "one", workers=1)
    two = load_corpus(corpus, cache_dir=tmp_path / "two", workers=2)
    files = _snapshot_files(one)
    assert len({name.split("/")[0] for name in files if name.startswith("part-")}) > 3  # each its own vocabulary
    assert files == _snapshot_files(two) and one.tokens.vocab == two.tokens.vocab


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=30), st.integers(0, 4), st.integers(0, 8))
def test_unit_numbers_in_order_are_taken_as_given_exactly_when_derivation_gives_them(numbers, first_unit, n_units):
    numbers = np.asarray(numbers, dtype=np.int64)
    local_first = np.searchsorted(np.sort(numbers), np.arange(first_unit, first_unit + n_units), side="left")
    derived = np.maximum(np.searchsorted(local_first, np.arange(len(numbers)), side="right") - 1 + first_unit, 0)
    assert given_by_first_tokens(numbers, local_first, first_unit) == np.array_equal(derived, numbers)
