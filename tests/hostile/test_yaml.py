"""Every YAML reader refuses alias bombs, recursive aliases, deep nesting and unsafe tags."""

from __future__ import annotations

import pytest

from peercorpus import load_corpus
from peercorpus.errors import ConfigError
from peercorpus.yamlio import parse_yaml

from .conftest import one_line_error

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)
)  # 10^9 leaves from ~400 bytes


def test_parse_yaml_refuses_a_billion_laughs():
    with pytest.raises(ConfigError, match="aliases expand to too much"):
        parse_yaml(BOMB, "bomb.yaml")


def test_parse_yaml_refuses_a_recursive_alias():
    with pytest.raises(ConfigError, match="recursive alias"):
        parse_yaml("a: &a [*a]\n", "loop.yaml")


def test_parse_yaml_refuses_5000_levels_of_nesting():
    with pytest.raises(ConfigError, match="nested"):
        parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")


@pytest.mark.parametrize(("text", "said"), [
    ("tokenize:\n\tlowercase: true\n", r"tab.yaml line 2: invalid YAML: found character '\\t' that cannot start any token"),
    ("a: 1\nb: @x\n", r"tab.yaml line 2: invalid YAML: found character '@' that cannot start any token"),
])
def test_a_character_that_cannot_start_a_token_is_named_with_its_line(text, said):
    with pytest.raises(ConfigError, match=said):
        parse_yaml(text, "tab.yaml")


def test_text_that_is_not_utf8_is_refused_in_one_line(run, sample_corpus):
    with pytest.raises(ConfigError, match="unacceptable character #xdcff"):
        parse_yaml("a: \udcff\n", "set.yaml")  # what a --set value of the byte 0xff becomes
    result = run("freq", str(sample_corpus), "--set", "tokenize.lowercase=\udcff")
    assert result.exit_code == 2 and "unacceptable character" in one_line_error(result)


def test_parse_yaml_keeps_ordinary_anchors():
    raw, _ = parse_yaml("base: &b {lowercase: true}\ntokenize: *b\n", "ok.yaml")
    assert raw["tokenize"] == {"lowercase": True}


def test_config_bomb_is_a_one_line_error(run, tmp_path):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    (tmp_path / "bomb.yaml").write_text(BOMB)
    line = one_line_error(run("info", str(tmp_path / "a.txt"), "-c", str(tmp_path / "bomb.yaml")))
    assert "billion laughs" in line


def test_codebook_bomb_is_a_one_line_error(run, tmp_path):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    (tmp_path / "cb.yaml").write_text(BOMB)
    one_line_error(run("code", str(tmp_path / "a.txt"), "-b", str(tmp_path / "cb.yaml")))


def test_sidecar_bomb_is_a_one_line_error(run, tmp_path):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    (tmp_path / "metadata.yaml").write_text(BOMB)
    line = one_line_error(run("info", str(tmp_path)))
    assert "billion laughs" in line


def test_front_matter_bomb_is_kept_as_text_with_a_warning(tmp_path):
    (tmp_path / "note.md").write_text("---\n" + BOMB + "---\nPeer text after the front matter.\n")
    corpus = load_corpus(tmp_path)
    assert any("aliases expand" in w for w in corpus.documents[0].warnings), corpus.documents[0].warnings
    assert corpus.documents[0].metadata.get("a") is None


def test_front_matter_with_a_key_twice_is_kept_as_text_with_a_warning(tmp_path):
    (tmp_path / "note.md").write_text("---\ntitle: One\ntitle: Two\n---\nPeer text.\n")
    corpus = load_corpus(tmp_path)
    assert "title" not in corpus.documents[0].metadata
    assert any("given twice" in w for w in corpus.documents[0].warnings), corpus.documents[0].warnings


@pytest.mark.parametrize(
    "value, message",
    [
        ("x=!!python/object/apply:os.system ['true']", "--set x"),
        ("tokenize.stem=" + "[" * 3000 + "]" * 3000, "nested"),
        ("tokenize.x=&a [*a]", "recursive alias"),
        ("tokenize.99999999999999999999999=1", "tokenize"),
    ],
)
def test_set_values_are_read_safely(run, tmp_path, value, message):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    line = one_line_error(run("info", str(tmp_path / "a.txt"), "--set", value))
    assert message in line


def test_config_nested_5000_deep_is_a_one_line_error(run, tmp_path):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    (tmp_path / "deep.yaml").write_text("tokenize:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 5000)))
    one_line_error(run("info", str(tmp_path / "a.txt"), "-c", str(tmp_path / "deep.yaml")))


def test_codebook_that_is_not_yaml_is_not_echoed(run, tmp_path):
    (tmp_path / "a.txt").write_text("Peer text.\n")
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    line = one_line_error(run("code", str(tmp_path / "a.txt"), "-b", str(tmp_path / "passwd")))
    assert "/bin/bash" not in line and "root" not in line.replace("passwd", "")
