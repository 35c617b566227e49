"""Passes over a whole snapshot give the pages of its memory maps back as they go (issue 18):
``code``'s extracts and the index look-ups of a query leave the token arrays and the index
out of the process' resident memory (Linux: read from /proc/self/smaps), and a query within a
token range reads only the partitions the range overlaps."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.analysis.codebook import parse_codebook
from peercorpus.analysis.coding import code_corpus
from peercorpus.analysis.kwic import concordance_batches, shown_hits
from peercorpus.core.query import find_matches

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")

WORDS = "peer support worker recovery hope boundaries lived experience group the of and a".split()


def resident_kb(file_name: str, folder: Path) -> int:
    """Resident KB of every mapping of a file called ``file_name`` under ``folder`` in this process
    (only this test's cache: other tests run in the same process may hold corpora open)."""
    total, current = 0, ""
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split(None, 5)
            if len(head) >= 5 and "-" in head[0] and ":" in head[3]:  # a mapping's first line
                current = head[5].strip() if len(head) > 5 else ""
            elif line.startswith("Rss:") and Path(current).name == file_name and current.startswith(str(folder.resolve())):
                total += int(line.split()[1])
    return total


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory):
    """~300,000 tokens in 60 documents, 6 partitions: ids and char_starts of a few hundred KB
    (ingested once; each test opens it warm)."""
    rng = random.Random(3)
    root = tmp_path_factory.mktemp("released")
    folder = root / "corpus"
    folder.mkdir()
    for number in range(60):
        sentences = [" ".join(rng.choices(WORDS, k=12)).capitalize() + "." for _ in range(420)]
        (folder / f"d{number:02d}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEERCORPUS_PARTITION_DOCUMENTS", "10")
        load_corpus(folder, cache_dir=root / "cache")
    return folder, root / "cache"


@pytest.fixture
def warm(partitioned):
    """The corpus opened from its cache: nothing of it resident yet."""
    folder, cache = partitioned
    corpus = load_corpus(folder, cache_dir=cache)
    corpus.cache_folder = cache
    return corpus


def test_code_extracts_and_queries_give_the_pages_back(warm):
    sizes = {name: sum(p.stat().st_size for p in warm.cache_folder.rglob(name)) // 1024 for name in ("ids.npy", "char_starts.npy", "index_gaps.npy")}
    assert min(sizes.values()) > 200  # big enough to tell
    coding = code_corpus(warm, parse_codebook({"hope": ["hope"], "care": ["lived experience", "recover*"]}))
    for _rows in coding.extract_rows():
        pass
    coding.extract_span_arrays()
    for name, size in sizes.items():
        assert resident_kb(name, warm.cache_folder) < size / 4, (name, resident_kb(name, warm.cache_folder), size)


def test_kwic_lines_give_the_pages_back_behind_them(warm):
    """Every line of "the" (a hit in every ~13 tokens) reads the arrays all over the corpus."""
    names = ("ids.npy", "char_starts.npy", "sentence_spans.npy")
    sizes = {name: sum(p.stat().st_size for p in warm.cache_folder.rglob(name)) // 1024 for name in names}
    lines = 0
    for hits in shown_hits(warm, ["the"]).batches():
        for rows in concordance_batches(warm, hits, ["the"], batch=500):
            lines += len(rows)
    assert lines > 20_000
    for name, size in sizes.items():
        assert resident_kb(name, warm.cache_folder) < size / 4, (name, resident_kb(name, warm.cache_folder), size)


def test_a_query_in_a_token_range_reads_the_partitions_it_overlaps(warm):
    tokens = warm.tokens
    everywhere = find_matches(tokens, "the").starts
    offsets, positions = tokens.index
    norm = int(np.asarray(tokens.norm_of_type)[np.flatnonzero(np.asarray(tokens.vocab) == "the")[0]])
    for start, stop in [(0, 10), (12_345, 98_765), (len(tokens) - 50, len(tokens)), (0, len(tokens))]:
        within = find_matches(tokens, "the", token_range=(start, stop)).starts
        assert within.tolist() == everywhere[(everywhere >= start) & (everywhere < stop)].tolist()
        assert positions.of_norm(norm, (start, stop)).tolist() == within.tolist()
    read = []
    original = positions.local_positions
    positions.local_positions = [_Spy(array, part, read) for part, array in enumerate(original)]
    try:
        find_matches(tokens, "the", token_range=(0, 10))
    finally:
        positions.local_positions = original
    assert read == [0]  # the first partition alone


class _Spy:
    """A partition's index positions that note when they are read."""

    def __init__(self, array, part: int, read: list[int]):
        self.array, self.part, self.read = array, part, read

    def form(self, n: int):
        if self.part not in self.read:
            self.read.append(self.part)
        return self.array.form(n)

    def release(self, start: int, stop: int) -> None:
        self.array.release(start, stop)

    def __len__(self) -> int:
        return len(self.array)
