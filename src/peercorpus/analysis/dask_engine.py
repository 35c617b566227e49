"""Counting analyses on a ``dask.distributed`` cluster: each chunk's ``partial`` runs on a worker,
which opens the corpus' snapshot from the shared cache itself; this process folds the partials
in chunk order with the analysis' own ``merge``, so the result is the local one to the byte.

    use_engine(DaskEngine("tcp://10.0.0.5:8786"))   # what --scheduler does for counting commands

Nothing is imported from Dask, and the scheduler is not contacted, until an analysis has more
than one chunk to count: ``kwic``, ``info`` and small corpora never pay for the cluster.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.chunks import Chunk, LocalEngine, base_of
from ..errors import InputError
from ..ingest.cluster import connect
from ..ingest.load import open_snapshot
from ..ingest.store import CacheUnreadable

_opened: dict[str, Any] = {}  # on a worker: snapshot folder → Corpus (memory maps; opened once)
_opened_lock = threading.Lock()


def _worker_corpus(folder: str):
    with _opened_lock:
        if folder not in _opened:
            _opened.clear()  # another snapshot: let the old maps go
            _opened[folder] = open_snapshot(Path(folder))
        return _opened[folder]


def partial_task(counting, folder: str, chunk: Chunk):
    """A Dask task: ``counting.partial`` over one chunk of the snapshot at ``folder``."""
    return counting.partial(_worker_corpus(folder), chunk)


class DaskEngine:
    """``map_merge`` on a cluster; a corpus that is not a whole cached snapshot (a ``where``
    subset, ``--no-cache``) or a single chunk is counted here, as the local engine would."""

    def __init__(self, scheduler: str):
        self.scheduler = scheduler
        self._client = None
        self.chunks_run = 0  # chunks counted on the cluster so far (for -v and tests)

    def client(self):
        if self._client is None:
            self._client = connect(self.scheduler)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def map_merge(self, counting, corpus, chunks: list[Chunk]) -> Any:
        corpus = base_of(corpus)  # a where view's chunks name documents of its base's snapshot
        report = getattr(corpus, "load_report", None)
        folder = getattr(report, "snapshot", None)
        if folder is None or len(chunks) < 2:
            return LocalEngine().map_merge(counting, corpus, chunks)
        return counting.merge(self._partials(counting, str(folder), chunks))

    def _partials(self, counting, folder: str, chunks: list[Chunk]) -> Iterator[Any]:
        """The partials in chunk order, with a bounded number in flight (finished ones wait
        here for the fold, so memory holds a few partials, not one per chunk)."""
        import uuid

        client = self.client()
        threads = sum(client.nthreads().values()) or 1
        window = max(2, 2 * threads)
        shared = client.scatter(counting, broadcast=True, hash=False)  # vocabulary-sized arrays: sent once
        run = uuid.uuid4().hex[:12]
        pending = deque()
        chunk_iter = iter(enumerate(chunks))

        def submit_next() -> None:
            for number, chunk in chunk_iter:
                pending.append(client.submit(partial_task, shared, folder, chunk, key=f"peercorpus-partial-{run}-{number}", retries=2, pure=False))
                return

        for _ in range(window):
            submit_next()
        try:
            while pending:
                future = pending.popleft()
                try:
                    result = future.result()
                except (OSError, ValueError, CacheUnreadable) as error:
                    raise InputError(
                        f"a Dask worker could not read the corpus at {folder} ({type(error).__name__}: {error}); "
                        "the cache folder must be on storage every worker can read"
                    ) from None
                submit_next()
                self.chunks_run += 1
                yield result
        finally:
            for future in pending:
                future.cancel()
