"""Peak memory of the outputs that held every row or hit (issue 18): kwic --qdpx, --show and
the terminal table, code --qdpx and its extracts, dtm --format parquet; this tree against a
baseline revision on BBC copied --copies times.

Run: .venv/bin/python benchmarks/bounded_outputs_bench.py [--copies 10] [--baseline b37ca38] [--repeat 1]
     [--only qdpx] [--no-baseline]

The corpus (``scale_bench.make_copies``: BBC ×N, a copy-number line in each file) is ingested
once with this tree; the baseline (``git archive`` of the revision, run through ``PYTHONPATH``)
reads the same cache. Each command runs with each tree in turn, ``--repeat`` times; the
largest peak resident memory (MiB) and the smallest wall time are kept, and the outputs must
be the same bytes (dtm.parquet: the same table; its row groups differ by design).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import BBC, ROOT, bench_arguments, timed
from many_documents_bench import source_of
from scale_bench import make_copies

CODEBOOK = """title: BBC news themes
themes:
  economy: [econom*, market*, bank*, price*, growth, inflation, shares]
  politics: [election*, minister*, labour, tory, tories, government, party]
  sport: [match*, win*, team*, player*, coach, season, cup]
  technology: [technolog*, computer*, software, internet, mobile*, phone*, digital]
  culture: [film*, music, album*, award*, star*, show*]
"""


def commands(corpus: Path, cache: Path, out: Path, codebook: Path) -> dict[str, tuple[list[str], list[Path]]]:
    """Name → (arguments, the files it writes)."""
    base = ["--cache-dir", str(cache)]
    return {
        "kwic the --qdpx (-f csv)": (["kwic", str(corpus), "the", *base, "--qdpx", str(out / "kwic.qdpx"), "-f", "csv", "-o", str(out / "kwic.csv")], [out / "kwic.qdpx", out / "kwic.csv"]),
        "kwic the --show collection -f csv": (["kwic", str(corpus), "the", *base, "--show", "collection", "-f", "csv", "-o", str(out / "show.csv")], [out / "show.csv"]),
        "kwic the --show collection -f md": (["kwic", str(corpus), "the", *base, "--show", "collection", "-f", "md", "-o", str(out / "show.md")], [out / "show.md"]),
        "kwic the (terminal table)": (["kwic", str(corpus), "the", *base], [out / "table.txt"]),
        "code --qdpx": (["code", str(corpus), "-b", str(codebook), *base, "-f", "csv", "-o", str(out / "themes.csv"), "--qdpx", str(out / "code.qdpx")], [out / "themes.csv", out / "code.qdpx"]),
        "code --table extracts -f csv": (["code", str(corpus), "-b", str(codebook), *base, "--table", "extracts", "-f", "csv", "-o", str(out / "extracts.csv")], [out / "extracts.csv"]),
        "dtm -f parquet": (["dtm", str(corpus), *base, "-f", "parquet", "-o", str(out / "dtm")], [out / "dtm" / "dtm.parquet", out / "dtm" / "terms.csv"]),
    }


def same_outputs(first: list[Path], second: list[Path]) -> bool:
    for a, b in zip(first, second):
        if a.suffix == ".parquet":
            import pyarrow.parquet as pq

            if not pq.read_table(a).equals(pq.read_table(b)):
                return False
        elif a.read_bytes() != b.read_bytes():
            return False
    return True


def main() -> None:
    args = bench_arguments(
        __doc__,
        (("--copies",), {"type": int, "default": 10}),
        (("--baseline",), {"default": "b37ca38"}),
        (("--work",), {"type": Path, "default": Path(tempfile.gettempdir()) / "peercorpus-bounded"}),
        (("--only",), {"default": None, "help": "Run only the commands whose name contains this."}),
        (("--no-baseline",), {"action": "store_true", "help": "This tree only (how its peak grows with --copies)."}),
        corpus_default=BBC,
    )
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus, cache, codebook = work / f"bbc-x{args.copies}", work / "cache", work / "bbc-codebook.yaml"
    size = make_copies(args.corpus, args.copies, corpus)
    codebook.write_text(CODEBOOK, encoding="utf-8")
    trees = {"this tree": ROOT / "src"} if args.no_baseline else {"baseline": source_of(args.baseline, work), "this tree": ROOT / "src"}
    python = [sys.executable, "-m", "peercorpus", "-q"]
    env = {**os.environ, "COLUMNS": "120", "PYTHONPATH": str(trees["this tree"])}
    subprocess.run([*python, "ingest", str(corpus), "--cache-dir", str(cache)], check=True, env=env)
    print(f"BBC ×{args.copies}: {size / 1e6:.1f} MB of text; baseline {args.baseline}")
    print(f"{'command':<36}{'tree':<12}{'peak MiB':>10}{'seconds':>10}")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        pyarrow = None
    for name in commands(corpus, cache, work, codebook):
        if args.only and args.only not in name:
            continue
        if "parquet" in name and pyarrow is None:
            print(f"{name:<36}skipped: pyarrow is not installed (pip install -e '.[parquet]')")
            continue
        written, peaks = {}, {}
        for tree, source in trees.items():
            out = work / f"out-{tree.replace(' ', '-')}"
            out.mkdir(exist_ok=True)
            arguments, files = commands(corpus, cache, out, codebook)[name]
            tree_env = {**env, "PYTHONPATH": str(source)}
            runs = []
            for _ in range(args.repeat):
                if name.endswith("(terminal table)"):
                    with open(files[0], "wb") as stdout:
                        runs.append(timed([*python, *arguments], tree_env, stdout=stdout))
                else:
                    runs.append(timed([*python, *arguments], tree_env))
            wall, peaks[tree] = min(r[0] for r in runs), max(r[1] for r in runs)
            written[tree] = files
            print(f"{name:<36}{tree:<12}{peaks[tree]:>10.0f}{wall:>10.1f}", flush=True)
        if args.no_baseline:
            continue
        same = "same bytes" if same_outputs(written["baseline"], written["this tree"]) else "OUTPUTS DIFFER"
        print(f"{name:<36}{'ratio':<12}{peaks['this tree'] / peaks['baseline']:>10.2f}   ({same})", flush=True)


if __name__ == "__main__":
    main()
