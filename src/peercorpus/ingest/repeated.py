"""Lines repeated across the corpus (site furniture, a copy line) left out as boilerplate, with
each file tokenised once where they are many.

Which short lines repeat is known only when every file has been read, yet a file is tokenised
without them. ``without_repeated_lines`` takes the files as they are read: tokenised and
assembled as they come while no line is likely to repeat — the common case, where what was
assembled stands. Once one is (``RepeatWatch.is_likely``: in ``REPEATED_MIN_SHARE`` of the
documents read so far), assembling stops and the files not yet sent are read for their short-line
keys only (``ReadingMode.keys_only``: a sixth of the work, whose finding of sections the
tokenising then need not do again); when the corpus is read, the repeated lines are
known, and every file is assembled in order: its first shard where it left out exactly the
repeated lines it holds (``Shard.left_out``), else tokenised again on the workers with them left
out (and cached, under ``shard.shard_key``: the plain key of a content stays its shard with
nothing left out, and the snapshot reads each file's texts from the shard it was assembled from).
The snapshot is the same whichever way it went::

    mode = ReadingMode()   # the reader of the files asks it what to read
    shards, repeated = without_repeated_lines(read, config, assemble=add, mode=mode, most_documents=n)
    for where, shard in shards or ():   # None: what was assembled on the way stands
        add(where, shard)

Issue 18: BBC copies, whose copy line repeats, were tokenised twice and half assembled twice.
A guess that proves wrong (no line repeats after all) costs the keys read first; the snapshot is
the same.
"""

from __future__ import annotations

import math
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from ..config import Config
from ..core.distinct import distinct
from ..errors import UnreadableFile
from .sections import REPEATED_MIN_DOCUMENTS, REPEATED_MIN_SHARE, repeated_line_keys
from .shard import FileLineKeys, leaves_lines_out, process_file
from .store import decode_shard, encode_shard
from .workers import EncodedShard

#: Line keys read before the first look for a likely repeat (then each time they grow by a quarter).
CHECK_KEYS = 256
#: A line is likely to repeat across the corpus once it is in ``REPEATED_MIN_SHARE`` of the
#: documents read so far and in this many of them (``RepeatWatch.is_likely``).
LIKELY_MIN_DOCUMENTS = 20
#: What the progress of the files tokenised once the repeated lines are known says.
REREAD_PROGRESS = "tokenised without the repeated lines"
#: Why a file read for its short lines was not tokenised once the repeated lines were known.
VANISHED = "could not be read again (changed or removed while the corpus was read)"


def certain_repeat_count(most_documents: int | None) -> int | None:
    """In how many documents a line is certain to repeat across a corpus of at most
    ``most_documents`` documents (``REPEATED_MIN_SHARE`` of them); ``None`` when that is not
    known (files holding rows), and no line is certain before the corpus is read.

    >>> certain_repeat_count(1000), certain_repeat_count(10), certain_repeat_count(None)
    (50, 3, None)
    """
    return max(REPEATED_MIN_DOCUMENTS, math.ceil(REPEATED_MIN_SHARE * most_documents)) if most_documents else None


class RepeatWatch:
    """The short-line keys of the files read so far, and whether a line among them is likely to
    repeat across the corpus: what switches the reading of the files not yet sent to their keys
    only, here and on a cluster (``cluster.ClusterSession``)::

        watch = RepeatWatch(most_documents=len(files))
        for keys, documents in each_files_keys:
            watch.add(keys, documents)
            if watch.is_likely():
                ...  # read the rest for their keys only

    Likely, not certain (``certain_repeat_count``: in ``REPEATED_MIN_SHARE`` of all the
    documents there can be): a file tokenised before the switch that holds a repeated line is
    tokenised twice; a file read for its keys first costs little more when it holds one (its
    tokenising takes those keys, ``process_file(line_keys=)``) and a sixth more when it holds none.
    So waiting for certainty cost more where lines repeat (issue 18: BBC x10 in folder order
    tokenised a fifth of its files twice) than a wrong guess costs where none does.
    """

    def __init__(self, most_documents: int | None):
        self.certain = certain_repeat_count(most_documents)
        self.parts: list[np.ndarray] = []  # the keys, file after file (joined now and then)
        self.n_keys = self.n_documents = 0
        self._next_check = CHECK_KEYS

    def add(self, keys: np.ndarray, documents: int) -> None:
        """The keys of one file's ``documents`` documents."""
        self.parts.append(keys)
        if len(self.parts) >= 4096:
            self.parts = [np.concatenate(self.parts)]
        self.n_keys += len(keys)
        self.n_documents += documents

    def is_likely(self) -> bool:
        """Whether a line is in ``REPEATED_MIN_SHARE`` of the documents so far and in at least
        ``LIKELY_MIN_DOCUMENTS`` of them (or in ``certain`` documents): looked at each time the keys have
        grown by a quarter (n log n in all), else ``False``. Never before the corpus is read when
        how many documents are coming is not known (``certain`` is ``None``: files holding rows)."""
        if self.certain is None or self.n_keys < self._next_check:
            return False
        self._next_check += self._next_check // 4
        self.parts = [np.concatenate(self.parts)]
        most = int(np.unique(self.parts[0], return_counts=True)[1].max(initial=0))
        return most >= min(self.certain, max(LIKELY_MIN_DOCUMENTS, math.ceil(REPEATED_MIN_SHARE * self.n_documents)))

    def all_keys(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int64)


class ReadingMode:
    """What the files not yet sent to be tokenised are read for: ``keys_only`` once a line is
    likely to repeat (``shard.file_line_keys``; tokenised when the repeated lines are known)."""

    def __init__(self):
        self.keys_only = False


def without_repeated_lines(shards: Iterator, config: Config, *, reread=None, assemble=None,
                           most_documents: int | None = None, stop_assembling=None, mode: ReadingMode | None = None,
                           counted: tuple[list[np.ndarray], int] | None = None, keys_out: dict | None = None,
                           keep: Callable[[str, object], str | None] | None = None,
                           lost: Callable[[tuple], None] | None = None) -> tuple[Iterator | None, frozenset[int]]:
    """Every file read once to count its documents' short lines (the shards wait, compressed, in a
    temporary file, so memory stays flat); returns ``(None, repeated)`` when what was assembled as
    they came stands, else the shards again in order, each file whose shard does not leave out
    exactly the repeated lines it holds (or that was read for its keys only, ``FileLineKeys``)
    tokenised again, and the repeated line keys.

    ``reread(items, config)`` tokenises files again (``items``: path, root, the repeated keys it
    holds, its line keys as read, a ``FileLineKeys``: ``process_file``'s arguments), yielding
    their shards in order (``None``: unreadable now, keep the first reading); by
    default one after the other here, on a cluster as tasks, on local worker processes
    (``load._reread_in_workers``).

    ``assemble(where, shard)``: called with each shard as it is read, until a line is likely to
    repeat (``RepeatWatch``; ``most_documents``: at most that many documents are coming, known
    when no file holds rows, else no line is taken as likely before the end); then
    ``stop_assembling()`` is called and ``mode.keys_only`` set. ``counted``: the short-line keys and documents of partitions a rebuild keeps (not
    streamed). ``keys_out``: each file's keys, by name, for the snapshot. ``keep(digest, shard)``: a
    file tokenised again is cached (it returns where the shard's texts are, which the snapshot
    reads there); a shard or keys come with their content's ``digest`` when they have one. ``lost(where)``: a file read for its keys only that
    cannot be read when it is tokenised (changed or removed meanwhile) is left out, and said so.

    Held per file: its place in the spill and its line keys, in flat arrays (issue 18: ~4 KB a
    document were held before)."""

    spill = tempfile.TemporaryFile(prefix="peercorpus-")
    wheres: list = []  # (path, root) of each file: the discovery's own tuples
    sources: list[str | None] = []
    spill_at = array("q")  # offset, size of each file's shard in the spill (size 0: keys only)
    watch = RepeatWatch(most_documents)  # the documents' line keys, file after file
    key_counts = array("q")  # keys of each file
    document_key_counts = array("q")  # keys of each document (FileLineKeys.doc_line_keys), file after file
    file_documents = array("q")  # documents of each file
    left_out = _SetNumbers()  # what each file's shard left out
    unread: list[int] = []  # the files read for their keys only
    digests = bytearray()  # each file's content digest (16 bytes; zeros: none given)
    n_documents = 0
    for where, shard in shards:
        keys_only = isinstance(shard, FileLineKeys)
        if isinstance(shard, (EncodedShard, FileLineKeys)):  # from a worker: not decoded until assembled
            line_keys, doc_line_keys = shard.line_keys, shard.doc_line_keys
        else:
            line_keys, doc_line_keys = shard.arrays["line_keys"], shard.arrays["doc_line_keys"]
        spill_at.append(spill.tell())
        if keys_only:
            unread.append(len(wheres))
            spill_at.append(0)
        else:
            # compressed: the spill of a large corpus would be ~6x its text; a shard from the cache or
            # a worker comes with its encoded bytes (encoding again was a quarter of the assembly)
            data = getattr(shard, "encoded", None) or encode_shard(shard)
            spill_at.append(len(data))
            spill.write(data)
            source = getattr(shard, "source", None)
            if shard.left_out and source is not None and not leaves_lines_out(source):
                # cached under its content's plain key by an older peercorpus: that name may give
                # another shard's texts now
                shard.source = None
        wheres.append((str(where[0]), where[1]))  # a str, not a Path: a third of the room
        sources.append(getattr(shard, "source", None))
        left_out.append(frozenset() if keys_only else shard.left_out)
        digest = getattr(shard, "digest", None)
        digests.extend(bytes.fromhex(digest) if digest else bytes(16))
        # a copy: a shard decoded from the cache has its keys in its whole decompressed block, which a
        # view would keep alive with them (~2.2 KB a file: 2 GB held at BBC x400's rebuild)
        file_keys = np.array(line_keys, dtype=np.int64)
        watch.add(file_keys, len(doc_line_keys))
        key_counts.append(len(file_keys))
        document_key_counts.extend(np.asarray(doc_line_keys, dtype=np.int64).tolist())
        file_documents.append(len(doc_line_keys))
        if keys_out is not None:  # kept in the snapshot's partitions (a rebuild counts them unread)
            keys_out[str(where[0])] = (file_keys, len(doc_line_keys))
        n_documents += len(doc_line_keys)  # one count per document
        if (assemble is not None or not (mode and mode.keys_only)) and watch.is_likely():
            # a file will likely be tokenised again: everything is assembled once, after; the files
            # not sent yet are read for their keys only, and tokenised then
            if assemble is not None and stop_assembling is not None:
                stop_assembling()
            assemble = None
            if mode is not None:
                mode.keys_only = True
        if assemble is not None and not keys_only:
            assemble(where, shard)
    all_keys = watch.all_keys()
    del watch
    repeated, found = repeated_in(all_keys, np.frombuffer(key_counts, dtype=np.int64), n_documents, counted)
    present = to_read_again(found, left_out.of, left_out.files_with_any(), also=unread)
    if assemble is not None and not present:
        spill.close()
        return None, repeated  # what was assembled stands
    if assemble is not None and stop_assembling is not None:
        stop_assembling()
    unread_files = set(unread)
    known_keys = _KeysOfFiles(all_keys, key_counts, document_key_counts, file_documents)
    items = LazyItems(len(present), lambda i: (Path(wheres[present[i]][0]), wheres[present[i]][1],
                                               found.get(present[i], frozenset()), known_keys.of(present[i])))
    again_read = (reread or _reread_here)(items, config) if items else iter(())

    def again() -> Iterator:
        with spill:
            next_present = 0
            for file, where in enumerate(wheres):
                shard = None
                if next_present < len(present) and present[next_present] == file:
                    next_present += 1
                    shard = next(again_read)
                    digest = bytes(digests[16 * file : 16 * file + 16])
                    if shard is not None and keep is not None and any(digest):
                        # cached (under its own key when lines were left out): the snapshot reads its
                        # texts there, whichever way the corpus was read
                        shard.source = keep(digest.hex(), shard)
                if shard is None and file in unread_files:  # unreadable now, and never tokenised
                    if lost is not None:
                        lost((Path(where[0]), where[1]))
                    continue
                if shard is None:  # not read again, or unreadable now: the first reading
                    offset, size = spill_at[2 * file], spill_at[2 * file + 1]
                    spill.seek(offset)
                    shard = decode_shard(spill.read(size))
                    shard.source = sources[file]
                yield (Path(where[0]), where[1]), shard

    return again(), repeated


def repeated_in(all_keys: np.ndarray, key_counts: np.ndarray, n_documents: int,
                counted: tuple[list[np.ndarray], int] | None = None) -> tuple[frozenset[int], dict[int, frozenset[int]]]:
    """The lines repeated across the corpus (``sections.repeated_line_keys``) from every file's
    short-line keys (``all_keys``, ``key_counts`` of each file, ``n_documents`` in all; plus those
    of kept partitions' files, ``counted``), and which of them each file holding one holds (by file
    number; one set shared by the files that hold the same)."""
    if counted is not None:  # files of partitions kept from the previous snapshot (not streamed)
        repeated = repeated_line_keys([all_keys, *counted[0]], n_documents + counted[1])
    else:
        repeated = repeated_line_keys([all_keys], n_documents)
    found: dict[int, frozenset[int]] = {}
    same: dict[frozenset[int], frozenset[int]] = {}
    if repeated:
        hit = np.isin(all_keys, np.fromiter(repeated, dtype=np.int64, count=len(repeated)))
        key_file = np.repeat(np.arange(len(key_counts)), key_counts)
        edges = np.concatenate([[0], np.cumsum(key_counts)])
        for file in distinct(key_file[hit]).tolist():
            keys = all_keys[edges[file] : edges[file + 1]]
            held = frozenset(keys[hit[edges[file] : edges[file + 1]]].tolist())
            found[file] = same.setdefault(held, held)
    return repeated, found


def to_read_again(found: dict[int, frozenset[int]], left_out: Callable[[int], frozenset[int] | None],
                  leaving_out: Iterable[int] = (), *, also: Iterable[int] = ()) -> array:
    """The files (numbers, in order) whose shard did not leave out exactly the repeated lines they
    hold (``found``, from ``repeated_in``): ``left_out(file)`` is what it left out, and
    ``leaving_out`` every file that left out any; with the files ``also`` (that have no shard).

    >>> list(to_read_again({0: frozenset({5}), 2: frozenset({5})}, {2: frozenset({5}), 3: frozenset({9})}.get, [2, 3], also=[4]))
    [0, 3, 4]
    """
    also = set(also)
    files = sorted(set(found).union(leaving_out, also))
    return array("q", [file for file in files if file in also or found.get(file, frozenset()) != (left_out(file) or frozenset())])


class _SetNumbers:
    """A frozenset per file, held as a number into the distinct sets (files share a few)."""

    def __init__(self):
        self.sets: list[frozenset[int]] = [frozenset()]
        self._number = {frozenset(): 0}
        self.numbers = array("q")

    def append(self, keys: frozenset[int]) -> None:
        self.numbers.append(self._number.setdefault(keys, len(self.sets)))
        if self.numbers[-1] == len(self.sets):
            self.sets.append(keys)

    def of(self, file: int) -> frozenset[int]:
        return self.sets[self.numbers[file]] if file < len(self.numbers) else frozenset()

    def files_with_any(self) -> list[int]:
        return np.flatnonzero(np.frombuffer(self.numbers, dtype=np.int64)).tolist() if self.numbers else []


class _KeysOfFiles:
    """Each file's short-line keys as read (``FileLineKeys``), from the flat arrays
    ``without_repeated_lines`` holds: what a file tokenised again need not find again."""

    def __init__(self, keys: np.ndarray, key_counts: array, document_key_counts: array, file_documents: array):
        self.keys, self.document_key_counts = keys, np.frombuffer(document_key_counts, dtype=np.int64)
        # arrays, not lists: a Python int a file was ~60 MB at BBC x400
        self.key_edges = np.concatenate([[0], np.cumsum(np.frombuffer(key_counts, dtype=np.int64))])
        self.document_edges = np.concatenate([[0], np.cumsum(np.frombuffer(file_documents, dtype=np.int64))])

    def of(self, file: int) -> FileLineKeys:
        keys, documents = self.key_edges[file : file + 2].tolist(), self.document_edges[file : file + 2].tolist()
        return FileLineKeys(self.keys[keys[0] : keys[1]], self.document_key_counts[documents[0] : documents[1]], [])


def _reread_here(items, config: Config) -> Iterator:
    for path, root, keys, line_keys in items:
        try:
            yield process_file(path, root, config, repeated=keys, line_keys=line_keys)
        except UnreadableFile:
            yield None  # changed or gone since: keep what was read


class LazyItems:
    """A read-only sequence of ``length`` items, item ``i`` made by ``make(i)`` when asked for
    (and slices as lists): what the tokenising and re-reading passes go through."""

    def __init__(self, length: int, make: Callable[[int], object]):
        self.length, self.make = length, make

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(i) for i in range(*index.indices(self.length))]
        if not -self.length <= index < self.length:
            raise IndexError(index)
        return self.make(index % self.length)

    def __iter__(self):
        return map(self.make, range(self.length))
