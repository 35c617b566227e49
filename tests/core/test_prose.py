"""core/prose: its character counts give what counting character by character gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from peercorpus.core import prose
from peercorpus.ingest.sections import is_reference_line


def _reads_as_prose_one_character_at_a_time(text: str) -> bool:
    """``prose._reads_as_prose`` as it was first written (a Python loop over the characters)."""
    characters = [ch for ch in text if not ch.isspace()]
    if not characters:
        return False
    code = sum(1 for ch in characters if ch in prose._CODE_CHARACTERS or ch in prose._MATH_CHARACTERS)
    if code > prose.MAX_CODE_CHARACTER_SHARE * len(characters):
        return False
    words = text.split()
    numbers = sum(1 for word in words if prose._NUMBER.match(word))
    if numbers > prose.MAX_NUMBER_SHARE * len(words):
        return False
    letters = sum(1 for ch in characters if ch.isalpha())
    if letters < 0.6 * len(characters):
        return False
    return not (len(text) < 600 and is_reference_line(text) and prose._looks_like_citation(text))


PIECES = st.sampled_from(
    ["Peer", "workers", "met", "weekly", "2019", "3.5%", "(12)", "x", "=", "{", "}", "α", "≤", "²", "_", "#",
     "doi", "10.1000/182", "Smith,", "J.", "(2019).", "[PubMed]", "vol", " ", "  ", "\n", "\t", "\u00a0", "\u2003",
     "é", "日本", "…", "|", "-", "−4", "1,000"]
)


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(PIECES, max_size=40), glue=st.sampled_from([" ", "", "\n"]))
def test_reads_as_prose_agrees_with_counting_one_character_at_a_time(parts, glue):
    text = glue.join(parts)
    assert prose._reads_as_prose(text) == _reads_as_prose_one_character_at_a_time(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_reads_as_prose_agrees_on_any_text(text):
    assert prose._reads_as_prose(text) == _reads_as_prose_one_character_at_a_time(text)
