"""The document table and corpus totals behind ``peercorpus info`` (the ingestion quality report).

    documents = document_table(corpus)   # one row per document: id, metadata, counts, warnings
    totals = corpus_totals(corpus)       # {"documents": 5, "tokens": 15230, ...}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.chunks import ChunkTokens, document_chunks
from ..core.corpus import Corpus
from ..core.distinct import distinct
from ..ingest.sections import describe_sections
from .params import Params


def cleaning_summary(cleaning: dict[str, Any]) -> str:
    """``"2 lines dropped; 8,120 chars cut from 'References'"`` (empty when nothing was removed);
    what the reader left out comes first (``"page boilerplate: menu, footer (120 chars)"``)."""
    parts = [cleaning["read_removed"]] if cleaning.get("read_removed") else []
    if cleaning.get("sections"):
        left_out = describe_sections(cleaning["sections"])
        if left_out:
            parts.append("left out " + left_out)
    if cleaning.get("lines_dropped"):
        parts.append(f"{cleaning['lines_dropped']} lines dropped")
    if cleaning.get("chars_cut"):
        parts.append(f"{cleaning['chars_cut']:,} chars cut from '{cleaning.get('cut_at')}'")
    if cleaning.get("hyphens_joined"):
        parts.append(f"{cleaning['hyphens_joined']} hyphenated line breaks joined")
    return "; ".join(parts)


DOCUMENT_COUNTS = ("tokens", "types", "sentences", "paragraphs", "chars")


def document_table(corpus: Corpus, fields: list[str] | None = None):
    """One row per document: ``doc``, metadata fields, ``tokens`` (words), ``types``,
    ``sentences``, ``paragraphs``, ``chars``, ``encoding``, ``cleaned`` and ``warnings``.
    ``fields`` (default: the corpus' own) fixes the metadata columns, so that a narrowed
    corpus (``where``) has the same columns as the whole."""
    import pandas as pd

    columns, rows = document_rows(corpus, fields)
    frame = pd.DataFrame(rows, columns=columns)
    for name in fields if fields is not None else corpus.fields():  # keep whole-number metadata (year) whole where some are missing
        frame[name] = pd.Series([row[name] for row in rows], dtype=object)
    return frame


def document_rows(corpus: Corpus, fields: list[str] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """``document_table`` as column names and row dicts (no pandas): metadata columns hold
    the values as given, the counts are ints."""
    fields = corpus.fields() if fields is None else fields
    return document_columns(fields), [document_row(document, fields) for document in corpus.documents]


def document_columns(fields: list[str]) -> list[str]:
    """The columns of ``document_rows`` with metadata ``fields``."""
    return ["doc", *fields, *DOCUMENT_COUNTS, "encoding", "cleaned", "warnings"]


def document_row(document, fields: list[str]) -> dict[str, Any]:
    """One row of ``document_rows``."""
    row: dict[str, Any] = {"doc": document.doc_id}
    row.update({name: document.metadata.get(name) for name in fields})
    row.update(
        tokens=document.n_words,
        types=document.n_types,
        sentences=document.n_sentences,
        paragraphs=document.n_paragraphs,
        chars=document.n_chars,
        encoding=document.encoding,
        cleaned=cleaning_summary(document.cleaning),
        warnings="; ".join(document.warnings),
    )
    return row


def document_row_batches(corpus: Corpus, fields: list[str], batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """``document_rows`` ``batch`` rows at a time, each document decoded and let go: what
    ``info`` writes to a file, in memory that does not grow with the corpus."""
    rows = []
    for document in corpus.iter_documents():
        rows.append(document_row(document, fields))
        if len(rows) == batch:
            yield rows
            rows = []
    if rows:
        yield rows


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless one, thousands separated.

    >>> counted(1, "document"), counted(12146, "token")
    ('1 document', '12,146 tokens')
    """
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def totals_summary(totals: dict[str, Any]) -> str:
    """The size part of every totals line: "5 documents, 12,146 tokens, 2,310 types, 873 sentences"."""
    return ", ".join(counted(totals[key], key[:-1]) for key in ("documents", "tokens", "types", "sentences"))


def corpus_totals(corpus: Corpus) -> dict[str, Any]:
    """Corpus-wide counts; ``types`` counts distinct case-folded word forms."""
    base, docs = corpus.within()  # a where view: its documents, in the arrays it shares
    tokens = base.tokens
    # Per vocabulary entry rather than per token: no array as long as the corpus is made.
    used = np.zeros(len(tokens.vocab), dtype=bool)
    for chunk in document_chunks(base, 1 << 20, docs=docs):
        used[ChunkTokens(tokens, chunk).ids] = True
    word_types = distinct(tokens.norm_of_type[used & tokens.is_word])
    words = sentences = with_warnings = 0
    for document in corpus.iter_documents():  # one at a time: a million documents are not all held
        words += document.n_words
        sentences += document.n_sentences
        with_warnings += bool(document.warnings)
    return {
        "documents": len(corpus),
        "tokens": int(words),
        "types": int(len(word_types)),
        "sentences": int(sentences),
        "documents_with_warnings": with_warnings,
        "files_skipped": len(corpus.skipped),
    }



@dataclass(frozen=True)
class InfoParams(Params):
    """``info``: the documents table and the ingestion quality report."""

    where: tuple[str, ...] = ()
