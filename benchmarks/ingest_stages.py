"""Where a cold ingest's CPU goes, stage by stage, in this tree and in a baseline tree.

Run: .venv/bin/python benchmarks/ingest_stages.py [--corpus ../shared/corpora/bbc] [--repeat 3]
     [--baseline-rev e016eef]

Two measurements, each in a child process, the baseline tree's and this tree's alternating,
the least CPU of ``--repeat`` runs kept per row (the machine is shared: CPU seconds, not wall):

1. a worker's work: ``workers.process_encoded`` of every file in one process, each stage's
   CPU seconds by wrapping the functions ``ingest/shard.py`` and ``store.encode_shard`` call
   (read, NFC, cleaning, sections, hyphens, paragraphs, Punkt, word regex, numbering forms,
   counting words, quality, text hash, line keys, compact arrays, zlib, JSON header), then
   pickling every result as a worker sends it and unpickling it as the parent receives it;
2. the parent's own work in a cold ``load_corpus(workers=2)``: its CPU (the workers' apart)
   and the parts of it named below (assembling each shard, the vocabularies and index at the
   end, the shard packs, hashing the files).

The baseline's ``src/`` is taken with ``git archive`` (as ``ingest_bench.py`` does). Rows a
tree lacks print as "-". See README "Performance" (cold ingest speed, third round).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import types
from collections import defaultdict
from pathlib import Path

from _timing import bench_arguments
from ingest_bench import baseline_tree

WORKER_ROWS = [
    "read (decode+NFC)", "NFC", "cleaning", "sections", "hyphens", "paragraphs", "Punkt", "word regex",
    "tokenize: other", "numbering forms", "counting words/types", "quality", "text hash", "line keys",
    "process_file: other", "encode: compact arrays", "encode: zlib", "encode: JSON header", "encode: other",
    "pickle (worker)", "worker total",
]
PARENT_ROWS = ["unpickle (parent)", "Assembler.add", "Assembler.finish", "ShardPack.add", "hashing", "parent total"]


def _worker_stages(corpus: Path) -> dict[str, float]:
    from peercorpus.config import load_config
    from peercorpus.ingest import punkt, shard, store, tokenize, workers
    from peercorpus.ingest.discover import discover

    clock, spent = time.process_time, defaultdict(float)

    def patch(owner, attr: str, name: str, consume: bool = False) -> None:
        function = getattr(owner, attr, None)
        if function is None:
            return

        def timed(*args, **kwargs):
            start = clock()
            result = function(*args, **kwargs)
            if consume:  # a generator: its work is done while it is consumed
                result = list(result)
            spent[name] += clock() - start
            return result

        setattr(owner, attr, timed)

    for attr, name in (("read_file", "read (decode+NFC)"), ("cleaned_text", "NFC+cleaning"), ("clean_text", "cleaning"),
                       ("find_sections", "sections"), ("split_sections", "sections"), ("join_line_end_hyphens", "hyphens"),
                       ("tokenize_text", "tokenize"), ("text_warnings", "quality"), ("content_hash", "text hash"),
                       ("document_line_keys", "line keys")):
        patch(shard, attr, name)
    patch(tokenize, "paragraph_spans", "paragraphs")
    patch(tokenize, "_default_words", "word regex")
    patch(punkt.FastPunkt, "span_tokenize", "Punkt", consume=True)
    patch(shard.FileVocabulary, "ids", "numbering forms")
    patch(shard.FileVocabulary, "count_words", "counting words/types")
    patch(store, "compact_arrays", "encode: compact arrays")
    patch(workers, "encode_shard", "encode")
    patch(workers, "process_file", "process_file")
    # the compression module the tree's store calls (ingest/deflate.py; zlib itself before it)
    name = "deflate" if hasattr(store, "deflate") else "zlib"
    module = getattr(store, name)
    setattr(store, name, types.SimpleNamespace(**{n: getattr(module, n) for n in dir(module) if not n.startswith("__")}))
    patch(getattr(store, name), "compress", "encode: zlib")
    store.json = types.SimpleNamespace(dumps=json.dumps, loads=json.loads)
    patch(store.json, "dumps", "encode: JSON header")

    config = load_config(None)
    tokenize.fast_sentence_splitter()
    items = [(path, root, "digest") for path, root in discover([corpus]).files]
    start = clock()
    results = [workers.process_encoded(item, config) for item in items]
    total = clock() - start
    start = clock()
    sent = pickle.dumps(results)
    spent["pickle (worker)"] = clock() - start
    start = clock()
    pickle.loads(sent)
    spent["unpickle (parent)"] = clock() - start
    rows = dict(spent)
    rows["NFC"] = rows.pop("NFC+cleaning", 0.0) - rows.get("cleaning", 0.0)
    inner = ("read (decode+NFC)", "NFC", "cleaning", "sections", "hyphens", "tokenize", "numbering forms",
             "counting words/types", "quality", "text hash", "line keys")
    rows["process_file: other"] = rows["process_file"] - sum(rows.get(k, 0.0) for k in inner)
    rows["tokenize: other"] = rows.pop("tokenize") - sum(rows.get(k, 0.0) for k in ("paragraphs", "Punkt", "word regex"))
    rows["encode: other"] = rows.pop("encode") - sum(rows.get(k, 0.0) for k in ("encode: compact arrays", "encode: zlib", "encode: JSON header"))
    rows.pop("process_file")
    rows["worker total"] = total + rows["pickle (worker)"]
    return rows


def _parent_stages(corpus: Path) -> dict[str, float]:
    from peercorpus.ingest import assemble, load, store, tokenize

    spent = defaultdict(float)

    def patch(owner, attr: str, name: str) -> None:
        function = getattr(owner, attr)

        def timed(*args, **kwargs):
            start = time.process_time()
            result = function(*args, **kwargs)
            spent[name] += time.process_time() - start
            return result

        setattr(owner, attr, timed)

    patch(assemble.Assembler, "add", "Assembler.add")
    patch(assemble.Assembler, "finish", "Assembler.finish")
    patch(store.ShardPack, "add", "ShardPack.add")
    patch(load, "_content_hashes", "hashing")
    tokenize.fast_sentence_splitter()
    cache = Path(tempfile.mkdtemp(prefix="pc-stages-"))
    try:
        start = time.process_time()
        load.load_corpus(corpus, cache_dir=cache, workers=2)
        spent["parent total"] = time.process_time() - start
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return dict(spent)


def _measure(src: Path | None, corpus: Path) -> dict[str, float]:
    """Both measurements, each in a fresh child process of the tree whose ``src`` is given."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # before the editable install of this tree on sys.path
    rows = {}
    for part in ("worker", "parent"):
        command = [sys.executable, __file__, "--child", part, "--corpus", str(corpus)]
        rows |= json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
    return rows


def main() -> None:
    if "--child" in sys.argv:
        part, corpus = sys.argv[sys.argv.index("--child") + 1], Path(sys.argv[sys.argv.index("--corpus") + 1])
        print(json.dumps(_worker_stages(corpus) if part == "worker" else _parent_stages(corpus)))
        return
    args = bench_arguments(__doc__, (("--baseline-rev",), {"default": "e016eef", "help": "git revision of the baseline tree"}))
    base_src = baseline_tree(args.baseline_rev)
    best: dict[str, dict[str, float]] = {"base": {}, "tree": {}}
    try:
        for _ in range(args.repeat):
            for name in ("base", "tree"):
                if name == "base" and base_src is None:
                    continue
                for row, seconds in _measure(base_src if name == "base" else None, args.corpus).items():
                    best[name][row] = min(best[name].get(row, float("inf")), seconds)
    finally:
        if base_src is not None:
            shutil.rmtree(base_src.parent, ignore_errors=True)
    megabytes = sum(p.stat().st_size for p in args.corpus.rglob("*") if p.is_file()) / 1e6
    print(f"corpus: {args.corpus} ({megabytes:.2f} MB); CPU seconds, least of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
    print(f"| stage | baseline {args.baseline_rev} | this tree |")
    print("|---|---:|---:|")
    for row in WORKER_ROWS + PARENT_ROWS:
        cells = [f"{best[name][row]:.3f}" if row in best[name] else "-" for name in ("base", "tree")]
        print(f"| {row} | {cells[0]} | {cells[1]} |")
    for name in ("base", "tree"):
        if "worker total" in best[name] and "parent total" in best[name]:
            both = best[name]["worker total"] + best[name]["parent total"]
            print(f"{name}: workers + parent {both:.2f} s CPU for {megabytes:.2f} MB"
                  f" ({2 * megabytes / both:.2f} MB/s if two cores did nothing else)")


if __name__ == "__main__":
    main()
