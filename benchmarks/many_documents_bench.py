"""Peak memory of warm `info` on a corpus of many small documents: this tree against a baseline revision.

Run: .venv/bin/python benchmarks/many_documents_bench.py [--documents 100000] [--baseline c5db4a5]

One ``.jsonl`` file of ``--documents`` rows of 25 words each is written and ingested once
(with this tree; the baseline reads the same cache, whose format must be the same), then
``info -f csv`` and ``info -f json`` run with each tree (``git archive`` of the baseline,
run through ``PYTHONPATH``), in turn, ``--repeat`` times; the largest peak resident memory
(MiB) and the smallest wall time are kept, and the outputs must be the same bytes.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import ROOT, bench_arguments, timed

WORDS = "peer support workers lived experience recovery mental health services boundaries training supervision hope".split()


def write_rows(path: Path, count: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            text = " ".join(rng.choice(WORDS) for _ in range(25)) + "."
            handle.write(json.dumps({"id": f"d{i}", "text": text, "group": f"g{i % 7}"}) + "\n")


def source_of(revision: str, work: Path) -> Path:
    """The ``src`` folder of ``revision`` (exported once into ``work``)."""
    folder = work / f"tree-{revision}"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--documents",), {"type": int, "default": 100_000}),
        (("--baseline",), {"default": "c5db4a5"}),
        (("--work",), {"type": Path, "default": Path(tempfile.gettempdir()) / "peercorpus-many-documents"}),
        corpus_default=Path("."),
    )
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus, cache = work / f"rows-{args.documents}.jsonl", work / "cache"
    if not corpus.exists():
        write_rows(corpus, args.documents)
    trees = {"baseline": source_of(args.baseline, work), "this tree": ROOT / "src"}
    python = [sys.executable, "-m", "peercorpus"]
    subprocess.run([*python, "-q", "ingest", str(corpus), "--cache-dir", str(cache)], check=True, env={**os.environ, "PYTHONPATH": str(trees["this tree"])})
    print(f"{args.documents:,} documents ({corpus.stat().st_size / 1e6:.1f} MB of JSON lines)")
    print(f"{'format':<8}{'tree':<12}{'peak MiB':>10}{'seconds':>10}")
    for fmt in ("csv", "json"):
        outputs, peaks = {}, {}
        for name, source in trees.items():
            out = work / f"info-{name.replace(' ', '-')}.{fmt}"
            env = {**os.environ, "PYTHONPATH": str(source)}
            runs = [timed([*python, "-q", "info", str(corpus), "--cache-dir", str(cache), "-f", fmt, "-o", str(out)], env) for _ in range(args.repeat)]
            wall, peaks[name] = min(r[0] for r in runs), max(r[1] for r in runs)
            outputs[name] = out.read_bytes()
            print(f"{fmt:<8}{name:<12}{peaks[name]:>10.0f}{wall:>10.2f}")
        same = "same bytes" if outputs["baseline"] == outputs["this tree"] else "OUTPUTS DIFFER"
        print(f"{fmt:<8}{'ratio':<12}{peaks['this tree'] / peaks['baseline']:>10.2f}   ({same})")


if __name__ == "__main__":
    main()
