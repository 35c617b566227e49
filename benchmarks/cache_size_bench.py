"""Cache size against the text, and warm speed and memory against main before the smaller cache (issue 18).

For BBC and the sample corpus: the whole cache folder (shard packs + snapshot) ÷ the corpus'
text (the UTF-8 bytes analyses see, ``Corpus.text``), then warm ``kwic``, ``freq`` and
``collocations`` timed as a ratio against the baseline — the source of ``--baseline`` (default:
the commit before the smaller cache), run from a ``git archive`` of it in the same script, each
with its own cache, alternating runs — and the peak RSS of a warm ``freq --memory-mb 256``::

    .venv/bin/python benchmarks/cache_size_bench.py                 # BBC and corpora/
    .venv/bin/python benchmarks/cache_size_bench.py --repeat 5 --baseline main

Target: cache ≤ 3× the text; warm ratios ≈ 1 (noise on a shared 2-core machine is ±15%); the
memory of a warm freq as flat as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ROOT, bench_arguments, timed  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))  # text_bytes reads this checkout's cache as this checkout writes it

BASELINE = "c5db4a5"  # main when the smaller cache began
SAMPLE = ROOT / "corpora"
WARM = {
    "kwic": ["kwic", "{corpus}", "said", "--format", "csv"],
    "kwic gov*": ["kwic", "{corpus}", "gov*", "--format", "csv"],  # many forms' positions read
    "freq": ["freq", "{corpus}", "--format", "csv"],
    "collocations": ["collocations", "{corpus}", "--format", "csv"],
}


def cache_bytes(cache: Path) -> int:
    return sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())


def text_bytes(corpus: Path, cache: Path) -> int:
    from peercorpus import load_corpus

    loaded = load_corpus(corpus, cache_dir=cache)
    return sum(len(loaded.text(i).encode("utf-8")) for i in range(len(loaded)))


def command(source: Path | None, *args: str) -> tuple[list[str], dict]:
    """``python -m peercorpus ARGS`` of this checkout, or of the baseline's ``source`` folder."""
    # this checkout's src first too: the interpreter's own install may be of another checkout
    env = {**os.environ, "PYTHONPATH": str((source or ROOT) / "src")}
    return [sys.executable, "-m", "peercorpus", "-q", *args], env


def main() -> None:
    args = bench_arguments(__doc__, (("--baseline",), {"default": BASELINE}), (("--sample",), {"type": Path, "default": SAMPLE}))
    work = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    base = work / "baseline"
    base.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    probe, env = command(base)
    where = subprocess.run([sys.executable, "-c", "import peercorpus; print(peercorpus.__file__)"], env=env, capture_output=True, text=True).stdout
    assert str(base) in where, f"the baseline imports {where}"
    print(f"baseline {args.baseline} from {base}; this checkout {ROOT}")

    for corpus in (args.sample, args.corpus):
        caches = {name: work / f"{name}-{corpus.name}" for name in ("baseline", "now")}
        sources = {"baseline": base, "now": None}
        cold = {}
        for name in ("baseline", "now"):
            argv, env = command(sources[name], "ingest", str(corpus), "--cache-dir", str(caches[name]))
            cold[name] = timed(argv, env)[0]
        text = text_bytes(corpus, caches["now"])
        print(f"\n{corpus}: {text / 1e6:.2f} MB of text")
        for name in ("baseline", "now"):
            size = cache_bytes(caches[name])
            print(f"  {name:8s} cache {size / 1e6:7.2f} MB = {size / text:4.2f}x the text; cold ingest {cold[name]:6.2f} s")
        for label, template in WARM.items():
            best = {"baseline": float("inf"), "now": float("inf")}
            for _ in range(args.repeat):  # alternating, so that both see the same machine
                for name in ("baseline", "now"):
                    argv, env = command(sources[name], *[part.format(corpus=corpus) for part in template], "--cache-dir", str(caches[name]))
                    best[name] = min(best[name], timed(argv, env)[0])
            print(f"  warm {label:13s} baseline {best['baseline']:5.2f} s   now {best['now']:5.2f} s   ratio {best['now'] / best['baseline']:4.2f}x")
        rss = {}
        for name in ("baseline", "now"):
            argv, env = command(sources[name], "--memory-mb", "256", "freq", str(corpus), "--format", "csv", "--cache-dir", str(caches[name]))
            rss[name] = min(timed(argv, env)[1] for _ in range(2))
        print(f"  warm freq --memory-mb 256 peak RSS: baseline {rss['baseline']:.0f} MiB, now {rss['now']:.0f} MiB")
    subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
