"""REFI-QDA projects (.qdpx): schema-valid, every extract/hit one selection with the right text,
variables and cases, reproducible bytes, hostile .qdpx files refused in one line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import PLANTED_TOPICS
from peercorpus.qda.reader import check_selections, read_qdpx
from peercorpus.qda.xml import schema

CODEBOOK = Path(__file__).parents[2] / "configs" / "peer-support-codebook.yaml"
NS = {"q": "urn:QDA-XML:project:1.0"}


def project_xml(path: Path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde")), {name: archive.read(name) for name in archive.namelist()}


def assert_valid(path: Path):
    """project.qde valid against Project-mrt2019.xsd (lxml), every source in the zip, UTF-8, \\n only."""
    root, entries = project_xml(path)
    checker = schema("project")
    assert checker.validate(root), checker.error_log
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        target = source.get("plainTextPath")
        assert target == f"internal://{source.get('guid')}.txt"
        data = entries["Sources/" + target[len("internal://") :]]
        assert b"\r" not in data
        data.decode("utf-8")
    return root


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample_coding(tmp_path_factory):
    """The sample corpus coded with its codebook: the extracts table and --qdpx at --unit
    match and sentence (made once for the module; --no-cache, as the cache fixture is per test)."""
    from conftest import SAMPLE, Runner

    run, tmp_path = Runner(), tmp_path_factory.mktemp("sample-coding")
    extracts = json.loads(run("code", str(SAMPLE), "-b", str(CODEBOOK), "--table", "extracts", "-f", "json", "--no-cache").stdout)
    paths = {}
    for unit in ("match", "sentence"):
        paths[unit] = tmp_path / f"coding-{unit}.qdpx"
        result = run("code", str(SAMPLE), "-b", str(CODEBOOK), "--qdpx", str(paths[unit]), "--unit", unit, "--no-cache")
        assert result.exit_code == 0, result.stderr
    return extracts, paths


def _selections_by_doc(project):
    found = {}
    for selection in project.selections:
        name, text = project.sources[selection.source]
        found.setdefault(name, []).append(selection)
    return found


def _coded_with(selection, theme: str) -> bool:
    """The selection carries the theme, or one of its sub-themes (which stands for it)."""
    path = theme.replace(".", "/")
    return any(code == path or code.startswith(path + "/") for code in selection.codes)


def test_every_extract_is_one_selection_with_its_match(sample_coding, sample_corpus):
    from peercorpus import load_corpus

    extracts, paths = sample_coding
    assert len(extracts) > 100
    root = assert_valid(paths["match"])
    project = read_qdpx(paths["match"])
    assert check_selections(project) == []
    corpus = load_corpus([sample_corpus])
    texts = {corpus.doc_id(i): corpus.text(i) for i in range(len(corpus))}
    by_doc = _selections_by_doc(project)
    for row in extracts:
        matching = [s for s in by_doc[row["doc"]] if (s.start, s.end) == (row["char_start"], row["char_end"]) and _coded_with(s, row["theme"])]
        assert len(matching) == 1, row
        selection = matching[0]
        assert selection.text == texts[row["doc"]][row["char_start"] : row["char_end"]]
        assert collapse(selection.text) == row["match"]
    # Nothing but the extracts: one selection per distinct (span, most specific theme).
    spans = {(r["doc"], r["char_start"], r["char_end"]) for r in extracts}
    assert len(spans) <= len(project.selections) < len(extracts)
    assert all(len(s.codes) == 1 for s in project.selections)
    assert len(root.findall(".//q:PlainTextSelection", NS)) == len(project.selections)


def test_sentence_unit_codes_the_extract_sentence(sample_coding):
    extracts, paths = sample_coding
    assert_valid(paths["sentence"])
    project = read_qdpx(paths["sentence"])
    assert check_selections(project) == []
    by_doc = _selections_by_doc(project)
    for row in extracts:
        holding = [s for s in by_doc[row["doc"]] if s.start <= row["char_start"] and row["char_end"] <= s.end and _coded_with(s, row["theme"])]
        assert len(holding) >= 1, row
        # The extract table's own sentence column (whitespace collapsed) is the selection's text.
        if not row["sentence"].startswith("…"):
            assert any(collapse(s.text) == row["sentence"] for s in holding), row
    # A parent with no terms of its own (pay) codes nothing itself: its children do.
    assert not any("pay" in s.codes for s in project.selections)
    assert any("pay/salary" in s.codes for s in project.selections)


def test_library_maps_each_extract_to_exactly_one_passage(sample_corpus):
    from peercorpus import load_corpus
    from peercorpus.analysis.codebook import load_codebook
    from peercorpus.analysis.coding import code_corpus
    from peercorpus.qda.passages import coding_passages

    corpus = load_corpus([sample_corpus])
    book = load_codebook(CODEBOOK)
    extracts = code_corpus(corpus, book).extracts
    for unit in ("match", "sentence", "paragraph"):
        codes, passages, of_extract = coding_passages(corpus, book, extracts, unit=unit)
        assert len(of_extract) == len(extracts)
        assert sorted(set(of_extract)) == list(range(len(passages)))  # every passage comes from an extract
        doc_index = {d: i for i, d in enumerate(corpus.doc_ids)}
        for row, number in zip(extracts.itertuples(), of_extract):
            passage = passages[number]
            assert passage.doc == doc_index[row.doc] and passage.start <= row.char_start and row.char_end <= passage.end
            assert passage.code == row.theme or row.theme in book.ancestors(passage.code)
        assert [code.key for code in codes] == book.names


def test_codes_nest_with_descriptions_colours_and_terms(sample_coding):
    _, paths = sample_coding
    root, _ = project_xml(paths["match"])
    top = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [code.get("name") for code in top][:3] == ["hope", "mutuality", "boundaries"]
    pay = next(code for code in top if code.get("name") == "pay")
    assert [child.get("name") for child in pay.findall("q:Code", NS)] == ["salary", "progression"]
    hope = top[0]
    assert hope.get("color") == "#1F77B4"
    description = hope.findtext("q:Description", namespaces=NS)
    assert description.startswith("Recovery is possible") and description.endswith("Terms: hope*; recovery; recovery-orientated; recovery-oriented; role model*; role-model*; inspiration; empower*")
    users = root.findall("q:Users/q:User", NS)
    assert [u.get("name") for u in users] == ["peercorpus"]

def test_creation_times_come_from_the_corpus_files_not_the_clock(run, mini_corpus, tmp_path, monkeypatch):
    import os

    for number, path in enumerate(sorted(mini_corpus.glob("*.txt"))):
        os.utime(path, (1_600_000_000 + number, 1_600_000_000 + number))
    target = tmp_path / "k.qdpx"
    assert run("kwic", str(mini_corpus), "peer", "--qdpx", str(target), "-f", "csv").exit_code == 0
    root = assert_valid(target)
    stamps = {e.get("creationDateTime") for e in root.iter() if e.tag.endswith(("TextSource", "PlainTextSelection", "Coding"))}
    assert stamps == {"2020-09-13T12:26:43Z"}  # the newest file: 1_600_000_003 s
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert run("kwic", str(mini_corpus), "peer", "--qdpx", str(target), "-f", "csv").exit_code == 0
    root = assert_valid(target)
    assert {e.get("creationDateTime") for e in root.iter() if e.tag.endswith("Coding")} == {"1970-01-01T00:00:00Z"}


def test_variables_are_typed_and_every_source_has_a_value(run, mini_corpus, tmp_path):
    target = tmp_path / "kwic.qdpx"
    result = run("kwic", str(mini_corpus), "peer", "--qdpx", str(target), "-f", "csv")
    assert result.exit_code == 0, result.stderr
    root = assert_valid(target)
    variables = {v.get("name"): (v.get("guid"), v.get("typeOfVariable")) for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert variables["genre"][1] == "Text" and variables["year"][1] == "Integer"
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == ["article.txt", "blog-one.txt", "blog-two.txt", "report.txt"]
    for source in sources:
        refs = [v.find("q:VariableRef", NS).get("targetGUID") for v in source.findall("q:VariableValue", NS)]
        assert sorted(refs) == sorted(guid for guid, _ in variables.values())
    blog = sources[1]
    values = {v.find("q:VariableRef", NS).get("targetGUID"): v for v in blog.findall("q:VariableValue", NS)}
    assert values[variables["year"][0]].findtext("q:IntegerValue", namespaces=NS) == "2021"
    assert values[variables["genre"][0]].findtext("q:TextValue", namespaces=NS) == "blog"
    report = {v.find("q:VariableRef", NS).get("targetGUID"): v for v in sources[3].findall("q:VariableValue", NS)}
    assert len(report[variables["year"][0]]) == 1  # no year: the reference alone
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == [s.get("name") for s in sources]
    assert [c.find("q:SourceRef", NS).get("targetGUID") for c in cases] == [s.get("guid") for s in sources]


def test_case_per_value_of_a_field(run, mini_corpus, tmp_path):
    target = tmp_path / "kwic.qdpx"
    assert run("kwic", str(mini_corpus), "peer", "--qdpx", str(target), "--case", "genre", "-f", "csv").exit_code == 0
    root = assert_valid(target)
    cases = {c.get("name"): len(c.findall("q:SourceRef", NS)) for c in root.iterfind("q:Cases/q:Case", NS)}
    assert cases == {"genre=article": 1, "genre=blog": 2, "genre=report": 1}
    bad = run("kwic", str(mini_corpus), "peer", "--qdpx", str(tmp_path / "x.qdpx"), "--case", "colour", "-f", "csv")
    assert bad.exit_code == 2 and "--case colour" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_variable_types():
    from peercorpus.qda.project import variable_type

    assert variable_type([True, False]) == variable_type(["true", "False"]) == "Boolean"
    assert variable_type([2019, 2021]) == "Integer"
    assert variable_type([0.5, 2]) == variable_type(["0.5", 3, "1e-7"]) == "Float"
    assert variable_type([float("nan")]) == "Text"
    assert variable_type(["2020-01-31", "2021-12-01"]) == "Date"
    assert variable_type(["2020-02-30"]) == "Text"
    assert variable_type([True, "x"]) == "Text"


def test_kwic_units_and_one_code_per_query(run, mini_corpus, tmp_path):
    from peercorpus import load_corpus

    corpus = load_corpus([mini_corpus])
    texts = {corpus.doc_id(i): corpus.text(i) for i in range(len(corpus))}
    hits = json.loads(run("kwic", str(mini_corpus), "peer", "boundaries", "-f", "json").stdout)
    for unit in ("match", "sentence", "paragraph"):
        target = tmp_path / f"{unit}.qdpx"
        assert run("kwic", str(mini_corpus), "peer", "boundaries", "--qdpx", str(target), "--unit", unit, "-f", "csv").exit_code == 0
        assert_valid(target)
        project = read_qdpx(target)
        assert [path for _, path, _ in project.codes] == ["peer", "boundaries"]
        assert check_selections(project) == []
        for hit in hits:
            selections = [s for s in project.selections if project.sources[s.source][0] == hit["doc"] and s.start <= hit["char_start"] and hit["char_end"] <= s.end and hit["query"] in s.codes]
            assert selections, (unit, hit)
            if unit == "match":
                assert selections[0].text == texts[hit["doc"]][hit["char_start"] : hit["char_end"]]
            else:
                text = selections[0].text
                assert "\n\n" not in text.strip()  # neither a sentence nor a paragraph crosses a blank line
                if unit == "sentence":
                    assert collapse(text) == hit["sentence"]


def test_unit_and_qdpx_name_are_checked_first(run, mini_corpus, tmp_path):
    result = run("kwic", str(mini_corpus), "peer", "--qdpx", str(tmp_path / "a.qdpx"), "--unit", "word")
    assert result.exit_code == 2 and "--unit" in result.stderr and "match, sentence, paragraph" in result.stderr
    result = run("kwic", str(mini_corpus), "peer", "--qdpx", str(tmp_path / "a.zip"))
    assert result.exit_code == 2 and ".qdpx" in result.stderr
    result = run("kwic", str(mini_corpus), "peer", "--qdpx", str(mini_corpus / "out.qdpx"))
    assert result.exit_code == 2 and "--qdpx" in result.stderr


def test_topics_code_sentences_with_their_dominant_topic(run, planted_corpus, tmp_path):
    folder, planted = planted_corpus
    target = tmp_path / "topics.qdpx"
    result = run("topics", str(folder), "--k", "3", "--qdpx", str(target), "-f", "json")
    assert result.exit_code == 0, result.stderr
    labels = [topic["label"] for topic in json.loads(result.stdout)["topics"]]
    root = assert_valid(target)
    codes = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [c.get("name") for c in codes] == labels
    assert all("top terms:" in c.findtext("q:Description", namespaces=NS) for c in codes)
    project = read_qdpx(target)
    assert check_selections(project) == []
    assert len(project.selections) >= len(planted) // 2
    # A document planted with one topic has its sentences coded with the topic of its words.
    words = {name: set(words.split()) for name, words in PLANTED_TOPICS.items()}
    agree = 0
    for selection in project.selections:
        (label,) = selection.codes
        topic = planted[project.sources[selection.source][0]]
        agree += any(term in words[topic] for term in label.split(" / "))
    assert agree >= 0.9 * len(project.selections)
    bad = run("topics", str(folder), "--k", "3", "--qdpx", str(tmp_path / "b.qdpx"), "--qdpx-unit", "match")
    assert bad.exit_code == 2 and "--qdpx-unit" in bad.stderr


@pytest.mark.slow
def test_same_inputs_give_the_same_bytes_in_two_processes(run, sample_corpus, tmp_path):
    # Two processes, so two string-hash seeds: this one (the CLI in-process) and a child's, other
    # than this one's when it was set; each reads the corpus into its own empty cache
    def args(number: int) -> list[str]:
        return ["-q", "code", str(sample_corpus), "-b", str(CODEBOOK), "--qdpx", str(tmp_path / f"run{number}.qdpx"), "--cache-dir", str(tmp_path / f"cache{number}")]

    assert run(*args(0)).exit_code == 0
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    subprocess.run([sys.executable, "-m", "peercorpus", *args(1)], check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
    outputs = [(tmp_path / f"run{number}.qdpx").read_bytes() for number in range(2)]
    assert outputs[0] == outputs[1]


def test_characters_xml_cannot_hold_are_replaced(run, tmp_path):
    corpus = tmp_path / "odd"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Peer work\x01 is hard.\r\nPeer support\x0b helps.\r\n", encoding="utf-8")
    (corpus / "metadata.csv").write_text("file,genre\na.txt,bl\x02og\n", encoding="utf-8")
    target = tmp_path / "odd.qdpx"
    result = run("kwic", str(corpus), "peer", "--qdpx", str(target), "--unit", "sentence", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert_valid(target)
    project = read_qdpx(target)
    assert check_selections(project) == []
    assert [s.text for s in project.selections][0].startswith("Peer work")
    summary = run("qdpx", "summary", str(target))
    assert summary.exit_code == 0 and "checked against their text" in summary.stderr


def test_source_text_maps_offsets_past_dropped_carriage_returns():
    from peercorpus.qda.project import source_text

    source = source_text("ab\r\ncd\ref\x00")
    assert source.text == "ab\ncd\nef\ufffd"
    assert [source.offset(i) for i in (0, 2, 4, 5, 7)] == [0, 2, 3, 4, 6]
    assert source.text[source.offset(4) : source.offset(6)] == "cd"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        (lambda: b"not a zip at all", "not a .qdpx (zip) file"),
        (lambda: _zip({"readme.txt": b"hello"}), "no project.qde"),
        (lambda: _zip({"project.qde": b"<Project"}), "not well-formed XML"),
        (lambda: _zip({"project.qde": b"<Project xmlns='urn:QDA-XML:project:1.0'><Bogus/></Project>"}), "not a valid REFI-QDA project"),
        (lambda: _zip({"project.qde": b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"}), "not a REFI-QDA project"),
        (lambda: _zip({"project.qde": b"<Project xmlns='urn:QDA-XML:project:1.0' name='x'/>", "Sources/big.txt": b"\0" * (64 * 1024**2)}), "zip bomb"),
    ],
    ids=["not-zip", "no-qde", "not-xml", "not-schema", "codebook-root", "bomb"],
)
def test_bad_qdpx_is_one_line_and_exit_2(run, tmp_path, content, message):
    target = tmp_path / "bad.qdpx"
    target.write_bytes(content())
    for args in (("qdpx", "summary", str(target)), ("codebook", "import", str(target))):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_entities_are_not_expanded(run, tmp_path):
    target = tmp_path / "entities.qdpx"
    entities = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>'
    target.write_bytes(_zip({"project.qde": entities}))
    result = run("qdpx", "summary", str(target), "-f", "json")
    assert "aaaaaaaaaa" not in result.stdout + result.stderr
    assert result.exit_code == 2 and "DOCTYPE" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_summary_finds_a_selection_that_does_not_match(run, mini_corpus, tmp_path):
    target = tmp_path / "k.qdpx"
    assert run("kwic", str(mini_corpus), "peer", "--qdpx", str(target), "--unit", "match", "-f", "csv").exit_code == 0
    with zipfile.ZipFile(target) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["project.qde"] = entries["project.qde"].replace(b'startPosition="', b'startPosition="1', 1)
    target.write_bytes(_zip(entries))
    result = run("qdpx", "summary", str(target), "-f", "json")
    assert result.exit_code == 1 and "do not match their source text" in result.stderr
    assert json.loads(result.stdout)["problems"]


def test_bundled_schemas_are_the_shared_ones():
    """The package carries the REFI-QDA schemas (MIT, with their licence) so tests and users
    validate without ../shared; when ../shared is there, they must be the same files."""
    from importlib import resources

    bundled = resources.files("peercorpus").joinpath("data", "refi-qda")
    assert "MIT" in bundled.joinpath("LICENSE").read_text()
    shared = Path(__file__).parents[2].parent / "shared" / "refi-qda"
    for name in ("Project-mrt2019.xsd", "Codebook.xsd"):
        data = bundled.joinpath(name).read_bytes()
        etree.XMLSchema(etree.fromstring(data))
        if shared.is_dir():
            assert (shared / name).read_bytes() == data


def test_where_keeps_only_its_documents_as_sources(run, mini_corpus, tmp_path):
    target = tmp_path / "blog.qdpx"
    result = run("code", str(mini_corpus), "-b", str(CODEBOOK), "--where", "genre=blog", "--qdpx", str(target), "--unit", "match")
    assert result.exit_code == 0, result.stderr
    assert_valid(target)
    project = read_qdpx(target)
    assert sorted(name for name, _ in project.sources.values()) == ["blog-one.txt", "blog-two.txt"]
    assert project.selections and check_selections(project) == []


def test_every_variable_type_is_written_as_the_schema_wants(run, tmp_path):
    corpus = tmp_path / "typed"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text("Peer support helps. Peer work is hard.\n", encoding="utf-8")
    (corpus / "metadata.csv").write_text(
        "file,score,tiny,flag,published,year,note\na.txt,0.5,1e-7,true,2021-03-04,2020,x\nb.txt,2,3,false,2022-12-31,,\n", encoding="utf-8"
    )
    target = tmp_path / "typed.qdpx"
    assert run("kwic", str(corpus), "peer", "--qdpx", str(target), "-f", "csv").exit_code == 0
    root = assert_valid(target)
    kinds = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert kinds == {"score": "Float", "tiny": "Float", "flag": "Boolean", "published": "Date", "year": "Integer", "note": "Text"}
    names = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    first, second = root.findall("q:Sources/q:TextSource", NS)
    written = {names[v.find("q:VariableRef", NS).get("targetGUID")]: [(etree.QName(e).localname, e.text) for e in v][1:] for v in first.findall("q:VariableValue", NS)}
    assert written == {
        "score": [("FloatValue", "0.5")], "tiny": [("FloatValue", "0.0000001")], "flag": [("BooleanValue", "true")],
        "published": [("DateValue", "2021-03-04")], "year": [("IntegerValue", "2020")], "note": [("TextValue", "x")],
    }
    missing = {names[v.find("q:VariableRef", NS).get("targetGUID")]: len(v) for v in second.findall("q:VariableValue", NS)}
    assert missing["year"] == missing["note"] == 1  # the reference alone
