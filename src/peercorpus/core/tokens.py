"""The integer-coded token stream of a whole corpus, and the views analyses take of it.

Tokens are ``int32`` ids into one vocabulary of forms as written; each keeps its document,
character offsets, sentence and paragraph (quanteda's ``tokens`` object is the model)::

    tokens = corpus.tokens
    tokens.vocab[tokens.ids[0]]           # 'Mental'
    tokens.char_starts[0], tokens.doc_of_token[0]
    features = tokens.features(TokenizeSettings(stopwords="english"))
    features.vocab[features.ids[0]]       # 'mental' (-1 where a token is dropped)

The vocabulary level does the work: lower-casing, stemming and stop-word flags are computed
once per type (tens of thousands), never once per token (millions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..config import TokenizeSettings
from ..errors import ConfigError
from .distinct import distinct
from .lemmas import lemmatizer
from .query import find_matches
from .vocabulary import load_stopwords, normalize_form, word_lines


@dataclass
class Features:
    """Token ids after an analysis' settings: ``ids[i]`` indexes ``vocab``, -1 = dropped."""

    ids: np.ndarray
    vocab: list[str]


@dataclass
class FeatureMap:
    """``Tokens.features`` as a mapping: ``type_to_feature[type]`` (-1 = dropped), the
    feature ``vocab``, and the compound phrases found, ``(start, length, term)`` by position."""

    type_to_feature: np.ndarray
    vocab: list[str]
    compounds: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def apply(self, ids: np.ndarray, first: int) -> np.ndarray:
        """Feature ids (int32, -1 = dropped) of the tokens ``ids``, which are the corpus'
        positions ``first`` onwards (a compound's first token becomes its term, the rest -1).
        Compounds never cross a document, so any run of whole documents maps as the corpus does."""
        out = self.type_to_feature[np.asarray(ids)]
        if self.compounds is not None and len(out):
            start, length, term = self.compounds
            low, high = np.searchsorted(start, [first, first + len(out)])
            start, length, term = start[low:high] - first, length[low:high], term[low:high]
            if len(start):
                for offset in range(1, int(length.max())):
                    out[start[length > offset] + offset] = -1
                out[start] = term
        return out


@dataclass
class Tokens:
    """All tokens of a corpus, flat, with per-document boundaries in ``doc_starts``.

    Arrays (one entry per token): ``ids``, ``char_starts``, ``char_ends`` (offsets in the
    document's text), ``sentence`` and ``paragraph`` (corpus-wide numbers). From a snapshot,
    integers are in the narrowest type that fits (uint16 ids below 65,536 forms) and ``char_ends``,
    ``sentence`` and ``paragraph`` are computed from smaller arrays when indexed
    (``core/derived.py``): index them, or ``np.asarray`` them, as arrays. Spans:
    ``sentence_spans``/``paragraph_spans`` are ``(n, 2)`` character offsets, and
    ``sentence_doc``/``paragraph_doc`` the document of each.
    """

    vocab: list[str]
    ids: np.ndarray
    doc_starts: np.ndarray
    char_starts: np.ndarray
    char_ends: np.ndarray
    sentence: np.ndarray
    paragraph: np.ndarray
    sentence_spans: np.ndarray
    sentence_doc: np.ndarray
    paragraph_spans: np.ndarray
    paragraph_doc: np.ndarray

    @property
    def n_docs(self) -> int:
        return len(self.doc_starts) - 1

    def __len__(self) -> int:
        return len(self.ids)

    def doc_slice(self, doc: int) -> slice:
        """Token positions of document ``doc``."""
        return slice(int(self.doc_starts[doc]), int(self.doc_starts[doc + 1]))

    @cached_property
    def doc_lengths(self) -> np.ndarray:
        return np.diff(self.doc_starts)

    @cached_property
    def doc_of_token(self) -> np.ndarray:
        """Document index of every token."""
        return np.repeat(np.arange(self.n_docs, dtype=np.int32), self.doc_lengths)

    def doc_of_position(self, positions: np.ndarray) -> np.ndarray:
        """Document index of the given token positions (without building ``doc_of_token``)."""
        return np.searchsorted(self.doc_starts, positions, side="right") - 1

    # --- vocabulary-level views -------------------------------------------------------

    @cached_property
    def _normalized(self) -> tuple[np.ndarray, list[str]]:
        return normalized_vocab(self.vocab)

    @property
    def norm_of_type(self) -> np.ndarray:
        """For every vocabulary id, the id of its normalised form in ``norm_vocab``."""
        return self._normalized[0]

    @property
    def norm_vocab(self) -> list[str]:
        """Case-folded forms with straight apostrophes, sorted."""
        return self._normalized[1]

    @cached_property
    def norm_ids(self) -> np.ndarray:
        """Normalised-form id of every token."""
        return self.norm_of_type[self.ids]

    @cached_property
    def is_word(self) -> np.ndarray:
        """Per vocabulary id: contains a letter or digit (not punctuation)."""
        return np.array([any(ch.isalnum() for ch in word) for word in self.vocab], dtype=bool)

    @cached_property
    def is_number(self) -> np.ndarray:
        """Per vocabulary id: a number (digits with . , : %) and no letters."""
        return np.array(
            [any(ch.isdigit() for ch in w) and not any(ch.isalpha() for ch in w) for w in self.vocab],
            dtype=bool,
        )

    @cached_property
    def stem_of_norm(self) -> tuple[np.ndarray, list[str]]:
        """Snowball (English) stem id of every normalised form, and the stem vocabulary."""
        return _stem_vocab(self.norm_vocab)

    @cached_property
    def lemma_of_norm(self) -> tuple[np.ndarray, list[str]]:
        """WordNet lemma id of every normalised form (needs the WordNet data; the rules
        for function words and verb forms are in ``lemmas.py``)."""
        lemma = lemmatizer()
        return _recode([lemma(word) for word in self.norm_vocab])

    # --- the inverted index: where each normalised form occurs -------------------------

    @cached_property
    def index(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR index: positions of form ``f`` are ``positions[offsets[f]:offsets[f+1]]``."""
        return inverted_index(self.ids, self.norm_of_type, len(self.norm_vocab))

    def positions_of_norm(self, norm_id: int) -> np.ndarray:
        """Sorted token positions whose normalised form is ``norm_id``."""
        offsets, positions = self.index
        return np.asarray(positions[offsets[norm_id] : offsets[norm_id + 1]], dtype=np.int64)

    # --- features for counting analyses ----------------------------------------------

    def features(self, settings: TokenizeSettings, *, default_stopwords: str = "none") -> Features:
        """Map every token to the feature an analysis counts, or -1 when it is filtered out.

        ``settings.stopwords=None`` falls back to ``default_stopwords`` (the analysis' own
        default). Filters apply to the form as written (``min_length``) and to its
        normalised form (stop words); stemming and lemmatising merge forms.
        """
        mapping = self.feature_map(settings, default_stopwords=default_stopwords)
        return _compact(mapping.apply(self.ids, 0), mapping.vocab)

    def feature_map(self, settings: TokenizeSettings, *, default_stopwords: str = "none") -> FeatureMap:
        """What ``features`` does, as vocabulary-sized arrays that map any range of tokens
        (``FeatureMap.apply``), so that counting can go a chunk of documents at a time.
        Its vocabulary is not compacted: features no token uses are still in it."""
        keep = np.ones(len(self.vocab), dtype=bool)
        if settings.drop_punct:
            keep &= self.is_word
        if settings.drop_numbers:
            keep &= ~self.is_number
        if settings.min_length > 1:
            keep &= np.array([len(w) >= settings.min_length for w in self.vocab], dtype=bool)
        stopwords = load_stopwords(settings.stopwords or default_stopwords, settings.extra_stopwords)
        if stopwords:
            stop_norm = np.array([word in stopwords for word in self.norm_vocab], dtype=bool)
            keep &= ~stop_norm[self.norm_of_type]

        if settings.lowercase:
            type_to_feature, vocab = self.norm_of_type, self.norm_vocab
            if settings.lemmatize:
                lemma_ids, vocab = self.lemma_of_norm
                type_to_feature = lemma_ids[type_to_feature]
            if settings.stem:
                stem_ids, vocab = _stem_vocab(vocab)
                type_to_feature = stem_ids[type_to_feature]
        else:
            type_to_feature, vocab = np.arange(len(self.vocab), dtype=np.int32), list(self.vocab)
            if settings.stem or settings.lemmatize:
                raise ConfigError("stem and lemmatize need lowercase: true")
        type_to_feature = np.where(keep, type_to_feature, -1).astype(np.int32)
        vocab = list(vocab)
        phrases = compound_phrases(settings)
        compounds = self._compound_spans(vocab, phrases) if phrases else None
        return FeatureMap(type_to_feature, vocab, compounds)

    def _compound_spans(self, vocab: list[str], phrases: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Where each phrase counts as one term (``lived_experience``) at its first token; its other
        tokens are dropped. Phrases are matched like kwic queries (case-insensitive).

        No token belongs to two compounds: the tokens are scanned left to right and at each
        position the longest listed phrase that matches wins (ties: the one listed first),
        then the scan goes on after it, as quanteda's ``tokens_compound(join = FALSE)``.
        Returns the chosen matches' ``(start, length, term)``, by position (``None``: none).
        With ``mental health`` and ``health services`` listed, "mental health services" is
        ``mental_health`` + ``services``.
        """
        terms = {word: i for i, word in enumerate(vocab)}
        starts, lengths, terms_of_match, ranks = [], [], [], []
        for rank, phrase in enumerate(phrases):
            matches = find_matches(self, phrase)
            name = "_".join(normalize_form(word) for word in phrase.split())
            if len(matches) == 0:
                continue
            if name not in terms:
                terms[name] = len(vocab)
                vocab.append(name)
            starts.append(matches.starts)
            lengths.append(matches.ends - matches.starts)
            terms_of_match.append(np.full(len(matches), terms[name], dtype=np.int32))
            ranks.append(np.full(len(matches), rank))
        if not starts:
            return None
        start, length, term = np.concatenate(starts), np.concatenate(lengths), np.concatenate(terms_of_match)
        # Candidates by position, then longest first, then in list order.
        order = np.lexsort((np.concatenate(ranks), -length, start))
        chosen, next_free = [], -1
        for candidate, at, size in zip(order.tolist(), start[order].tolist(), length[order].tolist()):
            if at >= next_free:
                chosen.append(candidate)
                next_free = at + size
        # ``vocab`` has gained the phrases' names (appended in place).
        return start[chosen], length[chosen], term[chosen]

    # --- subsets ---------------------------------------------------------------------

    def select_docs(self, docs: np.ndarray | list[int]) -> Tokens:
        """A new ``Tokens`` holding only documents ``docs`` (in that order), same vocabulary."""
        docs = np.asarray(docs, dtype=np.int64)
        lengths = self.doc_lengths[docs]
        take = np.concatenate(
            [np.arange(self.doc_starts[d], self.doc_starts[d + 1]) for d in docs]
        ) if len(docs) else np.zeros(0, dtype=np.int64)
        doc_starts = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=doc_starts[1:])
        sentence_keep = np.isin(self.sentence_doc, docs)
        paragraph_keep = np.isin(self.paragraph_doc, docs)
        new_doc = np.full(self.n_docs, -1, dtype=np.int32)
        new_doc[docs] = np.arange(len(docs), dtype=np.int32)
        sentence_renumber = np.cumsum(sentence_keep) - 1
        paragraph_renumber = np.cumsum(paragraph_keep) - 1
        return Tokens(
            vocab=self.vocab,
            ids=self.ids[take],
            doc_starts=doc_starts,
            char_starts=self.char_starts[take],
            char_ends=self.char_ends[take],
            sentence=sentence_renumber[self.sentence[take]].astype(np.int32),
            paragraph=paragraph_renumber[self.paragraph[take]].astype(np.int32),
            sentence_spans=self.sentence_spans[sentence_keep],
            sentence_doc=new_doc[self.sentence_doc[sentence_keep]],
            paragraph_spans=self.paragraph_spans[paragraph_keep],
            paragraph_doc=new_doc[self.paragraph_doc[paragraph_keep]],
        )


def normalized_vocab(vocab: list[str]) -> tuple[np.ndarray, list[str]]:
    """The normalised form's id of every vocabulary entry, and the sorted normalised forms.

    >>> normalized_vocab(["Peer", "peer", "Don’t"])
    (array([1, 1, 0], dtype=int32), ["don't", 'peer'])
    """
    return _recode([normalize_form(word) for word in vocab])


def inverted_index(ids, norm_of_type: np.ndarray, n_norms: int) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, positions)``: the token positions of each normalised form, ascending.

    The same as a stable ``argsort`` of ``norm_of_type[ids]``, without making that array.

    >>> inverted_index(np.array([2, 0, 1, 0]), np.array([0, 1, 0]), 2)
    (array([0, 3, 4]), array([0, 1, 3, 2]))
    """
    offsets = index_offsets(ids, norm_of_type, n_norms)
    return offsets, index_positions(ids, norm_of_type, offsets, 0, n_norms)


def index_offsets(ids, norm_of_type: np.ndarray, n_norms: int, *, chunk: int = 1 << 20) -> np.ndarray:
    """Where each normalised form's positions start in the index (``n_norms + 1`` entries).

    ``ids`` is anything that gives arrays for slices ``ids[a:b]``, read a chunk at a time.
    """
    counts = np.zeros(n_norms, dtype=np.int64)
    for start in range(0, len(ids), chunk):
        counts += np.bincount(norm_of_type[ids[start : start + chunk]], minlength=n_norms)
    offsets = np.zeros(n_norms + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def index_positions(ids, norm_of_type: np.ndarray, offsets: np.ndarray, first: int, stop: int, *, chunk: int = 1 << 20) -> np.ndarray:
    """The part ``offsets[first]:offsets[stop]`` of the index: positions of forms ``first`` to
    ``stop - 1``. A counting sort, a chunk of tokens at a time, so that a whole corpus's index
    can be made in parts no larger than memory allows.

    >>> index_positions(np.array([2, 0, 1, 0]), np.array([0, 1, 0]), np.array([0, 3, 4]), 1, 2)
    array([2])
    """
    positions = np.empty(int(offsets[stop] - offsets[first]), dtype=np.int64)
    next_slot = offsets[first:stop] - offsets[first]  # where the next position of each form goes
    for start in range(0, len(ids), chunk):
        norms = norm_of_type[ids[start : start + chunk]]
        taken = np.flatnonzero((norms >= first) & (norms < stop))
        norms = norms[taken] - first
        order = stable_order(norms, stop - first)
        counts = np.bincount(norms, minlength=stop - first)
        sorted_norms = norms[order]
        rank = np.arange(len(norms)) - (np.cumsum(counts) - counts)[sorted_norms]
        positions[next_slot[sorted_norms] + rank] = start + taken[order]
        next_slot += counts
    return positions


def stable_order(values: np.ndarray, n_values: int) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` of integers in ``[0, n_values)``, ``n_values`` at
    most 2**32: as 16-bit numbers, which numpy sorts by radix (one pass, or two: low half then
    high half), ~4-6x faster than sorting 32- or 64-bit ones (the index of a partition is most
    of its finishing time).

    >>> stable_order(np.array([70000, 3, 70000, 1]), 70001)
    array([3, 1, 0, 2])
    """
    if n_values <= 1 << 16:
        return np.argsort(values.astype(np.uint16), kind="stable")
    by_low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    return by_low[np.argsort((values[by_low] >> 16).astype(np.uint16), kind="stable")]


def _recode(words: list[str]) -> tuple[np.ndarray, list[str]]:
    """Ids of ``words`` in the sorted list of their distinct values."""
    vocab = sorted(set(words))
    lookup = {word: i for i, word in enumerate(vocab)}
    return np.fromiter((lookup[w] for w in words), dtype=np.int32, count=len(words)), vocab


def _stem_vocab(vocab: list[str]) -> tuple[np.ndarray, list[str]]:
    from nltk.stem.snowball import SnowballStemmer

    stemmer = SnowballStemmer("english")
    return _recode([stemmer.stem(word) for word in vocab])


def _compact(ids: np.ndarray, vocab: list[str]) -> Features:
    """Drop vocabulary entries no kept token uses, so feature vocabularies stay small."""
    used = distinct(ids[ids >= 0])
    remap = np.full(len(vocab) + 1, -1, dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return Features(ids=remap[ids], vocab=[vocab[i] for i in used])


def compound_phrases(settings: TokenizeSettings) -> list[str]:
    """The multi-word phrases to count as single terms, in order: ``compounds``, then the
    lines of ``compounds_file`` (the order breaks ties in ``Tokens._compound_spans``)."""
    phrases = [p for p in settings.compounds if len(p.split()) > 1]
    if settings.compounds_file:
        path = Path(settings.compounds_file)
        if not path.is_file():
            raise ConfigError(f"compounds_file: '{path}' is not a file of phrases (one a line)")
        phrases += [p for p in word_lines(path.read_text(encoding="utf-8-sig")) if len(p.split()) > 1]
    return phrases
