"""Codebooks: both YAML forms load, nesting flattens to parent.child, bad files name file, line and key."""

from pathlib import Path

import pytest

from peercorpus.analysis.codebook import load_codebook, parse_codebook
from peercorpus.errors import ConfigError

SAMPLE_CODEBOOK = Path(__file__).parents[2] / "configs" / "peer-support-codebook.yaml"


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_quanteda_dictionary_loads_flat_and_nested(tmp_path):
    book = load_codebook(
        _write(
            tmp_path,
            "christmas:\n  - Christmas\n  - Santa\n  - holiday*\n"
            "opposition:\n  budget: [deficit, austerity]\n  taxglob: \"tax*\"\n",
        )
    )
    assert book.themes == {
        "christmas": ("Christmas", "Santa", "holiday*"),
        "opposition": ("deficit", "austerity", "tax*"),
        "opposition.budget": ("deficit", "austerity"),
        "opposition.taxglob": ("tax*",),
    }
    assert book.parents == {"opposition.budget": "opposition", "opposition.taxglob": "opposition"}
    assert book.source == "codebook.yaml" and book.descriptions == {} and book.title is None
    assert book.queries() == ["Christmas", "Santa", "holiday*", "deficit", "austerity", "tax*"]


def test_deep_nesting_and_a_list_mixing_terms_and_sub_themes():
    book = parse_codebook({"a": ["x", {"b": {"c": ["y z"]}}, "w"]})
    assert book.names == ["a", "a.b", "a.b.c"]
    assert book.themes["a"] == ("x", "w", "y z") and book.themes["a.b"] == ("y z",)
    assert book.ancestors("a.b.c") == ("a.b", "a")


def test_peercorpus_form_with_descriptions_and_sub_themes(tmp_path):
    book = load_codebook(
        _write(
            tmp_path,
            "title: Peer work\n"
            "themes:\n"
            "  hope:\n    description: Hope and recovery\n    terms: [hope*, recovery]\n"
            "  pay:\n    terms: pay\n    themes:\n      bands: {terms: [\"band ?\"], description: NHS bands}\n"
            "  plain: [a  b, c]\n",
        )
    )
    assert book.title == "Peer work"
    assert book.themes == {"hope": ("hope*", "recovery"), "pay": ("pay", "band ?"), "pay.bands": ("band ?",), "plain": ("a b", "c")}
    assert book.descriptions == {"hope": "Hope and recovery", "pay.bands": "NHS bands"}


def test_a_term_listed_twice_in_a_theme_is_kept_once():
    assert parse_codebook({"t": ["hope", "hope", " hope "]}).themes == {"t": ("hope",)}


def test_the_sample_codebook_loads():
    book = load_codebook(SAMPLE_CODEBOOK)
    assert book.names[:8] == ["hope", "mutuality", "boundaries", "identity", "professionalisation", "tokenism", "wellbeing", "pay"]
    assert {"pay.salary", "pay.progression"} <= set(book.names) and all(book.descriptions.get(n) for n in book.names)


@pytest.mark.parametrize(
    "text, message",
    [
        ("themes:\n  hope:\n    term: [hope]\n", "codebook.yaml line 3: theme 'hope': unknown key 'term' (did you mean 'terms'?)"),
        ("themes:\n  hope: {terms: [hope]}\ntitel: x\n", "codebook.yaml line 3: unknown key 'titel' (did you mean 'title'?)"),
        ("hope:\n  - hope\n  - 3\n", "codebook.yaml line 3: theme 'hope': term 3 must be text"),
        ("hope:\n  - hope\n  - yes\n", "codebook.yaml line 3: theme 'hope': term True must be text"),
        ("hope: []\n", "codebook.yaml line 1: theme 'hope' has no terms"),
        ("hope:\n", "codebook.yaml line 1: theme 'hope' has no terms"),
        ("hope: ['  ']\n", "codebook.yaml line 1: theme 'hope' has an empty term"),
        ("hope: 12\n", "codebook.yaml line 1: theme 'hope': terms must be a list"),
        ("pay: {}\n", "codebook.yaml line 1: theme 'pay' is empty"),
        ("themes:\n  hope:\n    description: x\n", "codebook.yaml line 2: theme 'hope' has no terms"),
        ("themes:\n  hope:\n    terms: [x]\n    description: [a]\n", "codebook.yaml line 4: theme 'hope': description must be text"),
        ("themes: [hope]\n", "codebook.yaml line 1: 'themes' must be a mapping of themes to terms"),
        ("a.b: [x]\na:\n  b: [y]\n", "codebook.yaml line 3: theme 'a.b' is defined twice"),
        ("- hope\n", "codebook.yaml: a codebook must be a mapping of themes to terms"),
        ("", "codebook.yaml: the codebook is empty"),
        ("hope: [hope\nboundaries: [x]\n", "codebook.yaml line 2: invalid YAML"),
        ("hope: !!python/object/apply:os.system [echo]\n", "codebook.yaml line 1: invalid YAML"),
    ],
)
def test_bad_codebooks_name_the_file_the_line_and_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as raised:
        load_codebook(_write(tmp_path, text))
    assert str(raised.value).startswith(message), str(raised.value)
    assert "\n" not in str(raised.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="codebook file not found: .*nope.yaml"):
        load_codebook(tmp_path / "nope.yaml")


def test_inline_codebook_errors_use_the_source_and_lines_given():
    with pytest.raises(ConfigError, match=r"^report.yaml line 12: theme 'hope' has no terms"):
        parse_codebook({"hope": []}, source="report.yaml", lines={("hope",): 12})


@pytest.mark.parametrize(
    "text, line",
    [
        ("hope:\n  - hope*\ncare:\n  - caring\nhope:\n  - hopeful\n", 5),
        ("themes:\n  hope: [hope*]\n  care: [caring]\n  hope: [hopeful]\n", 4),
    ],
)
def test_a_theme_given_twice_is_an_error_with_its_line(tmp_path, text, line):
    with pytest.raises(ConfigError, match=rf"codebook.yaml line {line}: key 'hope' given twice"):
        load_codebook(_write(tmp_path, text))


def test_the_code_command_exits_2_on_a_duplicate_theme(run, mini_corpus, tmp_path):
    result = run("code", str(mini_corpus), "-b", str(_write(tmp_path, "hope: [hope*]\nhope: [hopeful]\n")))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "key 'hope' given twice" in result.stderr
