"""The one exception hierarchy of peercorpus; the CLI maps it to exit codes.

Every error a user can cause is a ``PeerCorpusError`` whose message is one line a
researcher understands, ideally with a hint for the fix::

    raise InputError("no documents match genre=blgo; values present: blog, news")
"""

from __future__ import annotations


class PeerCorpusError(Exception):
    """Base class: a problem the user can fix. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class UsageError(PeerCorpusError):
    """An option or parameter has an invalid value (exit 2)."""


class InputError(PeerCorpusError):
    """A corpus path, file or metadata sidecar cannot be used (exit 2)."""


class ConfigError(PeerCorpusError):
    """A YAML config is malformed or names an unknown key (exit 2)."""


class MissingDataError(PeerCorpusError):
    """Optional NLTK data (e.g. WordNet) is needed but not installed (exit 2)."""


class AnalysisError(PeerCorpusError):
    """An analysis could not be computed on valid input (exit 1)."""

    exit_code = 1


class UnreadableFile(Exception):
    """One file could not be read; the reader turns this into a warning and skips the file.

    Not a ``PeerCorpusError``: it never reaches the user as an error, only as a warning
    naming the file and ``reason``.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while an ingest ran (``kill``, a batch system ending the job): handled as
    an interruption (work in flight stopped, finished shards kept); the CLI exits 143."""
