"""Optional NLTK data: Debian's WordNet files made an nltk_data folder, and a clear error without them
(lemmas from WordNet installed that way: tests/core/test_lemmas.py)."""

from pathlib import Path

import pytest

from peercorpus.nltk_data import LEXNAMES, install_wordnet_from_debian, lexnames_text


def test_lexnames_has_the_45_wordnet_lexicographer_files():
    lines = lexnames_text().splitlines()
    assert len(lines) == len(LEXNAMES) == 45
    assert lines[0] == "00\tadj.all\t3" and lines[44] == "44\tadj.ppl\t3" and lines[29] == "29\tverb.body\t2"


def test_lemmatize_without_wordnet_says_how_to_install(monkeypatch, mini_corpus):
    import nltk

    from peercorpus import load_corpus
    from peercorpus.config import TokenizeSettings
    from peercorpus.core import lemmas
    from peercorpus.errors import MissingDataError

    # No folder to find WordNet in, and none loaded before in this process (lemmas loads it once)
    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.setattr(lemmas, "_WORDNET", None)
    tokens = load_corpus(mini_corpus).tokens
    with pytest.raises(MissingDataError, match="run 'peercorpus setup wordnet'"):
        tokens.features(TokenizeSettings(lemmatize=True))


def test_setup_needs_download_for_packages_only_the_internet_has(run, tmp_path):
    result = run("setup", "punkt_tab", "--target", str(tmp_path))
    assert result.exit_code == 2 and "peercorpus setup punkt_tab --download" in result.stderr
    assert not any(tmp_path.iterdir())


def test_setup_reports_missing_debian_files(tmp_path):
    from peercorpus.errors import MissingDataError

    with pytest.raises(MissingDataError, match="apt-get install wordnet-base"):
        install_wordnet_from_debian(tmp_path, source=Path(tmp_path / "nothing"))
