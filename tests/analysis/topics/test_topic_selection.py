"""Choosing k (consensus peaks), and topic shares over time and by group, on planted corpora."""

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peercorpus import load_corpus
from peercorpus.analysis.topics.model import TopicSettings, topics, topics_over
from peercorpus.analysis.topics.quality import adjusted_rand, partition_agreement
from peercorpus.analysis.topics.selection import consensus_peaks, near_best, pick_k

#: Five planted topics; gardening/farming and baking/cooking share half their words (groups that overlap).
OVERLAPPING = {
    "garden": "soil seeds compost roses weeding spade greenhouse tomatoes hedge lawn",
    "farm": "soil seeds compost tractor harvest barley cattle ploughing fields silo",
    "baking": "oven flour butter pastry knead dough yeast loaf crust icing",
    "cooking": "oven flour butter simmer saucepan garlic onions roast stew gravy",
    "sailing": "boat harbour sails mast anchor tide keel rudder crew mooring",
}
FILLER = "the and of to a in that it was for on are with as this be at by from".split()


def write_overlapping_corpus(folder: Path, *, per_topic: int = 14, seed: int = 0) -> dict[str, str]:
    """``OVERLAPPING``'s groups, ``per_topic`` documents each (``write_groups_corpus``)."""
    return write_groups_corpus(folder, OVERLAPPING, per_group=per_topic, seed=seed)


def test_partition_agreement_and_adjusted_rand_match_scikit_learn():
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    rng = np.random.default_rng(0)
    for _ in range(5):
        first = rng.integers(0, 5, 200)
        second = (first + rng.integers(0, 2, 200)) % 6
        assert partition_agreement(first, second) == pytest.approx(normalized_mutual_info_score(first, second))
        assert adjusted_rand(first, second) == pytest.approx(adjusted_rand_score(first, second))
    # Hand-worked: 1 pair is together in both; chance expects 2 × 3 / 6 = 1 such pair, so ARI = 0.
    assert adjusted_rand([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(0.0)
    assert adjusted_rand([0, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(-0.5)
    assert adjusted_rand([3, 3, 4], [1, 1, 0]) == 1.0
    assert partition_agreement([0, 0, 1, 1], [5, 5, 3, 3]) == 1.0  # names of the groups do not matter
    assert partition_agreement([0, 1, 0, 1], [0, 0, 1, 1]) == 0.0
    assert partition_agreement([2, 2], [7, 7]) == 1.0


def test_consensus_peaks_include_the_ends_of_the_range():
    assert list(consensus_peaks([0.9, 0.8, 0.85, 0.7, 0.75])) == [True, False, True, False, True]


def test_pick_k_takes_the_largest_k_about_as_reproducible_as_the_best():
    # BBC-like (1 - consensus: 0.020 at k=2, 0.026 at k=5, 0.075 at k=6; a second peak at k=9,
    # 0.108 = 5.4 times the best): k=5, not the smallest k and not the later peak.
    bbc = pd.DataFrame({"k": range(2, 13), "consensus": [.980, .961, .956, .974, .925, .913, .874, .892, .823, .802, .801]})
    k, reason = pick_k(bbc)
    assert k == 5 and "at most 4× as much" in reason and "best 0.98 at k=2" in reason
    assert list(near_best(bbc["consensus"])) == [True] * 5 + [False] * 6
    assert list(near_best(bbc["consensus"], ratio=2)) == [True, True, False, True] + [False] * 7
    # Reuters: only k=2 is reproducible (0.935; every other k below 0.75), so it is chosen.
    reuters = bbc.assign(consensus=[.935, .730, .575, .540, .450, .516, .513, .569, .554, .552, .618])
    assert pick_k(reuters)[0] == 2
    # Python's library reference: overlapping chapters, no k much more reproducible than the
    # others (0.48-0.68): the last peak of the range.
    pydoc = bbc.assign(consensus=[.477, .546, .499, .684, .666, .639, .661, .645, .622, .672, .624])
    assert pick_k(pydoc)[0] == 11
    # Perfect agreement up to the planted k: the floor keeps a tiny disagreement from counting.
    planted = pd.DataFrame({"k": range(2, 8), "consensus": [1.0, 1.0, 0.995, 1.0, 0.93, 0.90]})
    assert pick_k(planted)[0] == 5
    # A k in which a topic is no unit's main topic is left out (here k=5 would otherwise win).
    used = bbc.assign(topics_used=[2, 3, 4, 4, 6, 7, 8, 9, 10, 11, 12])
    assert pick_k(used)[0] == 2
    # The previous rule is still there by name: the largest consensus peak within 15%.
    assert pick_k(bbc, rule="peak")[0] == 9
    # The release before's tables (no consensus) are still judged by its rule.
    old = pd.DataFrame({"k": [2, 5, 8], "stability": [0.88, 0.82, 0.67], "coherence": [0.09, 0.30, 0.32]})
    assert pick_k(old)[0] == 5


def write_groups_corpus(folder: Path, groups: dict[str, str], *, per_group: int = 14, shared: str = "", seed: int = 0,
                        sizes: dict[str, int] | None = None) -> dict[str, str]:
    """Documents whose words come from their group's list (and a share of ``shared`` words that
    every group uses, when given); returns {file name: group}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    common = shared.split()
    for group, words in sorted(groups.items()):
        own = words.split()
        for number in range((sizes or {}).get(group, per_group)):
            sentences = []
            for _ in range(8):
                chosen = rng.choices(own, k=8) + (rng.choices(common, k=3) if common else []) + rng.choices(FILLER, k=4)
                rng.shuffle(chosen)
                sentences.append(" ".join(chosen).capitalize() + ".")
            name = f"{group}-{number:02d}.txt"
            (folder / name).write_text(" ".join(sentences) + "\n", encoding="utf-8")
            labels[name] = group
    return labels


def _auto(folder: Path, k_range=(2, 8), paths=None):
    corpus = load_corpus(paths if paths is not None else folder)
    return topics(corpus, settings=TopicSettings(k="auto", k_range=k_range, unit="document"))


@pytest.mark.slow
def test_k_auto_finds_two_planted_groups_and_four_of_unequal_size(tmp_path):
    two = {"garden": OVERLAPPING["garden"], "sailing": OVERLAPPING["sailing"]}
    write_groups_corpus(tmp_path / "two", two, per_group=20)
    assert _auto(tmp_path / "two").k == 2
    four = {name: OVERLAPPING[name] for name in ("garden", "baking", "sailing", "farm")}
    labels = write_groups_corpus(tmp_path / "four", four, sizes={"garden": 30, "baking": 20, "sailing": 12, "farm": 8},
                                 shared="weather morning family weekend local")
    model = _auto(tmp_path / "four")
    assert model.k == 4
    from sklearn.metrics import normalized_mutual_info_score

    planted = [labels[doc] for doc in model.documents["doc"]]
    assert normalized_mutual_info_score(planted, list(model.documents["topic"])) > 0.9


@pytest.mark.slow
def test_k_auto_choice_moves_by_at_most_one_when_documents_are_added_or_removed(tmp_path):
    labels = write_groups_corpus(tmp_path / "overlap", OVERLAPPING, per_group=20)
    files = sorted((tmp_path / "overlap").glob("*.txt"))
    base = _auto(tmp_path / "overlap").k
    rng = random.Random(1)
    removed = sorted(set(files) - set(rng.sample(files, 2)))  # 2% of 100 documents left out
    extra = tmp_path / "extra"
    write_groups_corpus(extra, {"news": "minister election parliament vote policy budget tax campaign"}, per_group=2)
    added = files + sorted(extra.glob("*.txt"))
    for paths in (removed, added):
        assert abs(_auto(tmp_path, paths=paths).k - base) <= 1
    assert base in (4, 5, 6) and len(labels) == 100


def test_k_auto_on_overlapping_planted_groups_is_not_the_smallest_k(tmp_path):
    from sklearn.metrics import normalized_mutual_info_score

    labels = write_overlapping_corpus(tmp_path / "overlap")
    model = topics(load_corpus(tmp_path / "overlap"), settings=TopicSettings(k="auto", k_range=(2, 8), unit="document"))
    assert model.k in (4, 5, 6)
    assert {"k", "consensus", "topics_used", "stability", "coherence", "peak", "near_best", "consensus_sd", "chosen"} <= set(model.k_scores.columns)
    assert list(model.k_scores["k"]) == list(range(2, 9)) and model.k_scores["chosen"].sum() == 1
    planted = [labels[doc] for doc in model.documents["doc"]]
    assert normalized_mutual_info_score(planted, list(model.documents["topic"])) > 0.8


def _dated_corpus(folder: Path, values: dict[str, object], field: str = "year") -> Path:
    rows = [f"file,{field}"] + [f"{name},{'' if value is None else value}" for name, value in values.items()]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_topics_over_years_are_shares_per_period(writable_planted_corpus):
    folder, labels = writable_planted_corpus
    # Gardening in 2001, sailing in 2003, cooking across both, one document without a year.
    years = {name: 2001 if topic == "garden" else 2003 if topic == "sailing" else 2001 + 2 * (i % 2)
             for i, (name, topic) in enumerate(sorted(labels.items()))}
    years["kitchen-00.txt"] = None
    corpus = load_corpus(_dated_corpus(folder, years))
    model = topics(corpus, settings=TopicSettings(k=3, unit="document"))
    table = topics_over(model, corpus, "year")
    assert list(table["period"]) == ["2001", "2003"]
    assert table.attrs["skipped"] == 1 and table.attrs["kind"] == "date"
    assert list(table["documents"]) == [sum(1 for v in years.values() if v == y) for y in (2001, 2003)]
    shares = table[[f"topic_{t}" for t in range(3)]].to_numpy()
    assert shares.sum(axis=1) == pytest.approx(1.0, abs=1e-5)
    garden = int(model.documents.set_index("doc").loc["garden-00.txt", "topic"])
    sailing = int(model.documents.set_index("doc").loc["sailing-00.txt", "topic"])
    assert shares[0, garden] > 0.4 and shares[0, sailing] < 0.05
    assert shares[1, sailing] > 0.4 and shares[1, garden] < 0.05


def test_topics_over_dates_by_month_and_numbers_in_bins(writable_planted_corpus):
    folder, labels = writable_planted_corpus
    names = sorted(labels)
    dates = {name: f"2020-0{1 + i % 3}-15" for i, name in enumerate(names)}
    corpus = load_corpus(_dated_corpus(folder, dates, "date"))
    model = topics(corpus, settings=TopicSettings(k=3, unit="document"))
    assert list(topics_over(model, corpus, "date")["period"]) == ["2020-01", "2020-02", "2020-03"]
    waves = {name: 1 + i % 12 for i, name in enumerate(names)}  # 12 values: one period each, in numeric order
    corpus = load_corpus(_dated_corpus(folder, waves, "wave"))
    assert list(topics_over(model, corpus, "wave")["period"]) == list(range(1, 13))
    numbers = {name: i * 1.5 for i, name in enumerate(names)}  # 36 distinct values → 10 bins
    corpus = load_corpus(_dated_corpus(folder, numbers, "score"))
    table = topics_over(model, corpus, "score")
    assert len(table) == 10 and table["documents"].sum() == len(names)
    assert table["period"].iloc[0].startswith("00: 0–") and table["period"].iloc[-1].startswith("09: ")


@pytest.mark.slow
def test_cli_over_and_by_write_tables_and_300_dpi_plots(run, writable_planted_corpus, tmp_path):
    # Not marked print_dpi: the plots over time and by group are 300 dpi whatever figure.DPI is
    # (topic_plots.SHARES_DPI); the folder's other plots are drawn at 72 dpi, as in other tests.
    from PIL import Image

    folder, labels = writable_planted_corpus
    values = {name: 2000 + i % 4 for i, name in enumerate(sorted(labels))}
    rows = ["file,year,genre"] + [f"{name},{year},{labels[name][:1]}" for name, year in values.items()]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("topics", str(folder), "--k", "3", "--unit", "document", "--over", "year", "--by", "genre", "-o", str(out), "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["over"]["field"] == "year" and [p["period"] for p in payload["over"]["periods"]] == ["2000", "2001", "2002", "2003"]
    over = pd.read_csv(out / "topics_over.csv", dtype={"period": str})
    assert list(over.columns) == ["period", "documents", "topic_0", "topic_1", "topic_2"]
    assert (out / "group_topics.csv").exists() and (out / "document_topics.csv").exists()
    for plot in ("topics_over.png", "group_topics.png"):
        with Image.open(out / plot) as image:
            assert round(image.info["dpi"][0]) == 300
    terminal = run("topics", str(folder), "--k", "3", "--unit", "document", "--over", "year")
    assert "Topic shares per year" in terminal.stdout


def test_cli_over_errors_are_one_line(run, writable_planted_corpus):
    folder, labels = writable_planted_corpus
    missing = run("topics", str(folder), "--k", "3", "--over", "year")
    assert missing.exit_code == 2 and "--over year: no metadata field 'year'" in missing.output
    _dated_corpus(folder, {name: topic for name, topic in labels.items()}, "kind")
    words = run("topics", str(folder), "--k", "3", "--unit", "document", "--over", "kind")
    assert words.exit_code == 2 and "neither dates nor numbers" in words.output and "Traceback" not in words.output


@pytest.mark.slow
def test_warm_k_auto_imports_neither_scikit_learn_nor_matplotlib(planted_corpus, tmp_path):
    from conftest import heavy_imports_of_warm_command

    folder, _ = planted_corpus
    args = ("topics", str(folder), "--k-range", "2-4", "--unit", "document", "-f", "json")
    assert heavy_imports_of_warm_command(folder, tmp_path / "cache", *args, modules=("sklearn", "matplotlib")) == (False, False)


def test_k_scores_keep_the_earlier_columns_first_and_in_order(planted_corpus):
    folder, _ = planted_corpus
    model = topics(load_corpus(folder), settings=TopicSettings(k="auto", k_range=(2, 4), unit="document", samples=2))
    assert list(model.k_scores.columns) == [
        "k", "consensus", "topics_used", "stability", "coherence", "peak", "chosen", "consensus_sd", "near_best",
    ]
