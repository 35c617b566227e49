"""Lexical statistics per document and per group: size, diversity, sentence length, readability.

    table = text_stats(corpus)                  # one row per document
    group_stats(table, corpus, "genre")         # means per genre (sums for counts)

- ``ttr``: types / tokens (falls as texts get longer, so it only compares equal lengths);
- ``mattr``: moving-average TTR over windows of 100 words (Covington & McFall 2010), robust
  to length (= TTR for texts shorter than the window);
- ``mean_sentence_length``: words per sentence, over the document's prose sentences
  (``prose_sentences``: complete sentences of prose, ``prose.is_prose_sentence``; headings,
  code, tables, formulae and reference entries would make any text look easy or hard);
- ``flesch``: Flesch reading ease, 206.835 − 1.015 · words/sentence − 84.6 · syllables/word,
  over the same prose sentences, syllables estimated from vowel groups (a silent final e
  removed), as most tools do.
Words are tokens with a letter or digit, lower-cased; nothing here needs NLTK data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..core.chunks import ChunkTokens, document_chunks, read_rows
from ..core.corpus import Corpus
from ..core.distinct import distinct
from ..core.prose import is_prose_sentence
from .frequency import document_sizes
from .params import Params

MATTR_WINDOW = 100
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Estimated syllables of a lower-case word.

    >>> syllables("recovery"), syllables("peer"), syllables("rate")
    (4, 1, 1)
    """
    letters = "".join(ch for ch in word if ch.isalpha())
    if not letters:
        return 0
    count = len(_VOWEL_GROUPS.findall(letters))
    if letters.endswith("e") and not letters.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def mattr(ids: np.ndarray, window: int = MATTR_WINDOW) -> float:
    """Moving-average type-token ratio of a sequence of word ids: the mean over every window of
    ``window`` words of its distinct words, over ``window``.

    Counted without sliding: a word at ``i`` whose previous occurrence is at ``p`` (−1 if none)
    is new in exactly the windows that start in ``max(p + 1, i − window + 1) … min(i, n − window)``,
    so the windows' distinct counts sum to the sum of those ranges' lengths (integers: the same
    total as a sliding count).

    >>> mattr(np.array([1, 2, 1, 3]), window=2)
    1.0
    >>> mattr(np.array([1, 1, 2, 2]), window=3)
    0.6666666666666666
    """
    n = len(ids)
    if n == 0:
        return 0.0
    if n <= window:
        return len(distinct(ids)) / n
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    previous = np.full(n, -1, dtype=np.int64)
    same = sorted_ids[1:] == sorted_ids[:-1]
    previous[order[1:][same]] = order[:-1][same]
    positions = np.arange(n, dtype=np.int64)
    first_window = np.maximum(previous + 1, positions - window + 1)
    last_window = np.minimum(positions, n - window)
    total = int(np.maximum(last_window - first_window + 1, 0).sum())
    return total / ((n - window + 1) * window)


def text_stats(corpus: Corpus):
    """One row per document: words, types, ttr, mattr, sentences, mean_sentence_length, flesch,
    prose_sentences (``flesch`` is NaN for a document without a prose sentence).

    >>> text_stats(corpus).columns.tolist()[:4]                       # doctest: +SKIP
    ['doc', 'words', 'types', 'ttr']
    """
    import pandas as pd

    parts = list(text_stats_parts(corpus))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame([], columns=STATS_COLUMNS)


def text_stats_parts(corpus: Corpus):
    """``text_stats`` a chunk of documents at a time (``core/chunks.py``): DataFrames with its
    columns and dtypes, in corpus order, whose concatenation is ``text_stats(corpus)``. What a
    table of every document is written from without holding it (a row is ~1 KB as a dict).

    >>> sum(len(part) for part in text_stats_parts(corpus)) == len(corpus)   # doctest: +SKIP
    True
    """
    import pandas as pd

    corpus, docs = corpus.within()  # a where view: its documents, in the arrays it shares
    tokens = corpus.tokens
    is_word = np.asarray(tokens.is_word)
    norm_of_type = np.asarray(tokens.norm_of_type)
    norm_vocab = tokens.norm_vocab
    syllables_of_norm = np.array([syllables(w) for w in norm_vocab], dtype=np.int64)
    n_sentences = document_sizes(corpus)[1]
    # a chunk of documents at a time: its token ids, sentence numbers and sentence spans read
    # once, so that memory stays flat however many documents there are
    for chunk in document_chunks(corpus, docs=docs):
        part = ChunkTokens(tokens, chunk)
        chunk_ids, chunk_sentence = part.ids, part.sentence
        first_sentence = int(chunk_sentence.min()) if len(chunk_sentence) else 0
        last_sentence = int(chunk_sentence.max()) + 1 if len(chunk_sentence) else 0
        spans = read_rows(tokens.sentence_spans, first_sentence, last_sentence)
        columns: dict[str, list] = {name: [] for name in STATS_COLUMNS}
        at = 0
        for doc, length in zip(part.docs.tolist(), part.doc_lengths.tolist()):
            ids = chunk_ids[at : at + length]
            sentence_of_token = chunk_sentence[at : at + length]
            at += length
            words = norm_of_type[ids[is_word[ids]]]
            n_words = len(words)
            prose = _prose_of(corpus, doc, sentence_of_token, spans, first_sentence)
            prose_words = norm_of_type[ids[is_word[ids] & prose.tokens]]
            per_sentence = len(prose_words) / prose.sentences if prose.sentences else 0.0
            per_word = syllables_of_norm[prose_words].sum() / len(prose_words) if len(prose_words) else 0.0
            types = len(distinct(words))
            for name, value in (
                ("doc", corpus.doc_id(doc)),
                ("words", n_words),
                ("types", types),
                ("ttr", round(types / n_words, 4) if n_words else 0.0),
                ("mattr", round(mattr(words), 4)),
                ("sentences", int(n_sentences[doc])),
                ("mean_sentence_length", round(per_sentence, 2)),
                ("flesch", round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 2) if len(prose_words) else np.nan),
                ("prose_sentences", prose.sentences),
            ):
                columns[name].append(value)
        yield pd.DataFrame({name: np.array(values, dtype=_STATS_DTYPES[name]) if name in _STATS_DTYPES else values for name, values in columns.items()})


STATS_COLUMNS = ["doc", "words", "types", "ttr", "mattr", "sentences", "mean_sentence_length", "flesch", "prose_sentences"]
_STATS_DTYPES = {"words": np.int64, "types": np.int64, "ttr": np.float64, "mattr": np.float64, "sentences": np.int64,
                 "mean_sentence_length": np.float64, "flesch": np.float64, "prose_sentences": np.int64}


class _Prose:
    """Which tokens of a document are in prose sentences, and how many such sentences."""

    def __init__(self, tokens: np.ndarray, sentences: int):
        self.tokens, self.sentences = tokens, sentences


def _prose_of(corpus: Corpus, doc: int, sentence_of_token: np.ndarray, spans: np.ndarray, first_span: int) -> _Prose:
    """Which of document ``doc``'s tokens (``sentence_of_token``: their sentence numbers) are
    in prose sentences; ``spans`` are the sentence spans from number ``first_span`` on."""
    if not len(sentence_of_token):
        return _Prose(np.zeros(0, dtype=bool), 0)
    first, last = int(sentence_of_token.min()), int(sentence_of_token.max())
    text = corpus.text(doc)
    is_prose = np.array([is_prose_sentence(text[int(a) : int(b)]) for a, b in spans[first - first_span : last + 1 - first_span].tolist()], dtype=bool)
    return _Prose(is_prose[sentence_of_token - first], int(is_prose.sum()))


def group_stats(table, corpus: Corpus, field_name: str):
    """Per value of ``field_name``: documents, summed words and sentences, and the *mean over
    the group's documents* of ttr, mattr, mean_sentence_length and flesch (each document
    weighs the same; a TTR of the pooled words would fall with the group's size), rounded as
    the document rows are."""
    corpus.require_field(field_name)
    values = [corpus.doc_metadata(i).get(field_name) for i in range(len(corpus))]
    frame = table.assign(**{field_name: ["(missing)" if v is None else str(v) for v in values]})
    grouped = frame.groupby(field_name, sort=True)
    result = grouped[["ttr", "mattr", "mean_sentence_length", "flesch"]].mean().round({"ttr": 4, "mattr": 4, "mean_sentence_length": 2, "flesch": 2})
    result.insert(0, "sentences", grouped["sentences"].sum())
    result.insert(0, "words", grouped["words"].sum())
    result.insert(0, "documents", grouped.size())
    return result.reset_index()



@dataclass(frozen=True)
class StatsParams(Params):
    """``stats``: words, types, TTR, MATTR, sentence length, Flesch (per group with ``by``)."""

    by: str | None = None
    where: tuple[str, ...] = ()

    def fields_used(self) -> dict[str, str]:
        return {"by": self.by} if self.by else {}
