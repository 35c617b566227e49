"""The work one worker does on one file, wherever it runs (this process, a local worker
process, a Dask worker): read and tokenise it into an encoded shard, or say why it cannot::

    data = process_one((Path("corpora/a.txt"), Path("corpora"), digest), config)
    if isinstance(data, str): ...              # the reason it was skipped
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import PeerCorpusError, UnreadableFile
from .shard import process_file
from .store import encode_shard


def is_notice(warning: str) -> bool:
    """A reader's warning worth a line when the file is read, not only in ``info``: the text
    differs from the bytes (another encoding, bytes replaced) or lines of the file were dropped.

    >>> is_notice("skipped lines 2, 5 (not a JSON object with a 'text' field)")
    True
    """
    return "UTF-8" in warning or warning.startswith("skipped line")


def process_one(item: tuple[Path, Path, str], config: Config) -> bytes | str:
    """Tokenise one file into an encoded shard (compact to send between processes and ready
    for the cache); an unreadable file gives the reason as a string."""
    path, root, _digest = item
    try:
        shard = process_file(path, root, config)
    except UnreadableFile as problem:
        return problem.reason
    except PeerCorpusError:  # the user's settings (a cleaning pattern out of time): stop, say why
        raise
    except Exception as error:  # a reader library failing on a corrupt file must not stop the corpus
        return f"could not be read ({type(error).__name__}: {error})"
    return encode_shard(shard)


def process_batch(batch, config: Config) -> list[bytes | str]:
    """``process_one`` of each file of a batch (one task of a worker process)."""
    return [process_one(item, config) for item in batch]
