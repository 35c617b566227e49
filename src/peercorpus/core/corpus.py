"""``Document`` and ``Corpus``: what was read, its metadata, its text and its tokens.

A ``Corpus`` is what ``load_corpus`` returns and every analysis takes::

    corpus = load_corpus("corpora/")
    blog = corpus.where(["genre=blog"])
    blog.documents[0].doc_id          # 'peer-support/peer-workers-lived-experience-blog.txt'
    blog.text(0)[:30]                 # the cleaned text tokens' offsets point into

``where`` is a view: the documents it keeps, over the same (memory-mapped) token arrays.
Analyses ask ``blog.within()`` for those arrays' corpus and the kept documents' indices in
it; code that reads ``blog.tokens`` directly gets the kept documents' tokens copied out
(once, on first use)::

    base, docs = blog.within()        # (the whole corpus, array([3, 7, 12]))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..config import TokenizeSettings
from ..errors import UsageError
from .packed import PackedNames, SharedRows
from .tokens import Tokens


@dataclass
class Document:
    """One document: id, source file, metadata and what reading and cleaning did to it."""

    doc_id: str
    path: str
    metadata: dict[str, Any]
    encoding: str
    n_chars: int
    n_tokens: int
    n_words: int
    n_types: int
    n_sentences: int
    n_paragraphs: int
    content_hash: str
    warnings: list[str] = field(default_factory=list)
    cleaning: dict[str, Any] = field(default_factory=dict)

    @property
    def collection(self) -> str | None:
        return self.metadata.get("collection")


@dataclass
class SkippedFile:
    """A file that was not read, and why (unsupported format, corrupt, binary, ...)."""

    path: str
    reason: str


class LazyDocuments:
    """Documents a cache supplies on demand: ``one(i)`` decodes one, ``every()`` all of them.

    A warm ``kwic`` on 44,000 documents shows a few thousand; decoding only those is most of
    what makes it fast.

    ``doc_ids`` and ``metadata`` (one dict per document, shared between documents with the
    same metadata) answer the common questions without decoding any document; a cache gives
    them packed (``core.packed``: they read as lists).
    """

    def __init__(
        self,
        count: int,
        one: Callable[[int], Document],
        every: Callable[[], list[Document]],
        *,
        doc_ids: Sequence[str],
        metadata: Sequence[dict[str, Any]],
    ):
        self.count, self.one, self.every = count, one, every
        self.doc_ids, self.metadata = doc_ids, metadata


class Corpus:
    """Documents, their texts and their tokens; ``where`` gives sub-corpora.

    ``text_of`` returns a document's (cleaned) text by index; the cache supplies it
    lazily so that a warm command decodes only the texts it shows. ``documents`` may be
    given as ``LazyDocuments`` likewise; ``document(i)`` then decodes only document ``i``.

    A sub-corpus (``where``, ``subset`` in corpus order) is a view: ``base`` is the corpus
    whose token arrays it shares and ``selection`` its documents' indices there, ascending
    (``None`` for a corpus that is no view); its ``tokens`` are copied out only when read.
    """

    def __init__(
        self,
        documents: list[Document] | LazyDocuments,
        tokens: Tokens,
        text_of: Callable[[int], str],
        skipped: list[SkippedFile] | None = None,
        *,
        source: str = "",
    ):
        if isinstance(documents, LazyDocuments):
            self._documents, self._lazy, self._count = None, documents, documents.count
        else:
            self._documents, self._lazy, self._count = documents, None, len(documents)
        self._decoded: dict[int, Document] = {}
        self._tokens = tokens
        self.base: Corpus | None = None
        self.selection: np.ndarray | None = None
        self._copy_of: tuple[Corpus, np.ndarray] | None = None  # where tokens are copied from
        self._text_of = text_of
        self.skipped = skipped or []
        self.source = source
        self.load_report = None  # set by load_corpus: what was read, tokenised, cached
        self.tokenize = TokenizeSettings()  # set by load_corpus: its config's, which analyses apply
        self.repeated_lines: frozenset[int] = frozenset()  # line keys left out as repeated (sections.py)

    @property
    def tokens(self) -> Tokens:
        """The tokens of this corpus' documents (of a view: copied out of ``base`` on first use)."""
        if self._tokens is None:
            source, docs = self._copy_of
            self._tokens = source.tokens.select_docs(docs)
        return self._tokens

    @tokens.setter
    def tokens(self, tokens: Tokens) -> None:
        self._tokens = tokens

    def within(self, docs=None) -> tuple[Corpus, np.ndarray | None]:
        """The corpus whose token arrays hold this one's documents, and the indices there of
        this corpus' documents ``docs`` (all when ``None``; ``None`` back when that is all
        of them). What a view-aware analysis does first, so that a ``where`` copies nothing::

            base, docs = corpus.where(["genre=blog"]).within()   # docs: array([3, 7, 12])
            corpus.within()                                       # (corpus, None)
        """
        if self.base is None:
            return self, None if docs is None else np.asarray(docs, dtype=np.int64)
        selection = self.selection if docs is None else self.selection[np.asarray(docs, dtype=np.int64)]
        return self.base, selection

    @property
    def n_tokens(self) -> int:
        """How many tokens this corpus' documents hold (a view copies nothing to say)."""
        if self._tokens is not None:
            return len(self._tokens)
        source, docs = self._copy_of
        starts = np.asarray(source.tokens.doc_starts, dtype=np.int64)
        return int((starts[docs + 1] - starts[docs]).sum())

    @property
    def documents(self) -> list[Document]:
        """Every document, in corpus order."""
        if self._documents is None:
            documents = self._lazy.every()
            for i, document in self._decoded.items():  # keep objects already handed out
                documents[i] = document
            self._documents = documents
            self._decoded = {}
        return self._documents

    @documents.setter
    def documents(self, documents: list[Document]) -> None:
        self._documents, self._lazy, self._count, self._decoded = documents, None, len(documents), {}

    def document(self, doc: int) -> Document:
        """Document ``doc`` (decoding only that one when the corpus came from the cache)."""
        if self._documents is not None:
            return self._documents[doc]
        if not -self._count <= doc < self._count:
            raise IndexError(f"document index {doc} out of range")
        doc %= self._count
        if doc not in self._decoded:
            self._decoded[doc] = self._lazy.one(doc)
        return self._decoded[doc]

    def iter_documents(self) -> Iterator[Document]:
        """Every document in corpus order, decoded one at a time and not kept: a pass over a
        million documents (``info``) holds one, not all of them."""
        for doc in range(len(self)):
            yield self._passing_document(doc)

    def _passing_document(self, doc: int) -> Document:
        """Document ``doc`` as ``document`` gives it, without keeping it decoded."""
        if self._documents is not None:
            return self._documents[doc]
        return self._decoded.get(doc) or self._lazy.one(doc)

    def doc_id(self, doc: int) -> str:
        """The id of document ``doc`` (without decoding the document)."""
        if self._documents is not None:
            return self._documents[doc].doc_id
        return self._lazy.doc_ids[doc]

    def doc_metadata(self, doc: int) -> dict[str, Any]:
        """A copy of document ``doc``'s metadata (without decoding the document)."""
        if self._documents is not None:
            return dict(self._documents[doc].metadata)
        return dict(self._lazy.metadata[doc])

    def metadata_rows(self) -> Sequence[dict[str, Any]]:
        """Every document's metadata dict, in corpus order — read-only: they are the corpus'
        own dicts (documents with the same metadata may share one), not copies; a list, or
        from the cache a ``core.packed.SharedRows``, which reads as one.

        >>> corpus = Corpus([Document("a.txt", "Hope.", {"year": 2020}), Document("b.txt", "Peer.", {})])
        >>> corpus.metadata_rows()
        [{'year': 2020}, {}]
        """
        if self._documents is not None:
            return [document.metadata for document in self._documents]
        return self._lazy.metadata

    def __len__(self) -> int:
        return self._count if self._documents is None else len(self._documents)

    def __repr__(self) -> str:
        return f"<Corpus {len(self)} documents, {self.n_tokens} tokens>"

    def text(self, doc: int) -> str:
        """The text of document ``doc`` that character offsets refer to."""
        return self._text_of(doc)

    @property
    def doc_ids(self) -> list[str]:
        if self._documents is None:
            return list(self._lazy.doc_ids)
        return [document.doc_id for document in self._documents]

    def fields(self) -> list[str]:
        """Metadata field names present in any document, sorted."""
        distinct = {id(m): m for m in self.metadata_rows()}.values()
        return sorted({key for metadata in distinct for key in metadata})

    def values(self, field_name: str) -> list[Any]:
        """Distinct values of a metadata field (missing values left out), sorted as text."""
        found = {metadata.get(field_name) for metadata in self.metadata_rows()} - {None}
        return sorted(found, key=str)

    def require_field(self, field_name: str, param: str = "by") -> None:
        """A ``UsageError`` listing the fields present when ``field_name`` is not one of them."""
        fields = self.fields()
        if field_name not in fields:
            raise UsageError(
                f"`{param}` {field_name}: no metadata field '{field_name}'; fields present: {', '.join(fields) or '(none)'}"
            )

    def metadata_table(self):
        """A ``pandas.DataFrame`` with one row per document: ``doc`` plus every field."""
        import pandas as pd

        rows = [{"doc": d.doc_id, **d.metadata} for d in self.documents]
        return pd.DataFrame(rows, columns=["doc", *self.fields()])

    def subset(self, docs: list[int] | np.ndarray) -> Corpus:
        """The documents at indices ``docs``, in that order; nothing is decoded or copied until
        it is read. In corpus order (as ``where`` gives them) it is a view (``base``,
        ``selection``) that analyses read without copying."""
        docs = np.asarray([int(d) for d in docs], dtype=np.int64)
        base, selection = self.within(docs)
        ascending = bool(np.all(np.diff(selection) > 0)) if len(selection) else True
        positions = docs.tolist()
        metadata = self.metadata_rows()
        lazy = self._lazy if self._documents is None else None
        if lazy is not None and isinstance(lazy.doc_ids, PackedNames) and isinstance(lazy.metadata, SharedRows) and not (len(docs) and docs.min() < 0):
            # from the cache: packed as the corpus' own (core.packed), not a Python object a document
            doc_ids, metadata = lazy.doc_ids.take(docs), lazy.metadata.take(docs)
        else:
            doc_ids, metadata = [self.doc_id(d) for d in positions], [metadata[d] for d in positions]
        subset = Corpus(
            # documents stay undecoded until asked for, as in the corpus they come from
            LazyDocuments(
                len(positions),
                lambda i: self._passing_document(positions[i]),
                lambda: [self._passing_document(d) for d in positions],
                doc_ids=doc_ids,
                metadata=metadata,
            ),
            None,
            lambda i: self._text_of(positions[i]),
            self.skipped,
            source=self.source,
        )
        subset._copy_of = (base, selection)
        if ascending:
            subset.base, subset.selection = base, selection
        subset.tokenize = self.tokenize
        subset.repeated_lines = self.repeated_lines
        return subset

    def where(self, conditions: str | list[str] | tuple[str, ...] | None) -> Corpus:
        """Documents matching every condition (``genre=blog``, ``year>=2020``, ``genre!=news``);
        one condition may be given as a string: ``corpus.where("genre=blog")``.

        A field or ``=`` value that does not exist is an error that lists what does.
        """
        if not conditions:
            return self
        return self.subset(self.where_indices(conditions))

    def where_indices(self, conditions: str | list[str] | tuple[str, ...] | None) -> np.ndarray:
        """Indices of the documents ``where(conditions)`` keeps (all when there are none).

        Analyses that search the whole corpus' index (kwic) filter hits with these instead
        of building a sub-corpus.
        """
        if isinstance(conditions, str):
            conditions = [conditions]
        keep = np.ones(len(self), dtype=bool)
        for condition in conditions or ():
            keep &= self._matches(parse_condition(condition))
        return np.flatnonzero(keep)

    def _matches(self, condition: Condition) -> np.ndarray:
        fields = self.fields()
        if condition.field not in fields:
            raise UsageError(
                f"`where` {condition.text}: no metadata field '{condition.field}'; "
                f"fields present: {', '.join(fields) or '(none)'}"
            )
        values = [metadata.get(condition.field) for metadata in self.metadata_rows()]
        if condition.operator in _COMPARISONS and _number(condition.value) is None:
            numbers = [v for v in values if _number(v) is not None]
            if numbers:
                raise UsageError(
                    f"`where` {condition.text}: '{condition.value}' is not a number, "
                    f"and {condition.field} holds numbers (e.g. {numbers[0]})"
                )
        mask = np.array([condition.test(value) for value in values], dtype=bool)
        if condition.operator == "=" and not mask.any():
            present = ", ".join(str(v) for v in self.values(condition.field))
            raise UsageError(
                f"no documents match {condition.text}; values present: {present or '(none)'}"
            )
        return mask


# "==" is read as "=", as most query languages spell equality.
_CONDITION = re.compile(r"^\s*([^<>=!]+?)\s*(>=|<=|!=|==|=|>|<)\s*(.*?)\s*$")
_COMPARISONS = (">=", "<=", ">", "<")


@dataclass(frozen=True)
class Condition:
    """One ``--where`` condition; ``=`` accepts several values separated by commas."""

    text: str
    field: str
    operator: str
    value: str

    def test(self, value: Any) -> bool:
        if value is None:
            return self.operator == "!="
        if self.operator in ("=", "!="):
            wanted = {v.strip().casefold() for v in self.value.split(",")}
            found = str(value).casefold() in wanted
            return found if self.operator == "=" else not found
        left, right = _number(value), _number(self.value)
        if left is None or right is None:
            left, right = str(value), self.value
        return {
            ">=": left >= right,
            "<=": left <= right,
            ">": left > right,
            "<": left < right,
        }[self.operator]


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_condition(text: str) -> Condition:
    """``"year>=2020"`` → ``Condition(field="year", operator=">=", value="2020")``;
    ``genre==blog`` is ``genre=blog``. A comparison with a value that is not a number is
    refused (by ``Corpus.where``) on a field that holds numbers."""
    match = _CONDITION.match(text)
    if not match or not match.group(3):
        raise UsageError(
            f"`where` '{text}' is not FIELD=VALUE, FIELD!=VALUE or a comparison like year>=2020"
        )
    operator = "=" if match.group(2) == "==" else match.group(2)
    value = match.group(3)
    if value[0] in "=<>!":  # genre!==blog, year>==2020: an operator typed twice
        raise UsageError(f"`where` '{text}': '{match.group(2)}{value[0]}' is not an operator; use =, !=, >=, <=, > or <")
    number = _number(value)
    if operator in _COMPARISONS and number is not None and (number != number or number in (float("inf"), float("-inf"))):
        raise UsageError(f"`where` '{text}': compare with a finite number; got '{value}'")
    return Condition(text, match.group(1), operator, value)
