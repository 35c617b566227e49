"""Topic models on a synthetic corpus with planted topics: right, reproducible, explained."""

import json
import subprocess
import sys

import numpy as np
import pytest

from peercorpus import load_corpus
from peercorpus.analysis.topics.model import TopicSettings, topics
from peercorpus.analysis.topics.quality import align_topics, ranking_agreement, topic_coherence
from peercorpus.analysis.topics.selection import pick_k
from peercorpus.core.units import make_units
from peercorpus.errors import UsageError


def _nmi(first, second) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(first, second)


def test_planted_topics_are_recovered(planted_corpus):
    folder, labels = planted_corpus
    corpus = load_corpus(folder)
    model = topics(corpus, settings=TopicSettings(k=3, unit="document"))
    planted = [labels[doc] for doc in model.documents["doc"]]
    assert _nmi(planted, list(model.documents["topic"])) == pytest.approx(1.0)
    from conftest import PLANTED_TOPICS

    # Each topic's top five terms are words of one planted topic, a different one each time.
    owners = [{t for t, words in PLANTED_TOPICS.items() if term in words.split()} for row in model.topics.itertuples() for term in row.terms.split(", ")[:5]]
    per_topic = [set.union(*owners[i * 5 : i * 5 + 5]) for i in range(3)]
    assert all(len(found) == 1 for found in per_topic) and set.union(*per_topic) == set(PLANTED_TOPICS)
    assert model.topics["prevalence"].sum() == pytest.approx(1.0, abs=1e-5)
    assert list(model.topics["prevalence"]) == sorted(model.topics["prevalence"], reverse=True)
    # Every extract is a real sentence of the document it names.
    for row in model.extracts.itertuples():
        index = corpus.doc_ids.index(row.doc)
        assert row.sentence.rstrip("…") in " ".join(corpus.text(index).split())


def test_k_auto_finds_the_planted_number_and_lists_every_k(planted_corpus):
    folder, labels = planted_corpus
    model = topics(load_corpus(folder), settings=TopicSettings(k="auto", k_range=(2, 6), unit="document"))
    assert model.k == 3
    assert list(model.k_scores["k"]) == [2, 3, 4, 5, 6]
    assert model.k_scores["chosen"].sum() == 1
    assert model.topics["stability"].notna().all()


def test_pick_k_prefers_coherence_among_stable_k_and_falls_back_when_none_is_stable():
    import pandas as pd

    table = pd.DataFrame({"k": [2, 3, 4, 5, 6], "stability": [0.88, 0.86, 0.89, 0.82, 0.78], "coherence": [0.09, 0.19, 0.22, 0.30, 0.32]})
    assert pick_k(table)[0] == 5
    unstable = table.assign(stability=[0.5, 0.7, 0.4, 0.3, 0.3])
    k, reason = pick_k(unstable)
    assert k == 3 and "no k reached" in reason


def test_paragraph_units_for_few_documents_and_document_means(tmp_path):
    paragraphs = [
        "Soil seeds compost roses weeding spade greenhouse tomatoes hedge lawn watering bulbs soil seeds compost roses. " * 4,
        "Oven recipe flour butter simmer saucepan garlic onions pastry knead bake roast oven recipe flour butter. " * 4,
    ]
    for number in range(3):
        (tmp_path / f"long-{number}.txt").write_text("\n\n".join(paragraphs * 3), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    model = topics(corpus, settings=TopicSettings(k=2))
    assert model.unit == "paragraph" and any("too few" in note for note in model.notes)
    assert len(model.units) == 18
    assert np.allclose(model.doc_weights.sum(axis=1), 1)
    assert set(model.segments["topic"]) == {0, 1}


def test_units_never_cross_documents_and_cover_every_token(planted_corpus):
    corpus = load_corpus(planted_corpus[0])
    for kind in ("document", "paragraph", "chunk"):
        units = make_units(corpus.tokens, kind, chunk_size=30)
        covered = units.unit_of_token(len(corpus.tokens))
        assert (covered >= 0).all()
        assert (corpus.tokens.doc_of_token[units.starts] == units.doc).all()
        assert (corpus.tokens.doc_of_token[units.ends - 1] == units.doc).all()


def test_coherence_and_agreement_on_hand_made_matrices():
    from scipy import sparse

    counts = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]]))
    together, apart = topic_coherence(counts, np.array([[0, 1], [0, 2]]))
    assert together == pytest.approx(1.0, abs=1e-6) and apart == -1.0
    assert list(ranking_agreement(np.array([[0, 1], [2, 3]]), np.array([[2, 3], [0, 4]]))) == pytest.approx([1 / 3, 1.0])
    assert list(align_topics(np.array([[0.1, 0.9], [0.8, 0.2]]))) == [1, 0]


def test_lda_and_batch_methods_run(planted_corpus):
    corpus = load_corpus(planted_corpus[0])
    lda = topics(corpus, settings=TopicSettings(k=3, method="lda", unit="document"))
    batch = topics(corpus, settings=TopicSettings(k=3, batch=True, unit="document"))
    assert lda.k == batch.k == 3 and len(lda.documents) == 36


@pytest.mark.parametrize(
    "settings, message",
    [
        (TopicSettings(k=1), "k must be an integer ≥ 2"),
        (TopicSettings(k=40, unit="document"), "k 40 needs more than 40 units"),  # the CLI says --k (tests/analysis/test_params.py)
        (TopicSettings(k=3, min_df=500, unit="document"), "try a lower min_df"),
        (TopicSettings(k=3, method="lsa"), "method must be one of nmf, lda"),
        (TopicSettings(k=30, unit="document", max_features=20), "30 NMF topics need at least 30 terms; 20 remain"),
        (TopicSettings(k="auto", k_range=(25, 30), unit="document", max_features=20), "25 NMF topics need at least 25 terms"),
    ],
)
def test_bad_settings_say_what_to_change(planted_corpus, settings, message):
    with pytest.raises(UsageError, match=message):
        topics(load_corpus(planted_corpus[0]), settings=settings)


def test_one_document_is_an_error(tmp_path):
    (tmp_path / "only.txt").write_text("Just one document about soil and seeds.", encoding="utf-8")
    with pytest.raises(UsageError, match="at least 2 documents"):
        topics(load_corpus(tmp_path), settings=TopicSettings(k=2))


def test_cli_json_shape_output_folder_and_labels(run, planted_corpus, tmp_path):
    folder, _ = planted_corpus
    out = tmp_path / "out"
    result = run("topics", str(folder), "--k", "3", "--unit", "document", "-f", "json", "-o", str(out), "--write-labels", str(tmp_path / "labels.csv"))
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["k"], payload["method"], payload["seed"]) == (3, "nmf", 0)
    assert payload["k_scores"] == []  # every key the README lists is there, k given or chosen
    topic = payload["topics"][0]
    assert {"topic", "label", "terms", "weights", "coherence", "prevalence"} <= set(topic)
    assert len(topic["terms"]) == len(topic["weights"]) == 10
    document = payload["documents"][0]
    assert set(document) == {"doc", "topic", "weights"} and len(document["weights"]) == 3
    for name in ("topics.csv", "document_topics.csv", "topics.json", "topic_terms.png", "document_topics.png"):
        assert (out / name).stat().st_size > 0
    assert json.loads((out / "topics.json").read_text()) == payload

    sheet = (tmp_path / "labels.csv").read_text().splitlines()
    assert sheet[0] == "topic,label,terms,extract"
    # Label the topic whose terms include 'boat'; the label must follow it, whatever its number.
    import pandas as pd

    frame = pd.read_csv(tmp_path / "labels.csv", keep_default_na=False)
    sailing = next(i for i, terms in enumerate(frame["terms"]) if "boat" in terms)
    frame.loc[sailing, "label"] = "Sailing"
    frame.iloc[::-1].to_csv(tmp_path / "labels.csv", index=False)
    labelled = json.loads(run("topics", str(folder), "--k", "3", "--unit", "document", "-f", "json", "--labels", str(tmp_path / "labels.csv")).stdout)
    sailing_topic = next(t for t in labelled["topics"] if "boat" in t["terms"])
    assert sailing_topic["label"] == "Sailing"
    # A filled-in sheet is never overwritten.
    again = run("topics", str(folder), "--k", "3", "--write-labels", str(tmp_path / "labels.csv"))
    assert again.exit_code == 2 and "exists" in again.stderr
    assert "Sailing" in (tmp_path / "labels.csv").read_text()


def test_cli_by_group_and_errors(run, planted_corpus, mini_corpus):
    folder, _ = planted_corpus
    missing = run("topics", str(folder), "--k", "3", "--by", "genre")
    assert missing.exit_code == 2 and "no metadata field 'genre'" in missing.stderr and "collection" not in missing.stdout
    bad_k = run("topics", str(folder), "--k", "many")
    assert bad_k.exit_code == 2 and "--k must be a whole number" in bad_k.stderr
    grouped = run("topics", str(mini_corpus), "--k", "2", "--unit", "chunk", "--chunk-size", "10", "--min-df", "1", "--by", "genre", "-f", "json")
    assert grouped.exit_code == 0, grouped.stderr
    assert {g["genre"] for g in json.loads(grouped.stdout)["groups"]} == {"article", "blog", "report"}


#: The child's no_topic_plots (tests/conftest.py): its topic folder without the plots, which the
#: files compared do not depend on; drawing them (and importing matplotlib for them) was half of
#: the child's time.
NO_TOPIC_PLOTS = (
    "from peercorpus.render import topic_folder\n"
    "topic_folder.plot_topic_terms = topic_folder.plot_document_heatmap = lambda model, path: None\n"
)


@pytest.mark.slow
def test_same_seed_gives_byte_identical_output_across_processes(run, planted_corpus, tmp_path, no_topic_plots):
    # Two processes, so two string-hash seeds: this one (in-process CLI) and a child. Neither draws
    # the folder's plots (no_topic_plots, NO_TOPIC_PLOTS).
    folder, _ = planted_corpus
    args = ["topics", str(folder), "--k", "3", "--runs", "3", "-o"]
    assert run("-q", *args, str(tmp_path / "here")).exit_code == 0
    child = (
        f"import sys\n{NO_TOPIC_PLOTS}from peercorpus.cli import main\n"
        f"sys.argv = {['peercorpus', '-q', *args, str(tmp_path / 'child')]!r}\nmain()\n"
    )
    subprocess.run([sys.executable, "-c", child], check=True, capture_output=True)
    outputs = [{name: (tmp_path / out / name).read_bytes() for name in ("topics.json", "topics.csv", "document_topics.csv")}
               for out in ("here", "child")]
    assert outputs[0] == outputs[1]


def test_sample_corpus_topics_are_not_reference_lists(run, sample_corpus):
    config = sample_corpus.parent / "configs" / "peer-support.yaml"
    payload = json.loads(run("topics", str(sample_corpus), "--config", str(config), "--k", "5", "-f", "json").stdout)
    terms = {term for topic in payload["topics"] for term in topic["terms"]}
    assert not terms & {"google", "scholar", "pubmed", "doi", "crossref", "gmail"}
    assert payload["unit"] == "paragraph"


@pytest.mark.slow
def test_cli_markdown_html_csv_svg_and_runs(run, planted_corpus, tmp_path):
    folder, _ = planted_corpus
    base = ["topics", str(folder), "--k", "3", "--unit", "document"]
    markdown = run(*base, "-f", "md").stdout
    assert markdown.startswith("# 3 topics") and "## Representative extracts" in markdown
    page = run(*base, "-f", "html").stdout
    assert page.startswith("<h1>3 topics</h1>") and "<table>" in page
    csv_lines = run(*base, "-f", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("topic,label,prevalence,coherence,stability,terms") and len(csv_lines) == 4
    out = tmp_path / "svg"
    assert run(*base, "--runs", "3", "--svg", "-o", str(out)).exit_code == 0
    assert (out / "topic_terms.svg").read_text().startswith("<?xml")
    stability = json.loads((out / "topics.json").read_text())["topics"]
    assert all(0 <= t["stability"] <= 1 for t in stability)


def test_k_auto_with_too_few_units_says_what_to_change(run, tmp_path):
    (tmp_path / "garden.txt").write_text("Soil and seeds in the garden.", encoding="utf-8")
    (tmp_path / "kitchen.txt").write_text("Oven and flour in the kitchen.", encoding="utf-8")
    result = run("topics", str(tmp_path), "--unit", "document", "--min-df", "1", "--max-df", "1.0")
    assert result.exit_code == 2 and "--k auto needs more units" in result.stderr


def test_max_df_one_means_every_unit(run, planted_corpus):
    # Every planted term is in many documents: read as a count of one, --max-df 1 would drop them all.
    result = run("topics", str(planted_corpus[0]), "--k", "3", "--unit", "document", "--max-df", "1", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["vocabulary"] > 30


def test_a_cut_table_says_where_the_rest_is():
    import io

    import pandas as pd
    from rich.console import Console

    from peercorpus.render.table import print_table

    console = Console(file=io.StringIO(), width=100)
    print_table(pd.DataFrame({"doc": [f"d{i}" for i in range(40)]}), console=console, max_rows=30, rest="all of them in out/document_topics.csv")
    assert "… 10 more rows (all of them in out/document_topics.csv)" in console.file.getvalue()
    console = Console(file=io.StringIO(), width=100)
    print_table(pd.DataFrame({"doc": [f"d{i}" for i in range(40)]}), console=console, max_rows=30)
    assert "(use --output to export all)" in console.file.getvalue()


def test_extracts_cut_off_headings_run_into_a_sentence(tmp_path):
    from peercorpus.analysis.topics.extracts import without_headings

    # Man pages and plain text put a heading on its own line; the sentence splitter runs it into
    # the next sentence.
    garden = "The garden soil needs compost and seeds before the roses and tomatoes are planted in spring."
    boat = "The sailing boat left the harbour at high tide with its crew, sails and anchor ready for the trip."
    for number in range(6):
        text = f"DESCRIPTION\n{garden}\n\nRETURN VALUE\n{boat}\n" if number % 2 else f"Return Value\n{boat}\n\nNOTES\n{garden}\n"
        (tmp_path / f"page-{number}.txt").write_text(text, encoding="utf-8")
    model = topics(load_corpus(tmp_path), settings=TopicSettings(k=2, unit="paragraph"))
    assert len(model.extracts) and all(s.startswith("The ") for s in model.extracts["sentence"])
    # A heading inside a sentence (after a line that ends one): two pieces glued, not an extract.
    assert without_headings("Names are listed below:\nParameters\nThis implementation supports them.") is None
    # Not a heading: a hard-wrapped line that does not start the sentence's line, or ends in a full stop.
    assert without_headings("In\nLondon, the mayor spoke.", at_line_start=False) == "In\nLondon, the mayor spoke."
    assert without_headings("See the manual.\nIt says so.") == "See the manual.\nIt says so."
