"""Optional NLTK data: WordNet lemmas offline from Debian's files; a clear error without them."""

import subprocess
import sys
from pathlib import Path

import pytest

from peercorpus.config import TokenizeSettings
from peercorpus.nltk_data import DEBIAN_WORDNET, LEXNAMES, install_wordnet_from_debian, lexnames_text


def test_lexnames_has_the_45_wordnet_lexicographer_files():
    lines = lexnames_text().splitlines()
    assert len(lines) == len(LEXNAMES) == 45
    assert lines[0] == "00\tadj.all\t3" and lines[44] == "44\tadj.ppl\t3" and lines[29] == "29\tverb.body\t2"


@pytest.mark.slow
@pytest.mark.skipif(not DEBIAN_WORDNET.is_dir(), reason="Debian's wordnet-base is not installed (.ci/run installs it)")
def test_lemmatize_with_wordnet_installed_from_debian(tmp_path, mini_corpus):
    import nltk

    install_wordnet_from_debian(tmp_path / "nltk_data")
    nltk.data.path.insert(0, str(tmp_path / "nltk_data"))
    try:
        from peercorpus import load_corpus

        tokens = load_corpus(mini_corpus).tokens
        features = tokens.features(TokenizeSettings(lemmatize=True))
        assert "worker" in features.vocab and "workers" not in features.vocab
    finally:
        nltk.data.path.remove(str(tmp_path / "nltk_data"))


@pytest.mark.slow
def test_lemmatize_without_wordnet_says_how_to_install(tmp_path, mini_corpus):
    script = (
        "import nltk; nltk.data.path[:] = []\n"
        "from peercorpus import load_corpus\nfrom peercorpus.config import TokenizeSettings\n"
        f"load_corpus({str(mini_corpus)!r}).tokens.features(TokenizeSettings(lemmatize=True))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={"HOME": str(tmp_path), "PEERCORPUS_CACHE_DIR": str(tmp_path / "c"), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "peercorpus setup wordnet" in result.stderr


def test_setup_needs_download_for_packages_only_the_internet_has(run, tmp_path):
    result = run("setup", "punkt_tab", "--target", str(tmp_path))
    assert result.exit_code == 2 and "peercorpus setup punkt_tab --download" in result.stderr
    assert not any(tmp_path.iterdir())


def test_setup_reports_missing_debian_files(tmp_path):
    from peercorpus.errors import MissingDataError

    with pytest.raises(MissingDataError, match="apt-get install wordnet-base"):
        install_wordnet_from_debian(tmp_path, source=Path(tmp_path / "nothing"))
