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
    wordnet = english_wordnet()
    function_words = load_stopwords("english")

    def lemma(word: str) -> str:
        if word in function_words:
            return word
        verb = wordnet.morphy(word, "v")
        if verb and verb != word:
            return verb
        if word.endswith("ss") or len(word) <= 2:
            return word
        # NLTK's WordNetLemmatizer().lemmatize(word): the shortest of WordNet's noun analyses
        nouns = wordnet._morphy(word, "n")
        return min(nouns, key=len) if nouns else word

    return lemma


_WORDNET = None


def english_wordnet():
    """NLTK's WordNet reader, loaded once, without the table NLTK makes on loading it that maps
    WordNet 3.0's synsets for the multilingual wordnets (OMW): NLTK 3.10 makes it even when the
    WordNet loaded is 3.0 itself (``map_wn`` compares the version, "3.0", with the name
    "wordnet"), reading index.sense twice, over half of the ~2.5 s WordNet takes to load; lemmas
    use no synset. A ``MissingDataError`` when WordNet is not installed."""
    global _WORDNET
    if _WORDNET is None:
        import warnings

        from nltk.corpus.reader.wordnet import WordNetCorpusReader
        from nltk.corpus.util import LazyCorpusLoader

        class EnglishWordNet(WordNetCorpusReader):
            def map_wn(self, version="wordnet"):
                return None

        reader = LazyCorpusLoader("wordnet", EnglishWordNet, None)  # found as nltk.corpus.wordnet is
        try:
            with warnings.catch_warnings():  # "multilingual functions are not available": not used
                warnings.simplefilter("ignore")
                reader.morphy("tests", "n")
        except LookupError:
            raise MissingDataError(
                "lemmatize needs NLTK's WordNet data: run 'peercorpus setup wordnet' (installs it "
                "from Debian's wordnet packages or, online, with nltk.download)"
            ) from None
        _WORDNET = reader
    return _WORDNET
