"""Tokenisation: spans point into the text, defaults keep compounds whole, no NLTK data needed."""

from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.ingest.tokenize import paragraph_spans, tokenize_text


def test_default_tokenizer_keeps_compounds_contractions_and_acronyms():
    doc = tokenize_text("Peer-led groups don't replace the NHS. They help, e.g. here.")
    assert doc.words[:6] == ["Peer-led", "groups", "don't", "replace", "the", "NHS"]
    assert "e.g." in doc.words


def test_sentences_split_with_punkt_and_abbreviations_do_not_end_sentences():
    doc = tokenize_text("Dr. Smith met a peer worker. They talked for an hour.")
    assert len(doc.sentence_spans) == 2
    assert doc.sentence[doc.words.index("They")] == 1


def test_paragraphs_are_blank_line_blocks_or_lines():
    assert paragraph_spans("a b\nc\n\nd") == [(0, 5), (7, 8)]
    assert paragraph_spans("one line\nanother line") == [(0, 8), (9, 21)]


def test_treebank_tokenizer_splits_contractions():
    doc = tokenize_text("I don't know.", "treebank")
    assert doc.words == ["I", "do", "n't", "know", "."]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab -'.\n,Z9’")), max_size=80))
def test_every_token_is_the_text_at_its_offsets(text):
    doc = tokenize_text(text)
    for word, start, end in zip(doc.words, doc.starts, doc.ends):
        assert text[start:end] == word
    assert list(doc.starts) == sorted(doc.starts)
