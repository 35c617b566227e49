"""Cold ingest in MB/s against the tree it started from, the tokenising bounds, and scikit-learn.

Run: .venv/bin/python benchmarks/ingest_bench.py [--corpus ../shared/corpora/bbc] [--repeat 3]
     [--baseline-rev c5db4a5]

Times whole processes side by side in one run (the machine is noisy, so ratios mean more than
seconds), and CPU seconds beside wall seconds (the parent and its worker processes: what a
loaded machine cannot hide):

1. cold `peercorpus ingest` (empty cache) of this tree and of the baseline tree
   (``--baseline-rev``, default c5db4a5: the commit before issue 18's faster ingest; its
   ``src/`` taken with ``git archive`` and run by this same Python), alternating, best of
   ``--repeat``; MB/s is the corpus' bytes over the wall time; beside it, the CPU of the
   parent process alone (which assembles every file in order while its workers tokenise);
2. the bounds issue 18 measures ingest against, on the same texts in this process (CPU,
   one core, times two for two cores): the word regex alone, the word regex plus NLTK's
   Punkt, and the word regex plus ``ingest/punkt.FastPunkt`` (Punkt's spans, faster);
3. as before: a scikit-learn ``CountVectorizer`` script over the same files (cold ingest
   builds sentence, paragraph and offset data too) and warm `info` (target: 5x faster than cold).

``--cold-disk`` (root, Linux): the system's page cache is dropped before each ingest, so that
the files are read from the disk, as a corpus that was not just written or read is.

Before issue 18's changes (this machine, BBC 5.04 MB, two cores shared with other jobs): cold
ingest 0.7 MB/s (7.4 s wall, 10.5 s CPU). See README "Performance" for the latest figures.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import ROOT, bench_arguments, timed, timed_cpu

BASELINE = """
import sys, pathlib
from sklearn.feature_extraction.text import CountVectorizer
texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.txt"))]
CountVectorizer().fit_transform(texts)
"""


def baseline_tree(rev: str) -> Path | None:
    """``src/`` of ``rev`` in a temporary folder (run with PYTHONPATH), or None without git."""
    folder = Path(tempfile.mkdtemp(prefix="pc-bench-base-"))
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"(no baseline: cannot take {rev} from git: {error})")
        shutil.rmtree(folder, ignore_errors=True)
        return None
    src = folder / "src"
    imported = subprocess.run([sys.executable, "-c", "import peercorpus; print(peercorpus.__file__)"],
                              env={**os.environ, "PYTHONPATH": str(src)}, capture_output=True, text=True).stdout
    if not imported.startswith(str(src)):  # the editable install of this tree came first
        sys.exit(f"the baseline tree is not what PYTHONPATH={src} imports ({imported.strip()})")
    return src


# ``python -m peercorpus`` that writes its own CPU seconds (not its workers') to a file at exit:
# the share of the process that assembles every file in order, alone while the workers tokenise
WITH_OWN_CPU = """
import atexit, os, resource, runpy, sys
def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(os.environ["PC_BENCH_OWN_CPU"], "w") as out:
        out.write(str(usage.ru_utime + usage.ru_stime))
atexit.register(own_cpu)
sys.argv[0] = "peercorpus"
runpy.run_module("peercorpus", run_name="__main__")
"""


def cold_ingest(src: Path | None, corpus: Path, *, cold_disk: bool = False) -> tuple[float, float, float, float]:
    """A cold ``peercorpus ingest`` of ``corpus``, by the tree whose ``src`` is given (None: this
    one): wall seconds, CPU seconds (with its workers), peak RSS (MiB) and its own CPU seconds.
    ``cold_disk``: the page cache dropped first (``drop_page_cache``)."""
    cache = Path(tempfile.mkdtemp(prefix="pc-bench-"))
    if cold_disk:
        drop_page_cache()
    env = {**os.environ, "PC_BENCH_OWN_CPU": str(cache / "own-cpu")}
    if src is not None:
        env["PYTHONPATH"] = str(src)  # before the editable install of this tree on sys.path
    command = [sys.executable, "-c", WITH_OWN_CPU, "-q"]
    try:
        wall, rss, cpu = timed_cpu(command + ["ingest", str(corpus), "--cache-dir", str(cache / "cache")], env)
        return wall, cpu, rss, float((cache / "own-cpu").read_text())
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def drop_page_cache() -> None:
    """Write dirty pages out, then drop the clean ones (and the cached inodes and folders)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as error:
        sys.exit(f"--cold-disk: cannot drop the page cache ({error.strerror or error}; it needs root on Linux)")


def tokenising_bounds(corpus: Path) -> dict[str, float]:
    """CPU seconds (this process, one core) of the word regex alone, with NLTK's Punkt, and with
    FastPunkt, over the documents' texts as read (paragraph by paragraph for Punkt, as ingest)."""
    from peercorpus.config import load_config
    from peercorpus.ingest.discover import discover
    from peercorpus.ingest.tokenize import (
        DEFAULT_TOKEN_PATTERN,
        fast_sentence_splitter,
        paragraph_spans,
        sentence_splitter,
    )
    from peercorpus.io import read_file

    config = load_config(None)
    texts = []
    for path, root in discover([corpus]).files:
        texts += [raw.text for raw in read_file(path, root, config.read)]
    # the documented pattern as issue 18 measured its bound (ingest splits with a faster,
    # equivalent form: tokenize._FACTORED_TOKEN_PATTERN)
    pattern = re.compile(DEFAULT_TOKEN_PATTERN)
    nltk_punkt, fast_punkt = sentence_splitter(), fast_sentence_splitter()
    paragraphs = [[text[a:b] for a, b in paragraph_spans(text)] for text in texts]

    def cpu(work) -> float:
        start = time.process_time()
        work()
        return time.process_time() - start

    regex = cpu(lambda: [pattern.findall(text) for text in texts])
    with_nltk = regex + cpu(lambda: [list(nltk_punkt.span_tokenize(p)) for ps in paragraphs for p in ps])
    fast_punkt.forget()  # nothing remembered from an earlier run
    with_fast = regex + cpu(lambda: [list(fast_punkt.span_tokenize(p)) for ps in paragraphs for p in ps])
    return {"regex": regex, "regex + NLTK Punkt": with_nltk, "regex + FastPunkt": with_fast}


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--baseline-rev",), {"default": "c5db4a5", "help": "git revision of the baseline tree"}),
        (("--cold-disk",), {"action": "store_true", "help": "drop the page cache before each ingest (root)"}),
    )
    corpus = args.corpus
    megabytes = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6
    base_src = baseline_tree(args.baseline_rev)
    runs: dict[str, list[tuple[float, float, float, float]]] = {"tree": [], "base": []}
    try:
        for repeat in range(args.repeat):
            order = ["tree", "base"] if repeat % 2 == 0 else ["base", "tree"]
            for name in order:
                if name == "base" and base_src is None:
                    continue
                runs[name].append(cold_ingest(base_src if name == "base" else None, corpus, cold_disk=args.cold_disk))
    finally:
        if base_src is not None:
            shutil.rmtree(base_src.parent, ignore_errors=True)
    bounds = tokenising_bounds(corpus)

    print(f"corpus: {corpus} ({megabytes:.2f} MB in files; best of {args.repeat}; {os.cpu_count()} cores;"
          f"{' files read from the disk (page cache dropped);' if args.cold_disk else ''}"
          f" load average {os.getloadavg()[0]:.1f})")
    print("cold `peercorpus ingest`:")
    best = {}
    for name, label in (("base", f"baseline {args.baseline_rev}"), ("tree", "this tree")):
        if not runs[name]:
            continue
        wall = min(r[0] for r in runs[name])
        cpu = min(r[1] for r in runs[name])
        best[name] = (wall, cpu)
        walls = ", ".join(f"{r[0]:.2f}" for r in runs[name])
        own = ", ".join(f"{r[3]:.1f}" for r in runs[name])
        print(f"  {label:22s} {wall:6.2f} s wall ({walls})  {cpu:6.2f} s CPU  {megabytes / wall:5.2f} MB/s"
              f"  peak RSS {max(r[2] for r in runs[name]):.0f} MiB  the parent's own CPU {own} s")
    if "base" in best:
        print(f"  this tree / baseline: wall {best['tree'][0] / best['base'][0]:.2f}x, CPU {best['tree'][1] / best['base'][1]:.2f}x")
    print("bounds on the same text (CPU of one core; two cores: twice the MB/s):")
    for label, seconds in bounds.items():
        print(f"  {label:22s} {seconds:6.2f} s CPU  {megabytes / seconds:5.2f} MB/s a core, {2 * megabytes / seconds:5.2f} MB/s on two")
    print(f"  ingest's CPU per MB against regex + NLTK Punkt: {best['tree'][1] / bounds['regex + NLTK Punkt']:.2f}x")

    sklearn_wall, sklearn_rss = timed([sys.executable, "-c", BASELINE, str(corpus)])
    cache = Path(tempfile.mkdtemp(prefix="pc-bench-"))
    try:
        cold_wall, cold_rss = timed([sys.executable, "-m", "peercorpus", "-q", "ingest", str(corpus), "--cache-dir", str(cache)])
        warm_wall, warm_rss = timed([sys.executable, "-m", "peercorpus", "-q", "info", str(corpus), "--cache-dir", str(cache), "-f", "csv"])
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"scikit-learn CountVectorizer script: {sklearn_wall:.2f} s; cold ingest {cold_wall / sklearn_wall:.2f}x it;"
          f" warm info {warm_wall:.2f} s, cold/warm {cold_wall / warm_wall:.1f}x (target >= 5)")
    print(f"peak RSS (MiB): script {sklearn_rss:.0f}, cold ingest {cold_rss:.0f}, warm info {warm_rss:.0f}")


if __name__ == "__main__":
    main()
