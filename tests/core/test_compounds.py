"""Compounds (``tokenize.compounds``/``compounds_file``): no token counted twice, the phrase
list's order and the hash seed never change the counts."""

import itertools
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import Runner
from peercorpus import load_corpus
from peercorpus.config import TokenizeSettings

SAMPLE = Path(__file__).parents[2] / "corpora"

OVERLAPS = (
    "Mental health services are stretched. Peer support workers help; a peer support worker listens.\n"
    "Health services and mental health care differ. Support workers matter.\n"
)


def _counts(corpus, phrases) -> Counter:
    features = corpus.tokens.features(TokenizeSettings(compounds=tuple(phrases)))
    return Counter(features.vocab[i] for i in features.ids if i >= 0)


def test_overlapping_phrases_never_share_a_token(tmp_path):
    (tmp_path / "a.txt").write_text(OVERLAPS, encoding="utf-8")
    corpus = load_corpus(tmp_path, use_cache=False)
    counts = _counts(corpus, ["mental health", "health services", "peer support", "support worker", "peer support worker"])
    # Left to right, longest first: "mental health | services", "peer support worker".
    assert counts["mental_health"] == 2 and counts["health_services"] == 1 and counts["services"] == 1
    assert counts["peer_support_worker"] == 1 and counts["peer_support"] == 1 and counts["support_worker"] == 0
    # Every "health" of the text is in exactly one term.
    health = sum(n * term.split("_").count("health") for term, n in counts.items())
    assert health == OVERLAPS.lower().count("health") == 3


def test_the_order_of_the_phrase_list_does_not_matter(tmp_path):
    (tmp_path / "a.txt").write_text(OVERLAPS, encoding="utf-8")
    corpus = load_corpus(tmp_path, use_cache=False)
    phrases = ["mental health", "health services", "support workers", "peer support", "peer support worker"]
    results = {tuple(sorted(_counts(corpus, order).items())) for order in itertools.permutations(phrases)}
    assert len(results) == 1
    # A phrase listed twice (in any case) is one term.
    assert _counts(corpus, ["Mental health", "mental health"])["mental_health"] == 2


@pytest.mark.slow
def test_compounds_file_counts_are_the_same_under_any_hash_seed(tmp_path):
    compounds = tmp_path / "compounds.txt"
    compounds.write_text(
        "mental health\npeer support\nlived experience\nservice user\nhealth services\nservice users\n"
        "peer worker\npeer workers\nsupport workers\nhealth professionals\nuser involvement\n",
        encoding="utf-8",
    )
    # counted on the text as extracted (reference lists included), where 89 was worked out
    args = ["-q", "freq", str(SAMPLE), "--set", f"tokenize.compounds_file={compounds}", "--set", "cleaning.auto=false", "-f", "csv",
            "--cache-dir", str(tmp_path / "cache")]
    # Three string-hash seeds: this process' (the CLI in-process, reading the corpus cold) and two
    # children's, other than this one's when it was set (two children started cost a fifth more)
    result = Runner()(*args)
    assert result.exit_code == 0, result.stderr
    outputs = [result.stdout]
    for seed in [seed for seed in ("1", "2", "3") if seed != os.environ.get("PYTHONHASHSEED")][:2]:
        command = [sys.executable, "-m", "peercorpus", *args]
        outputs.append(subprocess.run(command, env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True, text=True).stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    counts = {line.split(",")[1]: int(line.split(",")[2]) for line in outputs[0].splitlines()[1:]}
    assert counts["mental_health"] == 89 and "health_services" not in counts  # all 25 follow "mental"
