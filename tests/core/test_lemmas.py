"""Lemmas without a POS tagger: no non-words from function words, verb forms to their verb."""

import pytest

from peercorpus import load_corpus
from peercorpus.config import TokenizeSettings
from peercorpus.core.query import find_matches
from peercorpus.nltk_data import DEBIAN_WORDNET, install_wordnet_from_debian

TEXT = (
    "She was there and has been. It does help us, as a peer. Recoveries supported by peers "
    "were hoped for; the boss went home with codes.\n"
)


@pytest.fixture
def wordnet(tmp_path):
    if not DEBIAN_WORDNET.is_dir():
        pytest.skip("Debian's wordnet-base is not installed (.ci/run installs it)")
    import nltk

    install_wordnet_from_debian(tmp_path / "nltk_data")
    nltk.data.path.insert(0, str(tmp_path / "nltk_data"))
    yield
    nltk.data.path.remove(str(tmp_path / "nltk_data"))


@pytest.mark.slow
def test_lemmas_are_words(tmp_path, wordnet, mini_corpus):
    # WordNet installed from Debian's files (the wordnet fixture) lemmatises a corpus; one test
    # with the rules below, so that WordNet (~2.5 s) is loaded once
    mini = load_corpus(mini_corpus).tokens.features(TokenizeSettings(lemmatize=True))
    assert "worker" in mini.vocab and "workers" not in mini.vocab

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(TEXT, encoding="utf-8")
    tokens = load_corpus(tmp_path / "corpus", use_cache=False).tokens
    features = tokens.features(TokenizeSettings(lemmatize=True))
    lemma = {tokens.norm_vocab[n]: features.vocab[f] for n, f in zip(tokens.norm_ids, features.ids) if f >= 0}
    # Function words stay as written (NLTK's noun reading made wa, ha, doe, u, a of them).
    assert [lemma[w] for w in ("was", "has", "does", "us", "as", "a")] == ["was", "has", "does", "us", "as", "a"]
    assert not {"wa", "ha", "doe", "u"} & set(features.vocab)
    # Ordinary words: nouns to the singular, verb forms to the verb (not the shortest analysis).
    assert lemma["recoveries"] == "recovery" and lemma["peers"] == "peer" and lemma["supported"] == "support"
    assert lemma["hoped"] == "hope" and lemma["went"] == "go" and lemma["codes"] == "code" and lemma["boss"] == "boss"
    # kwic --match lemma: "as" finds "as" only, not every "a".
    hits = find_matches(tokens, "as", match="lemma")
    assert [tokens.norm_vocab[tokens.norm_ids[p]] for p in hits.starts] == ["as"]
    assert len(find_matches(tokens, "support", match="lemma")) == 1
