"""Forms numbered once per worker process, so that the process assembling the corpus maps a
shard's vocabulary with an array look-up instead of a dictionary look-up per form.

A shard lists its file's forms (~220 for a BBC article). Looked up one by one in the corpus
vocabulary, they were a sixth of the assembling process' CPU (issue 18: 4.9 million forms at
BBC x10), and that process works alone while the workers tokenise. A worker instead numbers
every form it has sent (``SentForms``) and sends a shard's forms as those numbers plus the forms
it never sent before (``FormsDelta``); the assembling process keeps each worker's forms in the
order they came (``ReceivedForms``), and the assembler looks up only the forms of a worker that
are new to its partition (``assemble.Assembler``)::

    sent = SentForms(worker=1)                      # in the worker process
    first, second = sent.number(["peer", "support"]), sent.number(["support", "work"])
    received = ReceivedForms()                      # in the assembling process, per pool
    list(received.resolve(first)), list(received.resolve(second))
    # (['peer', 'support'], ['support', 'work'])

A worker's results are resolved in the order it made them: a pool's worker takes its tasks in
the order they were submitted, and ``load._tokenize_files`` takes the results in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

#: Forms a worker numbers before it starts a new numbering (bounds the memory of the worker and
#: of the assembling process on corpora whose vocabulary has no end: web crawls, numbers).
MAX_FORMS = 1 << 18


@dataclass
class FormsDelta:
    """A shard's forms as a worker sends them: ``ids``, the worker's number of each form, in the
    shard's order; ``new``, the forms the worker numbers from ``start`` on (not sent before);
    ``table``, which numbering (worker and epoch)."""

    table: tuple[int, int]
    start: int
    new: list[str]
    ids: np.ndarray

    def __getstate__(self) -> tuple:
        joined = "\0".join(self.new)
        new = joined if self.new and joined.count("\0") == len(self.new) - 1 else self.new
        return self.table, self.start, new, self.ids.tobytes()

    def __setstate__(self, state: tuple) -> None:
        self.table, self.start, new, ids = state
        self.new = new.split("\0") if isinstance(new, str) else new
        self.ids = np.frombuffer(ids, dtype=np.int32)


class SentForms:
    """The forms one worker process has sent, numbered in the order it first sent them.

    >>> sent = SentForms(worker=7)
    >>> sent.number(["a", "b"]).new, sent.number(["b", "c"]).new
    (['a', 'b'], ['c'])
    """

    def __init__(self, worker: int, limit: int | None = None):
        self.worker, self.limit = worker, MAX_FORMS if limit is None else limit
        self.epoch = 0
        self.numbers: dict[str, int] = {}

    def number(self, vocab: list[str]) -> FormsDelta:
        """``vocab`` (a shard's forms) as numbers, with the forms numbered now."""
        if len(self.numbers) >= self.limit:
            self.epoch += 1
            self.numbers = {}
        numbers = self.numbers
        start = len(numbers)
        ids = np.fromiter(map(numbers.get, vocab, repeat(-1)), dtype=np.int32, count=len(vocab))
        unseen = np.flatnonzero(ids < 0).tolist()
        new: list[str] = []
        if unseen:
            new = list(dict.fromkeys([vocab[i] for i in unseen]))  # a form listed twice, numbered once
            numbers.update(zip(new, range(start, start + len(new))))
            ids[unseen] = [numbers[vocab[i]] for i in unseen]
        return FormsDelta((self.worker, self.epoch), start, new, ids)


class FormTable:
    """One worker's forms (one epoch of its numbering) in the assembling process. Hashed by
    identity: an assembler keys its number maps by the table itself, which keeps it alive."""

    __slots__ = ("forms",)

    def __init__(self) -> None:
        self.forms: list[str] = []


class WorkerVocab(Sequence):
    """A shard's vocabulary as numbers into a worker's ``FormTable``: reads as the list of
    forms it stands for.

    >>> table = FormTable(); table.forms.extend(["peer", "support"])
    >>> list(WorkerVocab(table, np.array([1, 0], dtype=np.int32)))
    ['support', 'peer']
    """

    __slots__ = ("table", "ids")

    def __init__(self, table: FormTable, ids: np.ndarray):
        self.table, self.ids = table, ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        forms = self.table.forms
        if isinstance(index, slice):
            return [forms[i] for i in self.ids[index].tolist()]
        return forms[int(self.ids[index])]

    def __iter__(self):
        return map(self.table.forms.__getitem__, self.ids.tolist())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"WorkerVocab({list(self)!r})"


class ReceivedForms:
    """Every worker's forms, as its results arrive (one per pool of worker processes)."""

    def __init__(self) -> None:
        self.tables: dict[int, tuple[int, FormTable]] = {}  # worker → (epoch, its forms)

    def resolve(self, delta: FormsDelta) -> WorkerVocab:
        """The vocabulary ``delta`` stands for; its new forms added to its worker's table."""
        worker, epoch = delta.table
        known = self.tables.get(worker)
        if known is None or known[0] != epoch:
            known = (epoch, FormTable())
            self.tables[worker] = known  # an earlier epoch stays alive only in the shards using it
        table = known[1]
        if len(table.forms) != delta.start:
            raise RuntimeError(f"worker {worker}'s forms arrived out of order: {len(table.forms)} known, the result starts at {delta.start}")
        table.forms.extend(delta.new)
        return WorkerVocab(table, delta.ids)
