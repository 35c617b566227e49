"""The one exception hierarchy of peercorpus; the CLI maps it to exit codes.

Every error a user can cause is a ``PeerCorpusError`` whose message is one line a
researcher understands, ideally with a hint for the fix::

    raise InputError("no documents match genre=blgo; values present: blog, news")
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: A parameter named inside a message: `min_df`. Each surface spells it its own way.
_MENTION = re.compile(r"`([a-z][a-z0-9_]*)`")


class PeerCorpusError(Exception):
    """Base class: a problem the user can fix. ``exit_code`` is what the CLI returns.

    A message names parameters in backquotes, as the Python API and YAML spell them; ``str()``
    gives them plain, the CLI as its options (``spelled``), so no library message names a flag::

        error = UsageError("`k` 40 needs more than 40 units (use a smaller `k`)", param="k")
        str(error)                                            # 'k 40 needs more than 40 units (use a smaller k)'
        error.spelled(lambda name: "--" + name.replace("_", "-"))   # '--k 40 needs ... (use a smaller --k)'
    """

    exit_code = 2

    def __init__(self, message: str = "", *, param: str | None = None):
        super().__init__(message)
        self.param = param

    def spelled(self, spell: Callable[[str], str]) -> str:
        """The message with each backquoted parameter written as ``spell(name)``."""
        return _MENTION.sub(lambda match: spell(match.group(1)), str(self.args[0]) if self.args else "")

    def __str__(self) -> str:
        return self.spelled(lambda name: name)


def as_option(name: str) -> str:
    """A parameter as a command-line option: ``min_df`` → ``--min-df``."""
    return "--" + name.replace("_", "-")


class UsageError(PeerCorpusError):
    """An option or parameter has an invalid value (exit 2). ``param`` names the parameter
    (``min_df``), so a report config can point at its line (``x.yaml line 7: min_df``)::

        raise UsageError("min_df must be positive; got 0", param="min_df")
    """


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
