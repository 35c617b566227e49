"""Warm `freq`, `collocations` and `keyness` on BBC news against NLTK from raw text, as ratios.

Run: .venv/bin/python benchmarks/counting_bench.py [--corpus ../shared/corpora/bbc]

The baseline is the script a user would write with NLTK: read the files, tokenise with
`wordpunct_tokenize`, lower-case, then `FreqDist` (freq), `BigramCollocationFinder` with the
likelihood ratio (collocations), or two `FreqDist`s and G² in Python (keyness, business
against the rest). peercorpus runs whole processes from a warm cache (no re-tokenising).
Target: each at most 0.5x its baseline.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed

BASELINES = {
    "freq": """
import sys, pathlib
from nltk import FreqDist, wordpunct_tokenize
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.txt"))
fd = FreqDist(w.lower() for p in files for w in wordpunct_tokenize(p.read_bytes().decode("utf-8", "replace")) if w.isalnum())
print(fd.most_common(50))
""",
    "collocations": """
import sys, pathlib
from nltk import wordpunct_tokenize
from nltk.collocations import BigramCollocationFinder
from nltk.metrics import BigramAssocMeasures
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.txt"))
docs = [[w.lower() for w in wordpunct_tokenize(p.read_bytes().decode("utf-8", "replace")) if w.isalnum()] for p in files]
finder = BigramCollocationFinder.from_documents(docs)
finder.apply_freq_filter(3)
print(finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)[:50])
""",
    "keyness": """
import sys, pathlib, math
from nltk import FreqDist, wordpunct_tokenize
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.txt"))
target, reference = FreqDist(), FreqDist()
for p in files:
    words = [w.lower() for w in wordpunct_tokenize(p.read_bytes().decode("utf-8", "replace")) if w.isalnum()]
    (target if p.parent.name == "business" else reference).update(words)
c, d = target.N(), reference.N()
def g2(a, b):
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    return 2 * ((a * math.log(a / e1) if a else 0) + (b * math.log(b / e2) if b else 0))
print(sorted(((g2(target[w], reference[w]), w) for w in set(target) | set(reference)), reverse=True)[:50])
""",
}


def main() -> None:
    args = bench_arguments(__doc__)
    corpus = str(args.corpus)
    cache = Path(tempfile.mkdtemp(prefix="pc-count-bench-"))
    common = ["--cache-dir", str(cache), "-f", "csv"]
    commands = {
        "freq": [PEERCORPUS, "-q", "freq", corpus, *common, "--top", "50"],
        "collocations": [PEERCORPUS, "-q", "collocations", corpus, *common, "--top", "50", "--set", "tokenize.stopwords=none"],
        "keyness": [PEERCORPUS, "-q", "keyness", corpus, *common, "--target", "collection=business", "--top", "50"],
    }
    try:
        timed([PEERCORPUS, "-q", "ingest", corpus, "--cache-dir", str(cache)])
        print(f"corpus: {corpus} (warm cache; best of {args.repeat})")
        for name, command in commands.items():
            baseline = min(timed([sys.executable, "-c", BASELINES[name], corpus])[0] for _ in range(args.repeat))
            ours = []
            for _ in range(args.repeat):
                seconds, peak = timed(command)
                ours.append(seconds)
            print(f"{name:13s} NLTK from raw text {baseline:6.2f} s   peercorpus warm {min(ours):5.2f} s   "
                  f"ratio {min(ours) / baseline:4.2f}x (target <= 0.5); peak RSS so far {peak:.0f} MiB")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
