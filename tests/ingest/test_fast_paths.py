"""The faster ways of issue 18's cold ingest give what the plain ways gave: words and offsets,
sentence spans, form numbering and type counts, paywall and notice lines, line-end hyphens."""

import re
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.core.vocabulary import normalize_form
from peercorpus.ingest import sections
from peercorpus.ingest.shard import FileVocabulary
from peercorpus.ingest.tokenize import (
    _FACTORED_TOKEN_PATTERN,
    DEFAULT_TOKEN_PATTERN,
    _default_words,
    paragraph_spans,
    sentence_splitter,
    tokenize_text,
)
from peercorpus.io.hyphenation import join_line_end_hyphens

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "peer-support"

WORDISH = st.lists(st.sampled_from(list("aZé9_ -'’‐.,:%£\n\t\u00a0İıſΣß") + ["e.g.", "3.5bn", "U.K."]), max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(WORDISH)
def test_default_words_and_offsets_are_the_patterns_matches(text):
    words, starts, ends = _default_words(text)
    matches = list(re.finditer(DEFAULT_TOKEN_PATTERN, text))
    assert words == [m.group() for m in matches]
    assert starts.tolist() == [m.start() for m in matches]
    assert ends.tolist() == [m.end() for m in matches]


# Letters, digits and marks of every kind the pattern's classes tell apart: decimal digits of
# other scripts (٣), digits that are not decimal (², Ⅻ is a letter-number), a combining accent
# (not a word character), underscores, the separators words keep, dots and white space.
EVERY_CLASS = st.lists(st.sampled_from(list("aZé9٣²Ⅻ\u0301_ -'’‐.,:%£\n\u00a0") + ["e.g.", "U.K.", "3.5", "a."]), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(EVERY_CLASS)
def test_the_factored_token_pattern_matches_what_the_documented_one_does(text):
    documented = [(m.group(), m.start()) for m in re.finditer(DEFAULT_TOKEN_PATTERN, text)]
    assert [(m.group(), m.start()) for m in re.finditer(_FACTORED_TOKEN_PATTERN, text)] == documented


def test_sample_corpus_sentences_are_nltk_punkts():
    for path in sorted(SAMPLE.glob("*.txt")):
        text = path.read_text("utf-8")
        expected = [
            (start + a, start + b)
            for start, end in paragraph_spans(text)
            for a, b in sentence_splitter().span_tokenize(text[start:end])
        ]
        assert tokenize_text(text).sentence_spans == expected, path.name


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Peer", "peer", "PEER", "Σ", "σ", "ß", "ss", "don’t", "don't", ".", "_", "1", "‐", "e.g."]), max_size=12), max_size=4))
def test_file_vocabulary_numbers_forms_and_counts_types_as_defined(documents):
    vocabulary = FileVocabulary()
    forms: dict[str, int] = {}
    for words in documents:
        ids = vocabulary.ids(words)
        expected_ids = [forms.setdefault(word, len(forms)) for word in words]
        assert ids.tolist() == expected_ids
        word_tokens = [word for word in words if any(ch.isalnum() for ch in word)]
        assert vocabulary.count_words(ids) == (len(word_tokens), len({normalize_form(w) for w in word_tokens}))
    assert vocabulary.forms == list(forms)


PHRASES = [
    "to read the full article", "Subscribe now to continue", "ALREADY A SUBSCRIBER", "sign in to read",
    "this story is only available to members", "We use cookies", "cookie settings", "submit your blog",
    "write for us", "the full", "members", " ", "\n", "x", "İ", "ı", "ſ", "K", "to read the fuİl article",
    "alreadſ a member", "sign ın to read",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), max_size=8))
def test_a_text_said_to_hold_no_paywall_or_notice_has_no_such_line(pieces):
    text = "".join(pieces)
    lowered = text.lower()
    for exact, fast in ((sections._PAYWALL, sections._PAYWALL_LOWER), (sections._NOTICE, sections._NOTICE_LOWER)):
        if not sections._may_hold(text, lowered, *fast):
            assert not any(exact.search(line) for line in text.split("\n"))


def test_paywall_lines_are_still_found_case_insensitively():
    body = "Peer workers met weekly.\n" * 40
    for line in ("TO READ THE FULL ARTICLE, subscribe.", "Already a ſubscriber? Log in."):
        found = sections.find_sections(body + line + "\nMore text here.\n")
        assert [s.label for s in found] == ["boilerplate"], line


def test_line_end_hyphens_are_only_looked_for_where_a_hyphen_ends_a_line():
    text = "No broken words here - none at all.\n"
    assert join_line_end_hyphens(text) == (text, 0, 0)
    assert join_line_end_hyphens("peer sup-\nport is support") == ("peer support is support", 1, 0)
    assert join_line_end_hyphens("self\u00ad\nhelp and self-help") == ("self-help and self-help", 0, 1)


def test_file_vocabulary_grows_past_its_first_block():
    vocabulary = FileVocabulary()
    words = [f"w{i}" for i in range(3000)] + ["."] * 5
    ids = vocabulary.ids(words)
    assert ids.tolist() == list(range(3001)) + [3000] * 4
    assert vocabulary.count_words(ids) == (3000, 3000)
    assert np.array_equal(vocabulary.ids(["w5", "new"]), [5, 3001])
