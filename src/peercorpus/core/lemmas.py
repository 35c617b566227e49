"""Lemmas from WordNet without a part-of-speech tagger, safe for function words.

NLTK's ``WordNetLemmatizer`` reads every word as a noun and, of several analyses, keeps the
shortest, which makes non-words of function words and verb forms: was → wa, has → ha,
does → doe, as → a, us → u, hoped → hop. ``lemmatizer()`` decides per word form instead:

1. a stop word of the bundled English list (function words) is left as written: WordNet
   has no entry for most of them, and its noun readings of the rest are abbreviations
   (as → a for arsenic, was → wa for Washington);
2. a word WordNet knows as an inflected verb form takes its verb lemma, the first analysis
   of WordNet's morphology (supported → support, hoped → hope, went → go); in
   running text an -ed, -ing or irregular form is mostly a verb;
3. otherwise the noun lemma (recoveries → recovery), except that a word ending in "ss" or of
   one or two letters is not taken for a plural (boss, us), as WordNet's own morphology does.

    >>> lemma = lemmatizer()
    >>> [lemma(w) for w in ("was", "us", "recoveries", "supported", "boss")]
    ['was', 'us', 'recovery', 'support', 'boss']
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import MissingDataError
from .vocabulary import load_stopwords


def lemmatizer() -> Callable[[str], str]:
    """The lemma of a normalised (case-folded) word form, by the rules above; a
    ``MissingDataError`` that says how to install WordNet when it is missing."""
    from nltk.corpus import wordnet
    from nltk.stem import WordNetLemmatizer

    nouns = WordNetLemmatizer()
    try:
        nouns.lemmatize("tests")
    except LookupError:
        raise MissingDataError(
            "lemmatize needs NLTK's WordNet data: run 'peercorpus setup wordnet' (installs it "
            "from Debian's wordnet packages or, online, with nltk.download)"
        ) from None
    function_words = load_stopwords("english")

    def lemma(word: str) -> str:
        if word in function_words:
            return word
        verb = wordnet.morphy(word, wordnet.VERB)
        if verb and verb != word:
            return verb
        if word.endswith("ss") or len(word) <= 2:
            return word
        return nouns.lemmatize(word)

    return lemma
