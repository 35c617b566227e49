"""REFI-QDA codebooks (.qdc): export valid against Codebook.xsd, import to a skeleton, a .qdc with
terms as --codebook, and bad .qdc files in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from peercorpus.analysis.codebook import load_codebook, parse_codebook
from peercorpus.qda.xml import schema

CODEBOOK = Path(__file__).parents[2] / "configs" / "peer-support-codebook.yaml"
NS = {"c": "urn:QDA-XML:codebook:1.0"}


def test_export_is_valid_and_nested_with_terms_colours_descriptions(run, tmp_path):
    target = tmp_path / "codes.qdc"
    result = run("codebook", "export", str(CODEBOOK), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    root = etree.parse(str(target)).getroot()
    assert schema("codebook").validate(root), schema("codebook").error_log
    assert root.get("origin") == "peercorpus"
    top = root.findall("c:Codes/c:Code", NS)
    assert [c.get("name") for c in top] == ["hope", "mutuality", "boundaries", "identity", "professionalisation", "tokenism", "wellbeing", "pay"]
    assert [c.get("name") for c in top[-1].findall("c:Code", NS)] == ["salary", "progression"]
    assert all(c.get("isCodable") == "true" and c.get("color").startswith("#") for c in root.iter("{urn:QDA-XML:codebook:1.0}Code"))
    salary = top[-1].find("c:Code", NS).findtext("c:Description", namespaces=NS)
    assert salary == "Pay, salary and NHS pay bands.\n\nTerms: pay; paid; salary; payment; band ?"
    # Same codebook, same file (GUIDs from the theme names).
    again = tmp_path / "again.qdc"
    run("codebook", "export", str(CODEBOOK), "-o", str(again))
    assert again.read_bytes() == target.read_bytes()


def test_round_trip_export_import_gives_the_same_codebook(run, tmp_path):
    qdc, yaml_file = tmp_path / "codes.qdc", tmp_path / "back.yaml"
    run("codebook", "export", str(CODEBOOK), "-o", str(qdc))
    result = run("codebook", "import", str(qdc), "-o", str(yaml_file))
    assert result.exit_code == 0, result.stderr
    original, back = load_codebook(CODEBOOK), load_codebook(yaml_file)
    assert back.themes == original.themes and back.parents == original.parents and back.descriptions == original.descriptions
    assert back.title is None  # Codebook.xsd has no place for a title
    # The .qdc itself works as --codebook, with the same counts as the YAML.
    direct = load_codebook(qdc)
    assert direct.themes == original.themes
    yaml_counts = run("code", str(Path(__file__).parents[2] / "corpora"), "-b", str(CODEBOOK), "-f", "csv").stdout
    qdc_counts = run("code", str(Path(__file__).parents[2] / "corpora"), "-b", str(qdc), "-f", "csv").stdout
    assert qdc_counts == yaml_counts


QDA_EXPORT = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
  <Codes>
    <Code guid="11111111-1111-1111-1111-111111111111" name="Hope &amp; recovery" isCodable="true" color="#ff0000">
      <Description>Stories of recovery.</Description>
      <Code guid="22222222-2222-2222-2222-222222222222" name="role models" isCodable="true"/>
    </Code>
    <Code guid="33333333-3333-3333-3333-333333333333" name="Stigma" isCodable="true"/>
    <Code guid="44444444-4444-4444-4444-444444444444" name="Stigma" isCodable="false"/>
  </Codes>
</CodeBook>
"""


def test_import_of_another_tools_codebook_is_a_skeleton_to_fill_in(run, tmp_path):
    source = tmp_path / "nvivo.qdc"
    source.write_text(QDA_EXPORT, encoding="utf-8")
    result = run("codebook", "import", str(source))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "fill in every theme's terms" in text and text.count("terms: []  # TODO") == 3
    import yaml

    data = yaml.safe_load(text)
    hope = data["themes"]["Hope & recovery"]
    assert hope["description"] == "Stories of recovery." and hope["color"] == "#ff0000"
    assert list(hope["themes"]) == ["role models"] and "terms" not in hope
    assert list(data["themes"]) == ["Hope & recovery", "Stigma", "Stigma (2)"]
    # Not usable until filled in: one line naming the theme.
    yaml_file = tmp_path / "skeleton.yaml"
    yaml_file.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="role models.*no terms"):
        load_codebook(yaml_file)
    filled = text.replace("terms: []  # TODO: fill in the words, phrases or wildcards that find this theme", 'terms: ["peer*"]')
    assert parse_codebook(yaml.safe_load(filled)).names == ["Hope & recovery", "Hope & recovery.role models", "Stigma", "Stigma (2)"]


def test_qdc_without_terms_as_codebook_says_import_it_first(run, mini_corpus, tmp_path):
    source = tmp_path / "nvivo.qdc"
    source.write_text(QDA_EXPORT, encoding="utf-8")
    result = run("code", str(mini_corpus), "-b", str(source))
    assert result.exit_code == 2
    assert "peercorpus codebook import nvivo.qdc" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "content, message",
    [
        ("<CodeBook", "not well-formed XML"),
        ("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "not a valid REFI-QDA codebook"),
        ("<CodeBook xmlns='urn:other'/>", "not a REFI-QDA codebook"),
        ('<!DOCTYPE x [<!ENTITY a "a">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "DOCTYPE"),
        ("\udcff".encode("utf-8", "surrogateescape").decode("latin-1"), "XML"),
    ],
    ids=["not-xml", "not-schema", "other-namespace", "doctype", "binary"],
)
def test_bad_qdc_is_one_line_and_exit_2(run, mini_corpus, tmp_path, content, message):
    source = tmp_path / "bad.qdc"
    source.write_text(content, encoding="utf-8")
    for args in (("codebook", "import", str(source)), ("code", str(mini_corpus), "-b", str(source))):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_names_xml_cannot_hold_are_replaced(run, tmp_path):
    book = tmp_path / "odd.yaml"
    book.write_text('themes:\n  "bell\\a":\n    description: "tab\\there, nul\\0"\n    terms: [hope]\n', encoding="utf-8")
    target = tmp_path / "odd.qdc"
    result = run("codebook", "export", str(book), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    root = etree.parse(str(target)).getroot()
    assert schema("codebook").validate(root)
    code = root.find("c:Codes/c:Code", NS)
    assert code.get("name") == "bell\ufffd"
    assert code.findtext("c:Description", namespaces=NS).startswith("tab\there, nul\ufffd")


def test_color_key_is_checked_and_kept(tmp_path):
    book = parse_codebook({"themes": {"hope": {"terms": ["hope"], "color": "#abcdef"}}})
    assert book.colors == {"hope": "#ABCDEF"}
    with pytest.raises(Exception, match="color must be #RRGGBB"):
        parse_codebook({"themes": {"hope": {"terms": ["hope"], "color": "red"}}})


def test_export_refuses_to_overwrite_its_input(run, tmp_path):
    book = tmp_path / "book.qdc"
    book.write_text(QDA_EXPORT, encoding="utf-8")
    result = run("codebook", "export", str(book), "-o", str(book))
    assert result.exit_code == 2 and "CODEBOOK" in result.stderr


def test_import_takes_the_codebook_of_a_qdpx_project(run, mini_corpus, tmp_path):
    project, yaml_file = tmp_path / "coding.qdpx", tmp_path / "back.yaml"
    assert run("code", str(mini_corpus), "-b", str(CODEBOOK), "--qdpx", str(project)).exit_code == 0
    result = run("codebook", "import", str(project), "-o", str(yaml_file))
    assert result.exit_code == 0, result.stderr
    back, original = load_codebook(yaml_file), load_codebook(CODEBOOK)
    assert back.themes == original.themes and back.descriptions == original.descriptions
    assert back.title == original.title  # a project has a name, which is the codebook's title
    # The project itself works as --codebook: peercorpus wrote the terms into it.
    assert load_codebook(project).themes == original.themes
