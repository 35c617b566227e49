"""Turn one file into a ``Shard``: read, clean, check and tokenise every document in it.

A shard is what the cache keeps per file content; it holds only plain arrays and JSON-able
values, so it can be saved without pickle and sent between worker processes::

    shard = process_file(Path("corpora/peer-support/blog.txt"), Path("corpora"), config)
    shard.documents[0]["n_tokens"], shard.vocab[:3]
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config
from ..core.vocabulary import _TYPOGRAPHIC as _TYPOGRAPHIC_TABLE
from ..core.vocabulary import normalize_form
from ..errors import UnreadableFile
from ..io import read_file
from ..io.base import RawDocument, relative_name
from ..io.hyphenation import join_line_end_hyphens
from .cleaning import clean_text
from .quality import text_warnings
from .sections import document_line_keys, find_sections, split_sections
from .tokenize import tokenize_text

ARRAY_FIELDS = (
    "ids",
    "starts",
    "ends",
    "sentence",
    "paragraph",
    "sentence_spans",
    "paragraph_spans",
    "doc_tokens",
    "doc_sentences",
    "doc_paragraphs",
    "text_bytes",
    "text_lengths",
    "line_keys",
    "doc_line_keys",
)


@dataclass
class Shard:
    """Tokens of all documents of one file, with a file-local vocabulary.

    ``documents`` holds one dict per document (``suffix`` of its id after the file's
    path, ``metadata``, ``encoding``, ``warnings``, ``cleaning``, counts); ``arrays``
    holds ``ARRAY_FIELDS`` (token arrays concatenated over the file's documents, sentence
    and paragraph numbers local to each document, UTF-8 texts).
    """

    documents: list[dict[str, Any]]
    vocab: list[str]
    arrays: dict[str, np.ndarray]
    # What ``process_file`` knows by construction, so that encoding need not check it
    # (``shard_codec.compact_arrays``): ``units``, every token's sentence and paragraph number is
    # the last unit starting at or before it; ``forms``, every form is the text at its tokens
    # (the default tokenizer cuts words out of the text). Not stored; False: checked.
    known: frozenset[str] = field(default=frozenset(), compare=False)
    # The keys of lines repeated across the corpus left out of its documents (``process_file``'s
    # ``repeated``): the shard is final for a corpus whose repeated lines it holds are exactly
    # these (``repeated.without_repeated_lines``); a cached one may be of another corpus.
    left_out: frozenset[int] = frozenset()


def content_hash(data: bytes) -> str:
    """The key of a file's content in the cache."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_content_hash(path: str | Path) -> str:
    """``content_hash`` of a file's bytes, wherever files are hashed (this process, a local worker,
    a Dask task); ``UnreadableFile`` with the reason the corpus' skipped files give otherwise::

        file_content_hash("corpora/a.txt")   # '5f0c...'
    """
    try:
        return content_hash(Path(path).read_bytes())
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror or error}") from None


def shard_key(digest: str, left_out: frozenset[int] = frozenset()) -> str:
    """The key of a file's shard in the cache: its content hash for the shard with nothing
    repeated left out, suffixed with a hash of the lines left out otherwise, so that each shard a
    snapshot reads texts from keeps its key whatever other corpora of the same file leave out
    (``Store.cached_key`` finds either).

    >>> shard_key("ab12"), shard_key("ab12", frozenset({7, -3}))
    ('ab12', 'ab12+9c2d393dc39ea3a1')
    """
    if not left_out:
        return digest
    keys = ",".join(map(str, sorted(left_out))).encode("ascii")
    return f"{digest}+{hashlib.blake2b(keys, digest_size=8).hexdigest()}"


def leaves_lines_out(key: str) -> bool:
    """Whether a shard's cache key (or a snapshot's ``settings/key`` text source) is a
    ``shard_key`` of a shard with lines left out.

    >>> leaves_lines_out("ab12+9c2d393dc39ea3a1"), leaves_lines_out("f00d/ab12")
    (True, False)
    """
    return "+" in key.rpartition("/")[2]


def process_file(path: Path, root: Path, config: Config, *, repeated: frozenset[int] = frozenset(),
                 line_keys: FileLineKeys | None = None) -> Shard:
    """Read ``path`` and tokenise it; raises ``UnreadableFile`` when it cannot be read.

    ``repeated``: keys of lines repeated across the corpus (``sections.repeated_line_keys``) the
    file holds, left out as boilerplate (recorded: ``Shard.left_out``). The shard records each
    document's short-line keys (``line_keys``, ``doc_line_keys``) so that the corpus can count
    them: those of its text with nothing repeated left out, whatever ``repeated`` is
    (``file_line_keys`` gives them alone). ``line_keys``: those keys as ``file_line_keys`` read
    them before, taken as they are when the file still holds as many documents (a file read again
    with ``repeated`` left out need not find its sections twice: issue 18, a tenth of its work)."""

    relative = relative_name(path, root)
    raw_documents = read_file(path, root, config.read, layout=config.cleaning.auto)
    known_keys = _keys_by_document(line_keys, len(raw_documents)) if repeated and config.cleaning.auto else None
    vocabulary = FileVocabulary(first_character_decides=config.tokenize.tokenizer == "default")
    parts: dict[str, list[np.ndarray]] = {name: [] for name in ARRAY_FIELDS}
    documents = []
    for number, raw in enumerate(raw_documents):
        # The hand-written rules first, on the text as read (as before sections existed); the
        # sections found in what they leave.
        read, cleaning = cleaned_text(raw, config)
        if known_keys is not None:
            keys = known_keys[number]
        else:
            text, sections, joined = _body_text(read, raw.encoding, config)
            keys = document_line_keys(text) if config.cleaning.auto else np.zeros(0, dtype=np.int64)
        if repeated:
            text, sections, joined = _body_text(read, raw.encoding, config, repeated)
        if joined:
            cleaning["hyphens_joined"] = int(cleaning.get("hyphens_joined", 0)) + joined
        if raw.removed:
            cleaning["read_removed"] = raw.removed
        if sections:
            cleaning["sections"] = sections
        tokenized = tokenize_text(text, config.tokenize.tokenizer)
        ids = vocabulary.ids(tokenized.words)
        n_words, n_types = vocabulary.count_words(ids)
        encoded = text.encode("utf-8")
        documents.append(
            {
                "suffix": raw.doc_id[len(relative) :] if raw.doc_id.startswith(relative) else "#" + raw.doc_id,
                "metadata": raw.metadata,
                "encoding": raw.encoding,
                "warnings": list(raw.warnings)
                + text_warnings(
                    text,
                    n_words,
                    hyphens_joined=config.cleaning.join_hyphenated or config.cleaning.auto,
                    layout_rebuilt=config.cleaning.auto and raw.encoding == "pdf",
                ),
                "cleaning": cleaning,
                "n_chars": len(text),
                "n_words": n_words,
                "n_types": n_types,
                "text_hash": content_hash(encoded),
            }
        )
        parts["ids"].append(ids)
        parts["starts"].append(tokenized.starts)
        parts["ends"].append(tokenized.ends)
        parts["sentence"].append(tokenized.sentence)
        parts["paragraph"].append(tokenized.paragraph)
        parts["sentence_spans"].append(np.array(tokenized.sentence_spans, dtype=np.int32).reshape(-1, 2))
        parts["paragraph_spans"].append(np.array(tokenized.paragraph_spans, dtype=np.int32).reshape(-1, 2))
        parts["doc_tokens"].append(np.array([len(ids)], dtype=np.int64))
        parts["doc_sentences"].append(np.array([len(tokenized.sentence_spans)], dtype=np.int64))
        parts["doc_paragraphs"].append(np.array([len(tokenized.paragraph_spans)], dtype=np.int64))
        parts["text_bytes"].append(np.frombuffer(encoded, dtype=np.uint8))
        parts["text_lengths"].append(np.array([len(encoded)], dtype=np.int64))
        parts["line_keys"].append(keys)
        parts["doc_line_keys"].append(np.array([len(keys)], dtype=np.int64))
    arrays = {name: _concatenate(chunks, name) for name, chunks in parts.items()}
    known = frozenset(("units", "forms") if config.tokenize.tokenizer == "default" else ("units",))
    return Shard(documents=documents, vocab=vocabulary.forms, arrays=arrays, known=known, left_out=repeated)


def cleaned_text(raw: RawDocument, config: Config) -> tuple[str, dict]:
    """A document's text as read, NFC-normalised, after the config's own ``cleaning`` rules,
    and what they removed: where ingest (``process_file``) and ``show`` (``document_parts``)
    both start."""
    return clean_text(unicodedata.normalize("NFC", raw.text), config.cleaning)


def file_line_keys(path: Path, root: Path, config: Config) -> FileLineKeys:
    """What ``process_file`` records of a file's short lines (``line_keys``, ``doc_line_keys``),
    without tokenising it: a sixth of the work (BBC). Read first where lines repeat across the
    corpus, so that each file is tokenised once, those lines left out (``ingest/repeated.py``)::

        file_line_keys(Path("site/page2.txt"), Path("site"), config).line_keys  # array([...])
    """
    keys, counts, notices = [], [], []
    for raw in read_file(path, root, config.read, layout=config.cleaning.auto):
        text, _, _ = _body_text(cleaned_text(raw, config)[0], raw.encoding, config)
        keys.append(document_line_keys(text) if config.cleaning.auto else np.zeros(0, dtype=np.int64))
        counts.append(len(keys[-1]))
        notices.extend(raw.warnings)
    return FileLineKeys(_concatenate(keys, "line_keys"), np.array(counts, dtype=np.int64), notices)


def _keys_by_document(line_keys: FileLineKeys | None, n_documents: int) -> list[np.ndarray] | None:
    """``line_keys`` cut into each document's, or ``None`` when there are none or they are of
    another number of documents (the file changed since they were read).

    >>> _keys_by_document(FileLineKeys(np.array([4, 9, 2]), np.array([2, 0, 1]), []), 3)
    [array([4, 9]), array([], dtype=int64), array([2])]
    """
    if line_keys is None or len(line_keys.doc_line_keys) != n_documents:
        return None
    keys = np.asarray(line_keys.line_keys, dtype=np.int64)
    return np.split(keys, np.cumsum(line_keys.doc_line_keys)[:-1]) if n_documents else []


@dataclass
class FileLineKeys:
    """A file's short-line keys (``file_line_keys``): of its documents one after the other, how
    many each has, and the reader's warnings."""

    line_keys: np.ndarray
    doc_line_keys: np.ndarray
    warnings: list[str]

    @property
    def n_documents(self) -> int:
        return len(self.doc_line_keys)

    def __reduce__(self):
        """Pickled as bytes (sent to and from worker processes, one a file): numpy's own pickling
        of two small arrays cost 8x that of the rest of a worker's item."""
        as_bytes = [np.asarray(a, dtype=np.int64).tobytes() for a in (self.line_keys, self.doc_line_keys)]
        return _line_keys_of_bytes, (*as_bytes, self.warnings)


def _line_keys_of_bytes(line_keys: bytes, doc_line_keys: bytes, warnings: list[str]) -> FileLineKeys:
    return FileLineKeys(np.frombuffer(line_keys, dtype=np.int64), np.frombuffer(doc_line_keys, dtype=np.int64), warnings)


def _body_text(text: str, encoding: str, config: Config, repeated: frozenset[int] = frozenset()) -> tuple[str, list[dict], int]:
    """What analyses see of a cleaned document's ``text``: the sections they do not see left
    out (``repeated``: the corpus' repeated lines the file holds), then the line-end hyphens
    joined; with the sections found and how many hyphens were joined."""
    text, sections = _leave_out_sections(text, config, repeated)
    joined = 0
    if config.cleaning.auto and encoding != "pdf":  # the PDF reader joined its own
        text, joined, _ = join_line_end_hyphens(text)
    return text, sections, joined


def _leave_out_sections(text: str, config: Config, repeated: frozenset[int] = frozenset()) -> tuple[str, list[dict]]:
    """The text without the sections analyses do not see (``cleaning.sections``), and a record
    of every section found (see ``sections.split_sections``)."""
    if not config.cleaning.auto:
        return text, []
    return split_sections(text, find_sections(text, repeated), keep=config.cleaning.kept_sections)


@dataclass(frozen=True)
class Part:
    """A stretch of a document as read: ``body`` or a section label, and whether analyses see it."""

    label: str
    text: str
    excluded: bool
    heading: str = ""
    chars: int = 0  # as info counts a section (its span in the text read)


def document_parts(path: Path, doc_id: str, config: Config, repeated: frozenset[int] = frozenset()) -> list[Part]:
    """Document ``doc_id`` (of file ``path``) read again as ingest reads it, cut into its body
    and the sections ``find_sections`` found, in order: what ``peercorpus show`` prints::

        [(part.label, part.excluded) for part in document_parts(Path("corpora/x/a.txt"), "x/a.txt", config)]
        # [('body', False), ('declarations', True), ('references', True)]

    The hand-written ``cleaning`` rules are applied first, as at ingest (what they removed is
    not shown: ``info`` counts it); ``repeated`` are the corpus' repeated lines
    (``Corpus.repeated_lines``).
    """

    file_part = doc_id.split("#")[0]
    root = path
    for _ in file_part.split("/"):
        root = root.parent
    raw = next((d for d in read_file(path, root, config.read, layout=config.cleaning.auto) if d.doc_id == doc_id), None)
    if raw is None:
        raise UnreadableFile(f"{doc_id} is no longer in {path}")
    text, _ = cleaned_text(raw, config)
    if not config.cleaning.auto:
        return [Part("body", text, False)]
    parts, position = [], 0
    keep = config.cleaning.kept_sections
    for section in find_sections(text, repeated):
        if text[position : section.start].strip():
            parts.append(Part("body", text[position : section.start].strip("\n"), False))
        parts.append(
            Part(
                section.label,
                text[section.start : section.end].strip("\n"),
                section.label not in keep,
                section.heading,
                section.end - section.start,
            )
        )
        position = section.end
    if text[position:].strip():
        parts.append(Part("body", text[position:].strip("\n"), False))
    return parts


class FileVocabulary:
    """The word forms of one file, numbered as they first appear, with what is known of each
    form (a word or punctuation? its case-folded form), so counting a document costs its own
    tokens, not the file's vocabulary: a table of 100,000 rows is linear, not quadratic.

    >>> vocabulary = FileVocabulary()
    >>> ids = vocabulary.ids(["Peer", "peer", ".", "Peer"])
    >>> ids.tolist(), vocabulary.count_words(ids)
    ([0, 1, 2, 0], (3, 1))
    """

    def __init__(self, *, first_character_decides: bool = False):
        # first_character_decides: every form is a default-tokenizer token, which holds a letter
        # or digit exactly when it starts with one (DEFAULT_TOKEN_PATTERN's alternatives), so
        # str.isalnum of its first character tells a word (tests/ingest/test_ingest_speed.py)
        self._first_character_decides = first_character_decides
        self.forms: list[str] = []
        self._lookup: dict[str, int] = {}
        self._is_word = np.zeros(1024, dtype=bool)
        self._norm_of_form = np.zeros(1024, dtype=np.int32)  # each form's case-folded form, numbered
        self._norms: dict[str, int] = {}

    def ids(self, words: list[str]) -> np.ndarray:
        """The ids of ``words``, numbering new forms."""

        lookup = self._lookup
        # dict.fromkeys: the distinct words in order of first appearance, at C speed
        new = list(dict.fromkeys(words)) if not lookup else [word for word in dict.fromkeys(words) if word not in lookup]
        if new:
            first, stop = len(self.forms), len(self.forms) + len(new)
            lookup.update(zip(new, range(first, stop)))
            self.forms.extend(new)
            while stop > len(self._is_word):
                self._is_word = np.concatenate([self._is_word, np.zeros(len(self._is_word), dtype=bool)])
                self._norm_of_form = np.concatenate([self._norm_of_form, np.zeros(len(self._norm_of_form), dtype=np.int32)])
            if self._first_character_decides:
                is_word = map(str.isalnum, map(itemgetter(0), new))
            else:
                is_word = map(bool, map(_ALPHANUMERIC.search, new))
            self._is_word[first:stop] = np.fromiter(is_word, dtype=bool, count=len(new))
            norms = self._norms
            normal = _normalized(new)
            unseen = list(dict.fromkeys(normal)) if not norms else [form for form in dict.fromkeys(normal) if form not in norms]
            norms.update(zip(unseen, range(len(norms), len(norms) + len(unseen))))
            self._norm_of_form[first:stop] = np.fromiter(map(norms.__getitem__, normal), dtype=np.int32, count=len(new))
        return np.fromiter(map(lookup.__getitem__, words), dtype=np.int32, count=len(words))

    def count_words(self, ids: np.ndarray) -> tuple[int, int]:
        """Words (tokens that contain a letter or digit) and word types (distinct case-folded
        forms, as ``freq`` and ``stats`` count them) of one document's ``ids``."""
        if not len(ids):
            return 0, 0
        words = ids[self._is_word[ids]]
        if not len(words):
            return 0, 0
        seen = np.zeros(len(self._norms), dtype=bool)
        seen[self._norm_of_form[words]] = True
        return len(words), int(np.count_nonzero(seen))


# A letter or digit (str.isalnum: re's \w without the underscore).
_ALPHANUMERIC = re.compile(r"[^\W_]")


def _normalized(words: list[str]) -> list[str]:
    """``normalize_form`` of each word: of all of them joined by line ends at once (a token
    holds no white space), or one by one if that does not give them back one for one."""
    joined = "\n".join(words).casefold()
    for typographic, plain in _TYPOGRAPHIC:  # str.translate looks every character up: slower
        if typographic in joined:
            joined = joined.replace(typographic, plain)
    normal = joined.split("\n")
    if len(normal) != len(words):
        normal = [normalize_form(word) for word in words]
    return normal


# normalize_form's character replacements (no replacement makes another one's character)
_TYPOGRAPHIC = [(chr(code), plain) for code, plain in _TYPOGRAPHIC_TABLE.items()]
assert not any(typographic in plain for typographic, _ in _TYPOGRAPHIC for _, plain in _TYPOGRAPHIC)


def _concatenate(chunks: list[np.ndarray], name: str) -> np.ndarray:
    if len(chunks) == 1:  # a file of one document: its arrays as they are
        return chunks[0]
    if chunks:
        return np.concatenate(chunks)
    if name.endswith("_spans"):
        return np.zeros((0, 2), dtype=np.int32)
    return np.zeros(0, dtype=np.uint8 if name == "text_bytes" else np.int64)
