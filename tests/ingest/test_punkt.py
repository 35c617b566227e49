"""FastPunkt: NLTK Punkt's sentence spans, faster, and linear on the inputs NLTK's ReDoS reports
were made of (NLTK issues #2866, #3013, PR #2869, #3014)."""

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.ingest.punkt import FastPunkt
from peercorpus.ingest.tokenize import fast_sentence_splitter, paragraph_spans, sentence_splitter

# The inputs of NLTK's ReDoS and slow-down reports, and two of ours: a run of sentence ends with
# no space ("!)": every candidate overlaps the one before) and a word too long to end.
KNOWN_BAD = {
    "issue 2866 (a run of one letter)": lambda n: "a" * n,
    "issue 2866 (vandalised Wikipedia)": lambda n: "swirley thing w" + "e" * n,
    "issue 3013 ('a. ' repeated)": lambda n: "a. " * (n // 3),
    "PR 3014 ('a.' repeated)": lambda n: "a." * (n // 2),
    "PR 3014 ('abc.' repeated)": lambda n: "abc." * (n // 4),
    "PR 3014 ('a ' repeated)": lambda n: "a " * (n // 2),
    "PR 3014 ('abc ' repeated)": lambda n: "abc " * (n // 4),
    "sentence ends without spaces": lambda n: "!)" * (n // 2),
    "periods and quotes": lambda n: '."' * (n // 2),
    "a long word ending a sentence": lambda n: "x" * n + ". Then more.",
    "ellipses and dashes": lambda n: "... -- " * (n // 7),
}


def nltk_spans(text):
    return list(sentence_splitter().span_tokenize(text))


def fast_spans(text):
    return list(fast_sentence_splitter().span_tokenize(text))


def test_same_spans_as_nltk_on_ordinary_text():
    text = (
        'Dr. Smith met Mr. J. Bach at 5 p.m. on Jan. 3. "It works!" he said. (See Fig. 2.) '
        "The U.K. rate rose 3.5%... Then it fell. e.g. this one? Yes! 1. First item 2. Second "
        "item. She said: \u201cNo.\u201d Then left.\nA new line. Ends with abbreviations etc."
    )
    assert fast_spans(text) == nltk_spans(text)
    assert len(fast_spans(text)) > 5


@pytest.mark.parametrize("name", sorted(KNOWN_BAD))
def test_same_spans_as_nltk_on_the_known_bad_inputs(name):
    text = KNOWN_BAD[name](3000)
    assert fast_spans(text) == nltk_spans(text)


class _Counted:
    """A regex method that adds up the characters of text each call may look at."""

    def __init__(self, method, seen):
        self.method, self.seen = method, seen

    def __call__(self, text, pos=0, endpos=None, **options):
        end = len(text) if endpos is None else endpos
        self.seen[0] += end - pos
        return self.method(text, pos, end, **options) if endpos is not None else self.method(text, **options)


class _CountedPattern:
    def __init__(self, pattern, seen):
        self.finditer = _Counted(pattern.finditer, seen)


@pytest.mark.parametrize("name", sorted(KNOWN_BAD))
def test_the_regexes_see_a_bounded_share_of_the_text(name):
    """Each regex call sees a part of the text, and all calls together a few times the text:
    work that grows linearly, so a long hostile paragraph cannot take quadratic time."""
    splitter = FastPunkt(sentence_splitter())
    seen = [0]
    splitter.period_context = _CountedPattern(splitter.period_context, seen)
    for attribute in ("word_findall", "realign_match", "numeric_match", "ellipsis_match", "initial_match"):
        setattr(splitter, attribute, _Counted(getattr(splitter, attribute), seen))
    for n in (2_000, 20_000):
        seen[0] = 0
        text = KNOWN_BAD[name](n)
        list(splitter.span_tokenize(text))
        assert seen[0] <= 8 * len(text) + 100, (n, seen[0])


@pytest.mark.slow
def test_256_kb_of_each_known_bad_input_is_split_in_bounded_time():
    """A child process with a time limit (a bound, not a speed measurement): the splitter takes
    under 0.4 s for each of these texts, while quadratic work on 256 KB would take minutes (a
    regex that backtracks over the rest of the text at every position: 256K² / 2 ≈ 3·10¹⁰
    steps), so a limit of 30 s tells the two apart as a megabyte with 300 s did, at a quarter of
    the size (it was the suite's slowest test after the process tests)."""
    size = 2**18
    program = (
        "from peercorpus.ingest.tokenize import fast_sentence_splitter\n"
        "import sys\n"
        f"n = {size}\n"
        "for text in ['a' * n, 'swirley thing w' + 'e' * n, 'a. ' * (n // 3), 'a.' * (n // 2),"
        " 'abc.' * (n // 4), '!)' * (n // 2), '.\"' * (n // 2), 'x' * n + '. Then.']:\n"
        "    list(fast_sentence_splitter().span_tokenize(text))\n"
        "print('done')\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "done", result.stderr


PIECES = [
    "a", "A", "The", "dr", "Dr", "etc", "e.g", "U.K", "J", "1", "3.5", "2020", "-", "--", "...",
    ".", "?", "!", ",", ";", ":", ")", "(", '"', "'", "\u201d", "\u201c", "\u2019", "%",
    " ", " ", " ", "  ", "\n", "\t", "\u00a0",
    "\x1c", "\x1f", "\u2028", "\u3000",  # white space to Python but not to Unicode (the first two), and Unicode's
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_same_spans_as_nltk_on_generated_text(pieces):
    text = "".join(pieces)
    for start, end in paragraph_spans(text) or [(0, len(text))]:
        paragraph = text[start:end]
        assert fast_spans(paragraph) == nltk_spans(paragraph)


def test_same_spans_with_a_trained_model():
    """Parameters as a trained ``punkt_tab`` model has them (collocations, sentence starters,
    orthographic contexts) decide the same way."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    parameters = PunktParameters()
    parameters.abbrev_types = {"dr", "inc", "fig"}
    parameters.collocations = {("##number##", "january"), ("s", "bach")}
    parameters.sent_starters = {"however", "the"}
    for word, flags in {"however": 2 | 16, "the": 2 | 32, "bach": 4, "smith": 2, "peer": 32 | 64}.items():
        parameters.ortho_context[word] = flags
    nltk = PunktSentenceTokenizer(parameters)
    fast = FastPunkt(nltk)
    text = (
        "Born 5. January in town. Then J. S. Bach came. Fig. 3 shows it. The end of Dr. Smith. "
        "However, inc. However it went. 12. peer groups met. Dr. Peer spoke. A. B. Smith left."
    )
    spans = list(fast.span_tokenize(text))
    assert len(parameters.ortho_context) == 5  # read, never grown (NLTK's lookups grow it)
    assert spans == list(nltk.span_tokenize(text))


def test_the_sentence_end_finder_runs_on_re_with_regex_s_meaning_of_white_space():
    """The finder is NLTK's pattern compiled by ``re`` (no time limit: it is linear), with ``\\s``
    as the ``regex`` module reads it; a pattern it cannot translate for sure stays with ``regex``."""
    import re

    import regex

    from peercorpus.ingest.punkt import standard_re

    splitter = fast_sentence_splitter()
    assert isinstance(splitter.period_context, re.Pattern) and splitter.timeout is None
    for text in ("Stop.\x1cNext one.", "Stop. \x1fNext one.", "Stop.\u2028Next one.", "Stop.\x1e"):
        assert fast_spans(text) == nltk_spans(text)
    for source in (r"\w+\.", r"[\s.]+", r"(?<=a)\.", r"a{2}\.", r"(?i)a\.", r"\p{L}\."):
        assert standard_re(regex.compile(source)) is None, source
    translated = standard_re(regex.compile(r"[]a.](?=\s+(?P<n>\S+))"))
    assert translated.findall("].\x1cb a. b") == ["b"]
