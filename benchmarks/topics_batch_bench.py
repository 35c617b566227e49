"""`topics --batch` against the exact fit: peak memory, time and topic quality on BBC copied ×N.

Run: .venv/bin/python benchmarks/topics_batch_bench.py --copies 1,10,50 [--work /tmp/topics-batch] [--full-up-to 50] [--memory-mb 1024]

Each size is BBC news (``--corpus``) copied N times as ``scale_bench.py`` copies it (one line
naming its copy appended to every file), ingested once into ``--work`` (kept: a second run
only re-measures). Per size, in the same run, two whole processes on the warm cache:
``peercorpus topics CORPUS --k 5 -f json`` (the exact fit: the default) and the same with
``--batch``. Columns: peak resident memory (MiB, ``wait4``'s ``ru_maxrss``) and wall seconds
of each, their ratios batch ÷ exact, and the NMI between each document's dominant topic and its
BBC section (business, entertainment, politics, sport, tech) for each. The exact fit is skipped
above ``--full-up-to`` copies (it grows ≈ 13 MB per MB of text). ``--k-auto`` also times
``--batch --k auto`` (k chosen on the sample) and reports the k chosen.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, run_json, timed
from scale_bench import make_copies

SECTIONS = {"business", "entertainment", "politics", "sport", "tech"}


def nmi_of(payload: dict) -> float:
    """NMI of the documents' dominant topics against their BBC sections (folder names)."""
    from sklearn.metrics import normalized_mutual_info_score

    rows = [d for d in payload["documents"] if d["topic"] is not None and len(d["doc"].split("/")) >= 2 and d["doc"].split("/")[-2] in SECTIONS]
    return normalized_mutual_info_score([d["doc"].split("/")[-2] for d in rows], [d["topic"] for d in rows])


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--copies",), {"default": "1,10", "help": "Sizes, as numbers of copies of the corpus (comma-separated)."}),
        (("--work",), {"type": Path, "default": Path(tempfile.gettempdir()) / "peercorpus-topics-batch"}),
        (("--full-up-to",), {"type": int, "default": 10, "help": "Largest number of copies the exact fit runs on."}),
        (("--memory-mb",), {"type": int, "default": None}),
        (("--k-auto",), {"action": "store_true"}),
    )
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for copies in [int(c) for c in args.copies.split(",") if c.strip()]:
        corpus, cache = args.work / f"bbc-x{copies}", args.work / f"cache-x{copies}"
        text = make_copies(args.corpus, copies, corpus)
        print(f"x{copies}: ingest (warm if done before)...", file=sys.stderr, flush=True)
        timed([PEERCORPUS, "-q", "ingest", str(corpus), "--cache-dir", str(cache)])
        base = [PEERCORPUS, "-q", *(["--memory-mb", str(args.memory_mb)] if args.memory_mb else []), "topics", str(corpus), "--cache-dir", str(cache), "-f", "json"]
        row = results[copies] = {"text_mb": text / 1e6}
        runs = [("batch", ["--k", "5", "--batch"])]
        if copies <= args.full_up_to:
            runs.insert(0, ("exact", ["--k", "5"]))
        if args.k_auto:
            runs.append(("batch k auto", ["--batch"]))
        for name, extra in runs:
            seconds, peak, payload = run_json(base + extra)
            row[name] = {"s": seconds, "rss": peak, "nmi": nmi_of(payload), "k": payload["k"], "batch_fit": payload.get("batch_fit")}
            print(f"x{copies} {name}: {seconds:.1f} s, {peak:.0f} MiB, NMI {row[name]['nmi']:.3f}, k {payload['k']}", file=sys.stderr, flush=True)
        (args.work / f"results-{args.copies.replace(',', '-')}.json").write_text(json.dumps(results, indent=1))
    print_table(results)


def print_table(results: dict) -> None:
    print("| copies | text MB | exact MiB | exact s | exact NMI | batch MiB | batch s | batch NMI | chunks | RSS batch/exact | time batch/exact |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for copies, row in results.items():
        exact, batch = row.get("exact"), row["batch"]
        cells = [f"×{copies}", f"{row['text_mb']:.0f}"]
        cells += [f"{exact['rss']:.0f}", f"{exact['s']:.0f}", f"{exact['nmi']:.3f}"] if exact else ["–", "–", "–"]
        cells += [f"{batch['rss']:.0f}", f"{batch['s']:.0f}", f"{batch['nmi']:.3f}", str(batch["batch_fit"]["chunks"])]
        cells += [f"{batch['rss'] / exact['rss']:.2f}", f"{batch['s'] / exact['s']:.2f}"] if exact else ["–", "–"]
        print("| " + " | ".join(cells) + " |")
    sizes = list(results)
    if len(sizes) > 1:
        first, last = results[sizes[0]]["batch"], results[sizes[-1]]["batch"]
        growth = results[sizes[-1]]["text_mb"] / results[sizes[0]]["text_mb"]
        print(f"\nbatch peak memory, ×{sizes[-1]} ÷ ×{sizes[0]}: {last['rss'] / first['rss']:.2f} (text {growth:.0f}×)")
    for copies, row in results.items():
        if "batch k auto" in row:
            auto = row["batch k auto"]
            print(f"×{copies} --batch --k auto: k {auto['k']}, NMI {auto['nmi']:.3f}, {auto['s']:.0f} s, {auto['rss']:.0f} MiB")


if __name__ == "__main__":
    main()
