"""The units an analysis counts over: whole documents, paragraphs, or chunks of N tokens.

A topic model of five long documents has five samples and means nothing; cutting them into
paragraphs gives it hundreds. ``Units`` are contiguous token ranges that never cross a
document boundary, so results can always be rolled back up to documents::

    units = make_units(corpus.tokens, "paragraph")
    units.doc[:3], units.starts[:3], units.ends[:3]
    units.unit_of_token(len(corpus.tokens))     # -1 for tokens in no unit
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validate import check_choice, check_int
from .tokens import Tokens

UNIT_KINDS = ("document", "paragraph", "chunk")

#: Paragraphs shorter than this many tokens are merged with the next one of the same document.
MIN_PARAGRAPH_TOKENS = 40
#: With fewer documents than this, ``unit="auto"`` models paragraphs instead of documents.
AUTO_MIN_DOCUMENTS = 50


@dataclass
class Units:
    """``kind`` units; unit ``i`` is tokens ``starts[i]:ends[i]`` of document ``doc[i]``."""

    kind: str
    doc: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def unit_of_token(self, n_tokens: int) -> np.ndarray:
        """The unit number of every token position (-1 where no unit covers it)."""
        out = np.full(n_tokens, -1, dtype=np.int64)
        lengths = self.lengths
        if lengths.sum():
            positions = np.repeat(self.starts, lengths) + _ranges(lengths)
            out[positions] = np.repeat(np.arange(len(self), dtype=np.int64), lengths)
        return out


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """``[0..l0-1, 0..l1-1, ...]`` for the given lengths, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def choose_unit(n_documents: int) -> str:
    """The unit ``auto`` stands for: documents when there are enough of them, else paragraphs."""
    return "document" if n_documents >= AUTO_MIN_DOCUMENTS else "paragraph"


def make_units(tokens: Tokens, kind: str, *, chunk_size: int = 200) -> Units:
    """Cut ``tokens`` into ``document``, ``paragraph`` or ``chunk`` units.

    Paragraphs shorter than ``MIN_PARAGRAPH_TOKENS`` are merged with the following paragraph
    of the same document (headings and one-line paragraphs are not topics of their own);
    a document's last chunk shorter than half of ``chunk_size`` joins the chunk before it.

    >>> make_units(tokens, "chunk", chunk_size=100).lengths.max() < 150
    True
    """
    check_choice("unit", kind, UNIT_KINDS)
    starts_of_docs = tokens.doc_starts[:-1].astype(np.int64)
    ends_of_docs = tokens.doc_starts[1:].astype(np.int64)
    if kind == "document":
        return Units(kind, np.arange(tokens.n_docs, dtype=np.int64), starts_of_docs, ends_of_docs)
    if kind == "chunk":
        check_int("chunk_size", chunk_size, minimum=10)
        return _grouped(kind, *_boundaries_every(tokens, chunk_size), minimum=chunk_size // 2)
    return _grouped(kind, *_paragraph_boundaries(tokens), minimum=MIN_PARAGRAPH_TOKENS)


def _paragraph_boundaries(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and document of each run of tokens in one paragraph."""
    n = len(tokens)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    breaks = np.flatnonzero(np.diff(tokens.paragraph) != 0) + 1
    breaks = np.union1d(breaks, tokens.doc_starts[1:-1])
    breaks = breaks[(breaks > 0) & (breaks < n)]
    starts = np.concatenate([[0], breaks]).astype(np.int64)
    ends = np.concatenate([breaks, [n]]).astype(np.int64)
    return starts, ends, tokens.doc_of_token[starts].astype(np.int64)


def _boundaries_every(tokens: Tokens, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and document of consecutive ``size``-token pieces of every document."""
    starts, ends, docs = [], [], []
    for doc in range(tokens.n_docs):
        first, last = int(tokens.doc_starts[doc]), int(tokens.doc_starts[doc + 1])
        for start in range(first, last, size):
            starts.append(start)
            ends.append(min(start + size, last))
            docs.append(doc)
    as_array = lambda values: np.asarray(values, dtype=np.int64)  # noqa: E731
    return as_array(starts), as_array(ends), as_array(docs)


def _grouped(kind: str, starts: np.ndarray, ends: np.ndarray, docs: np.ndarray, *, minimum: int) -> Units:
    """Merge pieces shorter than ``minimum`` with their neighbours in the same document."""
    out_starts: list[int] = []
    out_ends: list[int] = []
    out_docs: list[int] = []
    open_start = None
    for start, end, doc in zip(starts.tolist(), ends.tolist(), docs.tolist()):
        if open_start is not None and out_docs and out_docs[-1] != doc:
            open_start = None
        if open_start is None:
            open_start = start
            out_starts.append(start)
            out_ends.append(end)
            out_docs.append(doc)
        else:
            out_ends[-1] = end
        if out_ends[-1] - out_starts[-1] >= minimum:
            open_start = None
    # A short last piece of a document joins the unit before it (same document).
    merged_starts, merged_ends, merged_docs = [], [], []
    for start, end, doc in zip(out_starts, out_ends, out_docs):
        if merged_docs and merged_docs[-1] == doc and end - start < minimum:
            merged_ends[-1] = end
            continue
        merged_starts.append(start)
        merged_ends.append(end)
        merged_docs.append(doc)
    as_array = lambda values: np.asarray(values, dtype=np.int64)  # noqa: E731
    return Units(kind, as_array(merged_docs), as_array(merged_starts), as_array(merged_ends))


def document_units(
    kind: str, doc_starts: np.ndarray, docs: np.ndarray, *, paragraph: np.ndarray | None = None, chunk_size: int = 200
) -> Units:
    """The ``kind`` units of documents ``docs`` (ascending) alone: what ``make_units`` gives
    for them, since a unit never crosses a document, so that the units of a corpus can be made
    a chunk of documents at a time (``topics --batch``). ``paragraph`` is the paragraph number
    of every token of those documents, in order (needed for ``kind`` paragraph).

    >>> whole = make_units(tokens, "paragraph")
    >>> part = document_units("paragraph", tokens.doc_starts, np.array([0, 1]), paragraph=tokens.paragraph[: tokens.doc_starts[2]])
    >>> (part.starts == whole.starts[: len(part)]).all()
    True
    """
    check_choice("unit", kind, UNIT_KINDS)
    doc_starts = np.asarray(doc_starts, dtype=np.int64)
    docs = np.asarray(docs, dtype=np.int64)
    firsts, lasts = doc_starts[docs], doc_starts[docs + 1]
    if kind == "document":
        return Units(kind, docs.copy(), firsts, lasts)
    if kind == "chunk":
        check_int("chunk_size", chunk_size, minimum=10)
        starts, ends, owners = [], [], []
        for doc, first, last in zip(docs.tolist(), firsts.tolist(), lasts.tolist()):
            for start in range(first, last, chunk_size):
                starts.append(start)
                ends.append(min(start + chunk_size, last))
                owners.append(doc)
        as_array = lambda values: np.asarray(values, dtype=np.int64)  # noqa: E731
        return _grouped(kind, as_array(starts), as_array(ends), as_array(owners), minimum=chunk_size // 2)
    lengths = lasts - firsts
    n = int(lengths.sum())
    if paragraph is None or len(paragraph) != n:
        raise ValueError("document_units: `paragraph` must give the paragraph of every token of the documents")
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Units(kind, empty, empty, empty)
    local_doc_starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    breaks = np.flatnonzero(np.diff(np.asarray(paragraph)) != 0) + 1
    breaks = np.union1d(breaks, local_doc_starts[1:-1])
    breaks = breaks[(breaks > 0) & (breaks < n)]
    local_starts = np.concatenate([[0], breaks]).astype(np.int64)
    local_ends = np.concatenate([breaks, [n]]).astype(np.int64)
    which = np.searchsorted(local_doc_starts, local_starts, side="right") - 1  # index into docs
    offset = firsts[which] - local_doc_starts[which]
    return _grouped(kind, local_starts + offset, local_ends + offset, docs[which], minimum=MIN_PARAGRAPH_TOKENS)
