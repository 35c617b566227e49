"""Every command's output on a corpus, from two installs (or one install with tiny partitions),
compared byte for byte: the partitioned snapshot (issue 18, format 5) must not change a table.

    python benchmarks/partition_outputs.py CORPUS --baseline /work/main/.venv/bin/peercorpus \\
        [--candidate .venv/bin/peercorpus] [--partition-documents N] [--partition-tokens N]

Each side gets its own empty cache; the candidate runs with ``$PEERCORPUS_PARTITION_*`` set when
asked (several partitions even on a small corpus). Prints one line per command and exits 1 if any
output differs.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def commands(corpus: str, bbc: bool) -> dict[str, list[str]]:
    target = ["--target", "collection=business"] if bbc else ["--target", "genre=blog"]
    query = ["market", "government"] if bbc else ["lived experience", "boundaries"]
    codebook = str(HERE / "configs" / "peer-support-codebook.yaml")
    return {
        "info": ["info", corpus, "--format", "csv"],
        "freq": ["freq", corpus, "--format", "csv", "--top", "500"],
        "freq-dp": ["freq", corpus, "--format", "csv", "--stopwords", "english", "--top", "200"],
        "kwic": ["kwic", corpus, *query, "--format", "json", "--context", "sentence"],
        "kwic-sorted": ["kwic", corpus, query[0], "--format", "csv", "--sort", "R1,R2", "--show", "collection"],
        "collocations": ["collocations", corpus, "--format", "csv", "--top", "300"],
        "keyness": ["keyness", corpus, *target, "--format", "csv", "--top", "300"],
        "dispersion": ["dispersion", corpus, *query, "--format", "csv"],
        "stats": ["stats", corpus, "--format", "csv"],
        "topics": ["topics", corpus, "--k", "5", "--format", "json"],
        "code": ["code", corpus, "-b", codebook, "--format", "csv"],
        "dtm": ["dtm", corpus, "--stopwords", "english", "-o", "{out}/dtm"],
    }


def run(binary: str, args: list[str], cache: Path, out: Path, env_extra: dict[str, str]) -> tuple[int, bytes]:
    env = {**os.environ, "PEERCORPUS_CACHE_DIR": str(cache), "PEERCORPUS_FSYNC": "0", "COLUMNS": "200", **env_extra}
    args = [a.replace("{out}", str(out)) for a in args]
    done = subprocess.run([binary, *args], capture_output=True, env=env)
    return done.returncode, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--candidate", default=str(HERE / ".venv" / "bin" / "peercorpus"))
    parser.add_argument("--partition-documents")
    parser.add_argument("--partition-tokens")
    parser.add_argument("--only", nargs="*")
    options = parser.parse_args()
    extra = {}
    if options.partition_documents:
        extra["PEERCORPUS_PARTITION_DOCUMENTS"] = options.partition_documents
    if options.partition_tokens:
        extra["PEERCORPUS_PARTITION_TOKENS"] = options.partition_tokens
    bbc = "bbc" in options.corpus
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for side in ("a", "b"):
            (root / side / "out").mkdir(parents=True)
        for name, args in commands(options.corpus, bbc).items():
            if options.only and name not in options.only:
                continue
            code_a, out_a = run(options.baseline, args, root / "a" / "cache", root / "a" / "out", {})
            code_b, out_b = run(options.candidate, args, root / "b" / "cache", root / "b" / "out", extra)
            same = code_a == code_b and out_a == out_b
            if name == "dtm":
                folder_a, folder_b = root / "a" / "out" / "dtm", root / "b" / "out" / "dtm"
                files = sorted(p.name for p in folder_a.iterdir()) if folder_a.exists() else []
                same = same and files == sorted(p.name for p in folder_b.iterdir()) and all(filecmp.cmp(folder_a / f, folder_b / f, shallow=False) for f in files)
            print(f"{name:14} {'same' if same else 'DIFFERENT'} (exit {code_a}/{code_b}, {len(out_a):,} bytes)", flush=True)
            failed += not same
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
