"""The query language shared by kwic, dispersion, collocates and dictionary coding.

A query is one or more words separated by spaces (a phrase). Each word is matched against
the *vocabulary* through the inverted index, never by scanning the text, so a look-up costs
the same on 5 MB or 100 MB, and a regular expression only ever sees single tokens::

    find_matches(tokens, "lived experience")          # phrase, case-insensitive
    find_matches(tokens, "recover*")                  # wildcards: * any letters, ? one
    find_matches(tokens, "recover", match="stem")     # recovery, recovering, recovered
                                                      # (same Snowball stem, or a suffix added)
    find_matches(tokens, r"peer-\\w+", regex=True)     # a regular expression per token
    → Matches(starts, ends)                           # token positions, end exclusive

Only ``match="stem"`` and ``match="lemma"`` need NLTK; the default path imports neither
NLTK nor scikit-learn.
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import UsageError
from ..ingest.tokenize import DEFAULT_TOKEN_PATTERN
from ..patterns import Budget, compile_pattern
from ..validate import check_choice
from .distinct import distinct
from .lemmas import lemmatizer
from .vocabulary import normalize_form

if TYPE_CHECKING:
    from .tokens import Tokens

MATCH_KINDS = ("form", "stem", "lemma")


@dataclass
class Matches:
    """Token spans of the hits of one query, sorted by position: ``starts[i]:ends[i]``."""

    query: str
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)


def parse_query(query: str) -> list[str]:
    """The words of a query; an empty query is a ``UsageError``."""
    words = query.split()
    if not words:
        raise UsageError("empty query: give a word, a phrase, a wildcard like recover* or `regex` PATTERN")
    return words


def split_punctuation(tokens: Tokens, words: list[str]) -> list[str]:
    """Query words cut as the text was tokenised, so a query matches the text as written:
    ``Mr. Darcy`` → ``Mr``, ``.``, ``Darcy`` (a word the vocabulary holds whole, such as
    ``U.K.`` or ``e.g.``, and wildcards stay as they are).

    >>> split_punctuation(tokens, ["Mr.", "Darcy"])     # doctest: +SKIP
    ['Mr', '.', 'Darcy']
    """
    norm_vocab = tokens.norm_vocab
    out: list[str] = []
    for word in words:
        pieces = re.findall(DEFAULT_TOKEN_PATTERN, word)
        form = normalize_form(word)
        at = bisect.bisect_left(norm_vocab, form)
        in_vocabulary = at < len(norm_vocab) and norm_vocab[at] == form
        if len(pieces) > 1 and not _is_wildcard(word) and not in_vocabulary:
            out.extend(pieces)
        else:
            out.append(word)
    return out


def find_matches(
    tokens: Tokens,
    query: str,
    *,
    match: str = "form",
    case_sensitive: bool = False,
    regex: bool = False,
    docs: np.ndarray | None = None,
    token_range: tuple[int, int] | None = None,
) -> Matches:
    """Every occurrence of ``query`` in ``tokens`` (optionally only in documents ``docs``,
    or only those starting at positions ``token_range = (start, stop)``: a chunk of whole
    documents, ``core/chunks.py``).

    A phrase matches consecutive tokens of one document (across line and column breaks,
    not across punctuation tokens).
    """
    check_choice("match", match, MATCH_KINDS)
    if case_sensitive and match != "form":
        raise UsageError("`case_sensitive` works with `match` form only")
    words = parse_query(query)
    if not regex:
        words = split_punctuation(tokens, words)
    type_sets = [_cached_types(tokens, word, match=match, case_sensitive=case_sensitive, regex=regex) for word in words]
    starts = _positions_of_types(tokens, type_sets[0], token_range)
    for offset, wanted in enumerate(type_sets[1:], start=1):
        following = starts + offset
        inside = following < len(tokens)
        starts, following = starts[inside], following[inside]
        if _index_size(tokens, wanted) <= 8 * len(starts) + 1024:
            # The next word's positions from the index (sorted: a binary search says whether
            # start + offset is one) read a few index entries instead of paging in token ids
            # all over the corpus.
            positions = _positions_of_types(tokens, wanted, token_range)
            at = np.minimum(np.searchsorted(positions, following), max(len(positions) - 1, 0))
            found = positions[at] == following if len(positions) else np.zeros(len(starts), dtype=bool)
        else:  # the next word is very common (or a wide pattern): look its tokens up
            found = wanted[np.asarray(tokens.ids[following])]
        starts, following = starts[found], following[found]
        same_doc = tokens.doc_of_position(following) == tokens.doc_of_position(starts)
        starts = starts[same_doc]
    if docs is not None and len(starts):
        starts = starts[np.isin(tokens.doc_of_position(starts), docs)]
    starts = np.sort(starts).astype(np.int64)
    return Matches(query, starts, starts + len(words))


#: Type masks kept per ``Tokens`` (a query searched chunk by chunk matches its vocabulary once).
_TYPE_CACHE_SIZE = 64


def _cached_types(tokens: Tokens, word: str, *, match: str, case_sensitive: bool, regex: bool) -> np.ndarray:
    cache = tokens.__dict__.setdefault("_query_types", {})
    key = (word, match, case_sensitive, regex)
    if key not in cache:
        if len(cache) >= _TYPE_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = _matching_types(tokens, word, match=match, case_sensitive=case_sensitive, regex=regex)
    return cache[key]


def _matching_types(tokens: Tokens, word: str, *, match: str, case_sensitive: bool, regex: bool) -> np.ndarray:
    """Boolean mask over vocabulary ids (forms as written) of the types ``word`` matches."""
    if case_sensitive:
        hits = _match_strings(tokens.vocab, word, regex=regex, flags=0, is_sorted=False)
        mask = np.zeros(len(tokens.vocab), dtype=bool)
        mask[hits] = True
        return mask
    norm_vocab = tokens.norm_vocab
    if match == "form":
        norm_hits = _match_strings(norm_vocab, word if regex else normalize_form(word), regex=regex, flags=re.IGNORECASE)
    else:
        key_of_norm, key_vocab = tokens.stem_of_norm if match == "stem" else tokens.lemma_of_norm
        wanted = word if regex or _is_wildcard(word) else _reduce(normalize_form(word), match)
        key_hits = _match_strings(key_vocab, wanted, regex=regex, flags=re.IGNORECASE)
        norm_hits = np.flatnonzero(np.isin(key_of_norm, key_hits))
        if match == "stem" and not (regex or _is_wildcard(word)):
            norm_hits = np.union1d(norm_hits, _suffixed(norm_vocab, normalize_form(word)))
    wanted_norm = np.zeros(len(norm_vocab), dtype=bool)
    wanted_norm[norm_hits] = True
    return wanted_norm[np.asarray(tokens.norm_of_type)]


#: Snowball keeps some derivations apart ("recover" → recov, "recovery" → recoveri); with
#: --match stem a query also finds itself plus one of these suffixes.
DERIVATION_SUFFIXES = ("s", "es", "ed", "ing", "y", "ies", "er", "ers", "ery", "eries", "ment", "ments", "ness", "ly", "ity")


def _suffixed(norm_vocab: list[str], word: str) -> np.ndarray:
    found = [_exact(norm_vocab, word + suffix) for suffix in DERIVATION_SUFFIXES]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _reduce(word: str, match: str) -> str:
    if match == "stem":
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer("english").stem(word)
    return lemmatizer()(word)


def _is_wildcard(word: str) -> bool:
    return "*" in word or "?" in word


def _match_strings(vocab: list[str], word: str, *, regex: bool, flags: int, is_sorted: bool = True) -> np.ndarray:
    """Indices of ``vocab`` entries equal to ``word``, or matching its wildcard or regex."""
    if regex:  # the user's pattern: with a time budget (patterns.py), so none can hang

        pattern = compile_pattern(word, ignore_case=bool(flags & re.IGNORECASE))
        budget = Budget("`regex`")
        return np.fromiter((i for i, entry in enumerate(vocab) if budget.fullmatch(pattern, entry)), dtype=np.int64)
    elif _is_wildcard(word):
        pattern = re.compile(fnmatch.translate(word), flags)
    else:
        return _exact(vocab, word, is_sorted=is_sorted)
    return np.fromiter((i for i, entry in enumerate(vocab) if pattern.fullmatch(entry)), dtype=np.int64)


def _exact(vocab: list[str], word: str, *, is_sorted: bool = True) -> np.ndarray:
    """Index of ``word`` in ``vocab``: binary search when it is sorted (normalised, stem and
    lemma vocabularies are), else one scan (forms as written)."""
    import bisect

    if is_sorted:
        at = bisect.bisect_left(vocab, word)
        found = at < len(vocab) and vocab[at] == word
        return np.array([at] if found else [], dtype=np.int64)
    return np.fromiter((i for i, entry in enumerate(vocab) if entry == word), dtype=np.int64)


def _index_size(tokens: Tokens, type_mask: np.ndarray) -> int:
    """How many index positions the forms of ``type_mask`` have."""
    norm_ids = distinct(np.asarray(tokens.norm_of_type)[np.flatnonzero(type_mask)])
    offsets = np.asarray(tokens.index[0])
    return int((offsets[norm_ids + 1] - offsets[norm_ids]).sum())


def _positions_of_types(tokens: Tokens, type_mask: np.ndarray, token_range: tuple[int, int] | None = None) -> np.ndarray:
    """Token positions whose type is in ``type_mask`` (within ``token_range``), through the
    normalised-form index."""
    norm_ids = distinct(np.asarray(tokens.norm_of_type)[np.flatnonzero(type_mask)])
    if len(norm_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    offsets, positions = tokens.index
    if token_range is None:
        chunks = [np.asarray(positions[offsets[n] : offsets[n + 1]]) for n in norm_ids]
    elif hasattr(positions, "of_norm"):  # a partitioned index reads only the partitions in range
        chunks = [positions.of_norm(n, token_range) for n in norm_ids.tolist()]
    else:  # each form's positions are sorted: two binary searches find the range's part
        chunks = []
        for n in norm_ids.tolist():
            part = positions[offsets[n] : offsets[n + 1]]
            low, high = np.searchsorted(part, token_range)
            chunks.append(np.asarray(part[low:high]))
    found = np.concatenate(chunks).astype(np.int64)
    if len(chunks) > 1:
        found.sort()
    norm_of_type = np.asarray(tokens.norm_of_type)
    if type_mask[np.isin(norm_of_type, norm_ids)].all():
        return found  # every spelling of these forms is wanted: nothing to filter
    # A case-sensitive query shares an index entry with other spellings: keep its own.
    return found[type_mask[np.asarray(tokens.ids[found])]]
