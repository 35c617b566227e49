"""Which words go together: collocates of a node word, and significant bigrams / trigrams.

    collocates(corpus, settings, "peer", left=5, right=5, measure="logdice")
    collocations(corpus, settings, size=2, measure="likelihood", min_count=3)

**Collocates** count the words within ``left``/``right`` tokens of a hit of the node (a
word, phrase or wildcard, as in ``kwic``), inside its document. Windows that overlap are
merged: a token near two hits is counted once (Evert 2008, surface cooccurrence), on the
side of the nearer hit (a tie counts as left); the node's own tokens are not counted. With
``O`` the collocate's tokens in the windows, ``R`` all word tokens in the windows, ``C`` the
collocate's corpus frequency and ``N`` the corpus size (words, as counted), the expected
count is ``E = R·C/N`` and the 2×2 table is ``[[O, R−O], [C−O, N−R−C+O]]``, every cell ≥ 0:
G² on that table, MI = log2(O/E), t = (O−E)/√O, logDice = 14 + log2(2·O / (node frequency +
C)) (Rychlý 2008; at most 14 unless a collocate occurs in the windows more often than the
node occurs). In "peer support peer work", window 1 each side: ``support`` is counted once,
on the left of the second "peer".

**Collocations** score every pair of adjacent words (stop words and punctuation removed
first, pairs never span two documents) with NLTK's measures (``association.py`` gives the
same numbers as ``nltk.metrics.BigramAssocMeasures``); pairs containing a stop word are
left out of the list but still count in the marginals, like NLTK's ``apply_word_filter``.
Trigrams use NLTK's ``TrigramCollocationFinder`` on the cached tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..config import TokenizeSettings
from ..core.chunks import run
from ..core.corpus import Corpus
from ..core.query import find_matches
from ..core.vocabulary import load_stopwords
from ..errors import UsageError
from ..validate import check_choice, check_int
from .association import BIGRAM_MEASURES, _xlogx_over, log_dice
from .params import MATCHES, Params
from .partials import CollocateCounts, PairCounts, TripleCounts, decode_keys, encode_rows

COLLOCATE_MEASURES = ("likelihood", "mi", "t", "logdice")
COLLOCATION_MEASURES = tuple(BIGRAM_MEASURES)


# One spelling per concept: pointwise mutual information is "mi" for collocates and "pmi" for
# collocations (their output columns, which stay); each accepts the other's spelling.
def collocate_measure(measure: str) -> str:
    """``"pmi"`` → ``"mi"``; any other measure as given (checked by the caller)."""
    return "mi" if measure == "pmi" else measure


def collocation_measure(measure: str) -> str:
    """``"mi"`` → ``"pmi"``; any other measure as given (checked by the caller)."""
    return "pmi" if measure == "mi" else measure


def collocates(corpus: Corpus, settings: TokenizeSettings, node: str, *, left: int = 5, right: int = 5, measure: str = "likelihood", min_count: int = 2, top: int | None = None, **match_options):
    """Collocates of ``node`` ranked by ``measure`` (see module), and the node's frequency;
    an empty table when the node does not occur."""
    import pandas as pd

    check_int("left", left, minimum=0)
    check_int("right", right, minimum=0)
    if left + right == 0:
        raise UsageError("the window is empty: give `left` or `right` of at least 1")
    measure = check_choice("measure", collocate_measure(measure), COLLOCATE_MEASURES)
    check_int("min_count", min_count, minimum=1)
    tokens = corpus.within()[0].tokens  # a where view: the arrays it shares (run counts its documents)
    find_matches(tokens, node, token_range=(0, 0), **match_options)  # a bad query fails here, before counting
    mapping = tokens.feature_map(settings, default_stopwords="none")
    columns = ["collocate", "observed", "expected", "collocate_freq", "left_count", "right_count", "g2", "mi", "t", "logdice"]
    # one pass, a chunk of documents at a time: the node's windows never leave a document
    corpus_freq, left_counts, right_counts, n_hits = run(CollocateCounts(mapping, node, left, right, match_options), corpus)
    if n_hits == 0:
        return pd.DataFrame([], columns=columns), 0
    observed = left_counts + right_counts
    n = int(corpus_freq.sum())
    window_total = int(observed.sum())
    keep = np.flatnonzero(observed >= min_count)
    o, c = observed[keep].astype(np.float64), corpus_freq[keep].astype(np.float64)
    expected = window_total * c / n
    table = pd.DataFrame(
        {
            "collocate": [mapping.vocab[i] for i in keep],
            "observed": observed[keep],
            "expected": np.round(expected, 4),
            "collocate_freq": corpus_freq[keep],
            "left_count": left_counts[keep],
            "right_count": right_counts[keep],
            "g2": np.round(_window_g2(o, window_total, c, n), 4),
            "mi": np.round(np.log2(o / expected), 4),
            "t": np.round((o - expected) / np.sqrt(o), 4),
            "logdice": np.round(log_dice(o, n_hits, c), 4),
        }
    )
    key = {"likelihood": "g2", "mi": "mi", "t": "t", "logdice": "logdice"}[measure]
    table = table.sort_values([key, "collocate"], ascending=[False, True], ignore_index=True)
    return (table.head(top) if top else table), n_hits


def _window_g2(o, r, c, n):
    """G² of the table [[O, R−O], [C−O, N−R−C+O]] with expected counts from its margins."""
    cells = ((o, r * c / n), (r - o, r * (n - c) / n), (c - o, (n - r) * c / n), (n - r - c + o, (n - r) * (n - c) / n))
    g2 = 2 * sum(_xlogx_over(obs, exp) for obs, exp in cells)
    return np.where(o > r * c / n, g2, -g2)


def collocations(corpus: Corpus, settings: TokenizeSettings, *, size: int = 2, measure: str = "likelihood", min_count: int = 3, top: int | None = None):
    """Significant adjacent word pairs (``size=2``) or triples (``size=3``), best first."""

    check_int("size", size, minimum=2, maximum=3)
    measure = check_choice("measure", collocation_measure(measure), COLLOCATION_MEASURES)
    check_int("min_count", min_count, minimum=1)
    stopwords = load_stopwords(settings.stopwords or "english", settings.extra_stopwords)
    counted = replace(settings, stopwords="none", extra_stopwords=())
    mapping = corpus.within()[0].tokens.feature_map(counted, default_stopwords="none")
    stop = np.array([word in stopwords for word in mapping.vocab], dtype=bool)
    if size == 3:
        table = _trigrams(run(TripleCounts(mapping), corpus), mapping.vocab, stop, measure, min_count)
    else:
        table = _bigrams(*run(PairCounts(mapping), corpus), mapping.vocab, stop, measure, min_count)
    return table.head(top) if top else table


def _bigrams(total, word_freq, keys, pair_freq, vocab, stop, measure, min_count):
    """The bigram table from the merged ``PairCounts`` (``total`` features kept)."""
    import pandas as pd

    n_vocab = len(vocab)
    first, second = keys // max(n_vocab, 1), keys % max(n_vocab, 1)
    keep = (pair_freq >= min_count) & ~stop[first] & ~stop[second]
    first, second, pair_freq = first[keep], second[keep], pair_freq[keep]
    score = BIGRAM_MEASURES[measure](pair_freq, word_freq[first], word_freq[second], total)
    table = pd.DataFrame(
        {
            "collocation": [f"{vocab[a]} {vocab[b]}" for a, b in zip(first, second)],
            "count": pair_freq,
            "w1_count": word_freq[first],
            "w2_count": word_freq[second],
            "score": np.round(score, 6),
        }
    )
    return table.sort_values(["score", "collocation"], ascending=[False, True], ignore_index=True).assign(measure=measure)


def _trigrams(counts, vocab, stop, measure, min_count):
    """NLTK's ``TrigramCollocationFinder`` over the merged ``TripleCounts``: the same counts
    ``from_documents`` makes, given only for the triples that pass the filters (and the
    pairs those need), so that no Python dict holds every triple of a large corpus."""
    import pandas as pd
    from nltk.collocations import TrigramCollocationFinder
    from nltk.metrics import TrigramAssocMeasures
    from nltk.probability import FreqDist

    word_freq, (pair_keys, pair_counts), (wild_keys, wild_counts), (triple_keys, triple_counts) = counts
    n_vocab = len(vocab)
    triples = decode_keys(triple_keys, 3, n_vocab)
    keep = (triple_counts >= min_count) & ~stop[triples].any(axis=1)
    triples, triple_counts = triples[keep], triple_counts[keep]

    def lookup(keys, values, rows):
        at = np.minimum(np.searchsorted(keys, rows), max(len(keys) - 1, 0))
        return np.where(keys[at] == rows, values[at], 0) if len(keys) else np.zeros(len(rows), dtype=np.int64)

    left = lookup(pair_keys, pair_counts, encode_rows(triples[:, [0, 1]], n_vocab))
    right = lookup(pair_keys, pair_counts, encode_rows(triples[:, [1, 2]], n_vocab))
    wild = lookup(wild_keys, wild_counts, encode_rows(triples[:, [0, 2]], n_vocab))
    word_fd = FreqDist(dict(enumerate(word_freq.tolist())))
    bigram_fd, wildcard_fd, trigram_fd = FreqDist(), FreqDist(), FreqDist()
    for (a, b, c), n, ab, bc, ac in zip(triples.tolist(), triple_counts.tolist(), left.tolist(), right.tolist(), wild.tolist()):
        trigram_fd[(a, b, c)] = n
        bigram_fd[(a, b)] = ab
        bigram_fd[(b, c)] = bc
        wildcard_fd[(a, c)] = ac
    finder = TrigramCollocationFinder(word_fd, bigram_fd, wildcard_fd, trigram_fd)
    scorer = {"likelihood": TrigramAssocMeasures.likelihood_ratio, "pmi": TrigramAssocMeasures.pmi, "t": TrigramAssocMeasures.student_t, "chi2": TrigramAssocMeasures.chi_sq}[measure]
    rows = [
        {"collocation": " ".join(vocab[w] for w in gram), "count": finder.ngram_fd[gram], "score": round(float(score), 6)}
        for gram, score in finder.score_ngrams(scorer)
    ]
    table = pd.DataFrame(rows, columns=["collocation", "count", "score"])
    return table.sort_values(["score", "collocation"], ascending=[False, True], ignore_index=True).assign(measure=measure)



@dataclass(frozen=True)
class CollocatesParams(Params):
    """``collocates``: words within a window of a node word or phrase."""

    node: str
    left: int = 5
    right: int = 5
    measure: str = "likelihood"
    match: str = "form"
    min_count: int = 2
    top: int | None = None  # every row; a report shows TOP_SHOWN['report'] when not given
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_int("left", self.left, minimum=0)
        check_int("right", self.right, minimum=0)
        check_choice("measure", collocate_measure(self.measure), COLLOCATE_MEASURES)
        check_choice("match", self.match, MATCHES)
        check_int("min_count", self.min_count, minimum=1)
        if self.top is not None:
            check_int("top", self.top, minimum=1)


@dataclass(frozen=True)
class CollocationsParams(Params):
    """``collocations``: significant adjacent word pairs (or triples)."""

    size: int = 2
    measure: str = "likelihood"
    min_count: int = 3
    top: int | None = None  # every row; a report shows TOP_SHOWN['report'] when not given
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_int("size", self.size, minimum=2, maximum=3)
        check_choice("measure", collocation_measure(self.measure), COLLOCATION_MEASURES)
        check_int("min_count", self.min_count, minimum=1)
        if self.top is not None:
            check_int("top", self.top, minimum=1)
