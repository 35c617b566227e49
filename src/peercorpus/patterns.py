"""Regular expressions a user gives (``--regex`` queries, ``cleaning.drop_lines``/``cut_from``)
run with a time budget, so no pattern can hang a command (catastrophic backtracking such as
``(a|aa)+$`` on a long run of a's).

The ``regex`` module (already required by NLTK) takes a timeout per call; a ``Budget`` spreads
one allowance over many calls (every type of the vocabulary, every line of a document)::

    budget = Budget("kwic --regex")                  # PATTERN_SECONDS, or $PEERCORPUS_PATTERN_SECONDS
    pattern = compile_pattern(r"peer-\\w+", ignore_case=True, what="query")
    hits = [word for word in vocab if budget.fullmatch(pattern, word)]
"""

from __future__ import annotations

import os
import time

from .errors import ConfigError, UsageError

#: The time one pattern may take over one vocabulary (a query) or one document (cleaning);
#: ``PEERCORPUS_PATTERN_SECONDS`` sets another (a slow machine may need more).
PATTERN_SECONDS = 10.0


def pattern_seconds() -> float:
    """``PEERCORPUS_PATTERN_SECONDS`` if it is a positive number, else ``PATTERN_SECONDS``."""
    try:
        seconds = float(os.environ.get("PEERCORPUS_PATTERN_SECONDS", ""))
    except ValueError:
        return PATTERN_SECONDS
    return seconds if 0 < seconds < float("inf") else PATTERN_SECONDS


class PatternTimeout(ConfigError):
    """A pattern ran out of its time budget (exit 2: the pattern is the user's to change)."""


def compile_pattern(pattern: str, *, ignore_case: bool = False, what: str = "regular expression", error=UsageError):
    """``pattern`` compiled by the ``regex`` module (Python ``re`` syntax); a bad pattern is
    ``error`` naming it."""
    import regex

    try:
        return regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
    except (regex.error, ValueError, OverflowError, RecursionError) as problem:
        raise error(f"invalid {what} '{pattern}': {problem}") from None


class Budget:
    """Calls of compiled patterns sharing ``seconds``; running out is a ``PatternTimeout``
    naming the pattern and ``where`` it was used."""

    def __init__(self, where: str, seconds: float | None = None):
        seconds = pattern_seconds() if seconds is None else seconds
        self.where, self.seconds = where, seconds
        self.deadline = time.monotonic() + seconds

    def _left(self, pattern) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self._fail(pattern)
        return left

    def _fail(self, pattern):
        raise PatternTimeout(
            f"{self.where}: the pattern '{pattern.pattern}' took more than {self.seconds:g} s "
            "(nested repetition such as (a+)+ backtracks without end); simplify it"
        )

    def fullmatch(self, pattern, text: str):
        try:
            return pattern.fullmatch(text, timeout=self._left(pattern))
        except TimeoutError:
            self._fail(pattern)

    def search(self, pattern, text: str):
        try:
            return pattern.search(text, timeout=self._left(pattern))
        except TimeoutError:
            self._fail(pattern)
