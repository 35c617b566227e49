"""Config files: defaults, validation with file and line, overrides."""

from pathlib import Path

import pytest

from peercorpus.config import load_config
from peercorpus.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_default_config_loads_with_defaults():
    config = load_config(Path(__file__).parents[1] / "configs" / "default.yaml")
    assert config.tokenize.tokenizer == "default" and config.cleaning.drop_lines == ()


def test_unknown_key_names_file_line_and_suggestion(tmp_path):
    path = write(tmp_path, "tokenize:\n  lowercase: true\n  stopword: english\n")
    with pytest.raises(ConfigError, match=r"c.yaml line 3: unknown key 'stopword' \(did you mean 'stopwords'\?\)"):
        load_config(path)


def test_wrong_type_and_bad_regex_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="stem.*true or false"):
        load_config(write(tmp_path, "tokenize:\n  stem: 3\n"))
    with pytest.raises(ConfigError, match="invalid regular expression"):
        load_config(write(tmp_path, "cleaning:\n  drop_lines: ['(unclosed']\n"))


def test_bad_tokenize_values_point_at_their_own_line(tmp_path):
    with pytest.raises(ConfigError, match="c.yaml line 3: tokenizer must be one of"):
        load_config(write(tmp_path, "tokenize:\n  lowercase: true\n  tokenizer: spacy\n"))
    with pytest.raises(ConfigError, match="c.yaml line 2: min_length must be an integer"):
        load_config(write(tmp_path, "tokenize:\n  min_length: -3\n"))


def test_invalid_yaml_reports_line(tmp_path):
    with pytest.raises(ConfigError, match=r"c.yaml line \d+: invalid YAML"):
        load_config(write(tmp_path, "tokenize:\n  stem: true\n  bad: [1, 2\nother: 3\n"))


def test_overrides_apply_on_top(tmp_path):
    config = load_config(write(tmp_path, "tokenize:\n  stem: false\n"), ["tokenize.stem=true"])
    assert config.tokenize.stem is True


def test_stream_key_ignores_analysis_time_settings(tmp_path):
    plain = load_config(None)
    stemmed = load_config(None, ["tokenize.stem=true"])
    other_tokenizer = load_config(None, ["tokenize.tokenizer=treebank"])
    assert plain.stream_key() == stemmed.stream_key() != other_tokenizer.stream_key()


def test_a_key_given_twice_names_file_and_line(tmp_path):
    with pytest.raises(ConfigError, match=r"c.yaml line 4: key 'tokenize' given twice \(first on line 1\)"):
        load_config(write(tmp_path, "tokenize:\n  stem: true\n\ntokenize:\n  lowercase: false\n"))
