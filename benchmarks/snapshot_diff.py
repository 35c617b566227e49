"""Compare the snapshots (and shards) of two cache folders: the check that an ingest change
leaves what is stored identical.

Run: .venv/bin/python benchmarks/snapshot_diff.py CACHE_A CACHE_B

Both caches must hold the same corpus (the same paths and settings, hence the same corpus
key). Every file of each current snapshot is compared byte for byte (arrays, vocabularies,
document lines, texts, file lists, the manifest with every file's checksum); the shards are
compared by content hash, byte for byte, whatever pack holds them. Exit status 1 and the
differences listed when anything differs; a ``.npy`` that differs is described (dtype, shape,
first differing row).
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

import numpy as np


def snapshots(cache: Path) -> dict[str, Path]:
    """corpus key → current snapshot folder, of every corpus in ``cache``."""
    found = {}
    for pointer in cache.glob("v*/snapshots/*/current"):
        found[pointer.parent.name] = pointer.parent / pointer.read_text().strip()
    return found


def shards(cache: Path) -> dict[str, bytes]:
    """settings key/digest → encoded shard, of every pack in ``cache``."""
    found = {}
    for index in cache.glob("v*/shards/*/*.idx"):
        pack = index.with_suffix(".pack").read_bytes()
        for digest, (offset, length, *_check) in json.loads(index.read_text()).items():
            found[f"{index.parent.name}/{digest}"] = pack[offset : offset + length]
    return found


def describe(a: Path, b: Path) -> str:
    if a.suffix == ".npy":
        x, y = np.load(a, allow_pickle=False), np.load(b, allow_pickle=False)
        if x.dtype != y.dtype or x.shape != y.shape:
            return f"dtype/shape {x.dtype}{x.shape} vs {y.dtype}{y.shape}"
        rows = np.flatnonzero((x != y).reshape(len(x), -1).any(axis=1)) if x.ndim else []
        return f"{len(rows)} rows differ, first {rows[0] if len(rows) else '?'}"
    if a.name.endswith(".z"):
        x, y = zlib.decompress(a.read_bytes()), zlib.decompress(b.read_bytes())
        return "same when decompressed" if x == y else "differs when decompressed"
    return f"{a.stat().st_size} vs {b.stat().st_size} bytes"


def compare(first: Path, second: Path) -> list[str]:
    problems = []
    left, right = snapshots(first), snapshots(second)
    if set(left) != set(right):
        problems.append(f"corpora differ: {sorted(left)} vs {sorted(right)}")
    for key in sorted(set(left) & set(right)):
        a, b = left[key], right[key]
        # partitioned snapshots (format 5): part-NNNNN/ folders' files too, by relative path
        names_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
        names_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
        if names_a != names_b:
            problems.append(f"{key}: files differ: {sorted(names_a ^ names_b)}")
        for name in sorted(names_a & names_b):
            if (a / name).read_bytes() != (b / name).read_bytes():
                problems.append(f"{key}: {name}: {describe(a / name, b / name)}")
    packed_a, packed_b = shards(first), shards(second)
    if set(packed_a) != set(packed_b):
        problems.append(f"shards differ: {len(set(packed_a) - set(packed_b))} only in the first, {len(set(packed_b) - set(packed_a))} only in the second")
    differ = [name for name in set(packed_a) & set(packed_b) if packed_a[name] != packed_b[name]]
    if differ:
        problems.append(f"{len(differ)} shards differ in their bytes, e.g. {differ[0]}")
    return problems


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    first, second = Path(sys.argv[1]), Path(sys.argv[2])
    problems = compare(first, second)
    n = len(snapshots(first))
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"identical: {n} snapshot(s), {len(shards(first))} shards")


if __name__ == "__main__":
    main()
