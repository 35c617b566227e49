"""The scaling table: BBC copied ×N → cold ingest time and MB/s, cache size, peak memory of each warm command.

Run: .venv/bin/python benchmarks/scale_bench.py --copies 1,10,50 [--work /tmp/scale] [--memory-mb 1024]

Each size is a corpus of N copies of BBC news (``--corpus``), every file with one line
appended that names its copy and path, so that no two files are the same. That line is the
same in a fifth of the documents once its digits are masked ("copy # of business/#.txt",
``sections.line_key``), so it is a repeated line: every file is tokenised without it once it is known, on the
worker processes (after its short lines are read first: the repeated-line pass's worst case). The corpus and its cache stay in ``--work`` (default: a folder in
the system's temporary folder), so a second run re-measures the warm commands without
ingesting again (``--cold`` ingests again). Cold ingest runs once per size; a warm command
once (``--repeat`` for more; the smallest wall time and the largest peak memory are kept).

Columns: text MB (UTF-8 bytes of the files), cold ingest seconds and MB/s, the whole cache
folder in MB and as a multiple of the text, then the peak resident memory (MiB, ``wait4``'s
``ru_maxrss`` of the command's process) and wall time of each warm command. Peak memory is
what the issue asks to stay flat; the ratio column ``rss/text`` shows how it grows. The
default ``make bench`` run stops at ×10 (about 50 MB); the README's table was measured
with ``--copies 1,10,50,100,200``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _timing import PEERCORPUS, bench_arguments, timed

WARM = {
    "info": ["info", "{corpus}", "-o", "{out}/info.csv"],
    "freq": ["freq", "{corpus}", "-o", "{out}/freq.csv"],
    "freq -n 2": ["freq", "{corpus}", "--ngram", "2", "-o", "{out}/bigrams.csv"],
    "freq --by": ["freq", "{corpus}", "--by", "collection", "--top", "50", "-o", "{out}/freq-by.csv"],
    "keyness": ["keyness", "{corpus}", "--target", "collection=copy0001", "-o", "{out}/keyness.csv"],
    "collocations": ["collocations", "{corpus}", "-o", "{out}/collocations.csv"],
    "collocates": ["collocates", "{corpus}", "government", "-o", "{out}/collocates.csv"],
    "dispersion": ["dispersion", "{corpus}", "government", "minister", "-o", "{out}/dispersion.csv"],
    "stats": ["stats", "{corpus}", "-o", "{out}/stats.csv"],
    "kwic the": ["kwic", "{corpus}", "the", "-o", "{out}/kwic.csv"],
    "code": ["code", "{corpus}", "--codebook", "{codebook}", "-o", "{out}/code"],
    "dtm": ["dtm", "{corpus}", "-o", "{out}/dtm"],
}
CODEBOOK = """themes:
  economy:
    description: The economy.
    terms: [economy, economic*, growth, inflation, "interest rates"]
  politics:
    description: Government and elections.
    terms: [government, minister*, election*, party]
"""


def make_copies(source: Path, copies: int, target: Path) -> int:
    """Write ``copies`` copies of ``source`` into ``target`` (once: a marker says it is whole);
    returns the text's size in bytes."""
    marker = target / ".complete"
    if marker.is_file():
        return int(marker.read_text())
    shutil.rmtree(target, ignore_errors=True)
    files = sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
    contents = {p: p.read_bytes().rstrip(b"\n") for p in files}
    size = 0
    for copy in range(1, copies + 1):
        for path, content in contents.items():
            relative = path.relative_to(source)
            out = target / f"copy{copy:04d}" / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            data = content + f"\n\nCopy {copy} of {relative}.\n".encode()
            out.write_bytes(data)
            size += len(data)
    marker.write_text(str(size))
    return size


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--copies",), {"default": "1,10", "help": "Sizes, as numbers of copies of the corpus (comma-separated)."}),
        (("--work",), {"type": Path, "default": Path(tempfile.gettempdir()) / "peercorpus-scale", "help": "Where the corpora and caches stay."}),
        (("--cold",), {"action": "store_true", "help": "Ingest again even when the cache is there."}),
        (("--commands",), {"default": ",".join(WARM), "help": "Warm commands to measure (comma-separated names)."}),
        (("--memory-mb",), {"default": None, "help": "Passed as --memory-mb to every warm command."}),
        (("--results",), {"type": Path, "default": None, "help": "The JSON file of measurements [default: WORK/results.json]."}),
    )
    if args.repeat == 3 and "--repeat" not in sys.argv:
        args.repeat = 1
    names = [name.strip() for name in args.commands.split(",") if name.strip()]
    unknown = [name for name in names if name not in WARM]
    if unknown:
        sys.exit(f"unknown command(s): {', '.join(unknown)}; known: {', '.join(WARM)}")
    args.work.mkdir(parents=True, exist_ok=True)
    codebook = args.work / "codebook.yaml"
    codebook.write_text(CODEBOOK)
    results_file = args.results or args.work / "results.json"
    results = json.loads(results_file.read_text()) if results_file.is_file() else {}
    env = {**os.environ, "PEERCORPUS_CACHE_DIR": ""}
    for copies in [int(c) for c in args.copies.split(",") if c.strip()]:
        corpus, cache, out = args.work / f"bbc-x{copies}", args.work / f"cache-x{copies}", args.work / f"out-x{copies}"
        print(f"x{copies}: writing the corpus...", file=sys.stderr, flush=True)
        text = make_copies(args.corpus, copies, corpus)
        row = results.setdefault(str(copies), {})
        row["text_mb"] = text / 1e6
        if args.cold or not cache.is_dir() or "ingest_s" not in row:
            shutil.rmtree(cache, ignore_errors=True)
            print(f"x{copies}: cold ingest of {text / 1e6:.0f} MB...", file=sys.stderr, flush=True)
            seconds, rss = timed([PEERCORPUS, "-q", "ingest", str(corpus), "--cache-dir", str(cache)], env)
            row.update(ingest_s=seconds, ingest_rss=rss, cache_mb=folder_size(cache) / 1e6)
            results_file.write_text(json.dumps(results, indent=1))
        out.mkdir(exist_ok=True)
        for name in names:
            command = [part.format(corpus=corpus, out=out, codebook=codebook) for part in WARM[name]]
            extra = ["--memory-mb", str(args.memory_mb)] if args.memory_mb else []
            if name == "keyness" and copies < 2:
                continue  # its target is the first copy: one copy has no reference
            best = None
            for _ in range(args.repeat):
                seconds, rss = timed([PEERCORPUS, "-q", *command, "--cache-dir", str(cache), *extra], env)
                best = (seconds, rss) if best is None else (min(best[0], seconds), max(best[1], rss))
            row[name] = {"s": best[0], "rss": best[1]}
            print(f"x{copies} {name}: {best[0]:.1f} s, {best[1]:.0f} MiB", file=sys.stderr, flush=True)
            results_file.write_text(json.dumps(results, indent=1))
    print_table(results, names)


def print_table(results: dict, names: list[str]) -> None:
    sizes = sorted(results, key=int)
    print("| copies | text MB | cold ingest s | MB/s | cache MB | cache/text | " + " | ".join(f"{n} MiB (s)" for n in names) + " |")
    print("|" + "---|" * (6 + len(names)))
    for copies in sizes:
        row = results[copies]
        cells = [f"×{copies}", f"{row['text_mb']:.0f}"]
        if "ingest_s" in row:
            cells += [f"{row['ingest_s']:.0f}", f"{row['text_mb'] / row['ingest_s']:.2f}", f"{row['cache_mb']:.0f}", f"{row['cache_mb'] / row['text_mb']:.1f}×"]
        else:
            cells += ["", "", "", ""]
        cells += [f"{row[n]['rss']:.0f} ({row[n]['s']:.0f})" if n in row else "" for n in names]
        print("| " + " | ".join(cells) + " |")
    peaks = {n: [results[c][n]["rss"] for c in sizes if n in results[c]] for n in names}
    print("\npeak memory, largest size ÷ smallest (flat = 1.0): " + ", ".join(
        f"{n} {values[-1] / values[0]:.1f}×" for n, values in peaks.items() if len(values) > 1
    ))


if __name__ == "__main__":
    main()
