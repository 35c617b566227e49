"""Parameter checks shared by every public entry point, with messages that name the parameter.

    check_int("k", k, minimum=2)            # UsageError: "k must be an integer ≥ 2; got 1"
    check_choice("method", method, ("nmf", "lda"))
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError

#: No count, size or window is larger (token positions are 32-bit): a bigger number is a typo,
#: and numpy would fail on it with an OverflowError.
INT_MAX = 2**31 - 1
#: Seeds are what numpy's and scikit-learn's generators all accept: 0 to 2³² − 1.
SEED_MAX = 2**32 - 1


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int within ``[minimum, maximum]`` (``maximum`` defaults to ``INT_MAX``,
    or ``SEED_MAX`` for a seed), or a ``UsageError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{name} must be an integer; got {value!r}", param=name)
    implicit = maximum is None
    if implicit:
        maximum = SEED_MAX if name.endswith("seed") else INT_MAX
    if minimum is not None and value < minimum:
        if implicit:
            raise UsageError(f"{name} must be an integer ≥ {minimum}; got {value}", param=name)
        bound = f" ≥ {minimum}" if maximum is None else f" from {minimum} to {maximum}"
        raise UsageError(f"{name} must be an integer{bound}; got {value}", param=name)
    if maximum is not None and value > maximum:
        bound = f" ≤ {maximum}" if minimum is None else f" from {minimum} to {maximum}"
        raise UsageError(f"{name} must be an integer{bound}; got {value}", param=name)
    return value


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else a ``UsageError`` listing them."""
    if value not in choices:
        raise UsageError(f"{name} must be one of {', '.join(choices)}; got '{value}'", param=name)
    return value


def check_fraction_or_count(name: str, value: Any) -> float | int:
    """A document-frequency bound: a count (int ≥ 1) or a proportion (float in (0, 1])."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{name} must be a count (e.g. 2) or a proportion (e.g. 0.95); got {value!r}", param=name)
    if isinstance(value, float) and not value.is_integer() and not 0 < value <= 1:
        raise UsageError(f"{name} as a proportion must be in (0, 1]; got {value}", param=name)
    if isinstance(value, float) and value.is_integer() and value > 1:
        value = int(value)
    if value <= 0:
        raise UsageError(f"{name} must be positive; got {value}", param=name)
    return value


def count_or_share(value: float, *, one_is_all: bool = False) -> float | int:
    """A document-frequency bound as written by a user: ``2.0`` → ``2`` (a count of units),
    ``0.95`` stays a proportion. ``1`` is a count of one unit, except with ``one_is_all``
    (``max_df``), where 1 or 1.0 means every unit, as scikit-learn's ``max_df=1.0``."""
    if one_is_all and value == 1:
        return 1.0
    return int(value) if float(value).is_integer() and value >= 1 else value


def parse_range(name: str, text: str) -> tuple[int, int]:
    """``"2-12"`` → ``(2, 12)``; a ``UsageError`` for anything else."""
    parts = str(text).replace("..", "-").split("-")
    try:
        low, high = (int(p) for p in parts)
    except ValueError:
        raise UsageError(f"{name} must look like 2-12; got '{text}'", param=name) from None
    if low > high:
        raise UsageError(f"{name}: the first number must not exceed the second; got '{text}'", param=name)
    return low, high
