"""How one value is written in a table cell, shared by the exporters and the terminal tables.

    cell_text(0.5)                       # '0.5'
    format_column([0.64, 0.6342, 0.5])   # ['0.640', '0.634', '0.500']
"""

from __future__ import annotations

import math
from typing import Any


def json_safe(value: Any) -> Any:
    """Plain JSON values: NaN → null, numpy scalars → Python numbers, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def cell_text(value: Any) -> str:
    """A value as exported: null empty, booleans true/false, floats with up to four decimals."""
    value = json_safe(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e-3 and value else f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def format_column(values: list[Any]) -> list[str]:
    """One format for a whole numeric column: integers as written; floats with the decimals
    that give the column's typical (median) value three significant digits (0 to 4 decimals),
    or all in scientific notation when the column mixes values below 0.001 with much larger
    ones (p-values); NaN as an empty cell.

    >>> format_column([0.64, 0.6342, 0.5])
    ['0.640', '0.634', '0.500']
    >>> format_column([2.953e-06, 0.0032, 0.5])
    ['2.95e-06', '3.20e-03', '5.00e-01']
    """
    plain = [json_safe(v) for v in values]
    numbers = [v for v in plain if isinstance(v, (int, float)) and not isinstance(v, bool)]
    finite = [abs(v) for v in numbers if math.isfinite(v)]
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in plain if v is not None):
        return [cell_text(v) for v in plain]  # not a number column after all: as exported
    if all(float(v).is_integer() for v in finite):
        return ["" if v is None else _whole(v) for v in plain]
    nonzero = sorted(v for v in finite if v)
    if nonzero and nonzero[0] < 1e-3:
        return ["" if v is None else _special(v) or f"{v:.2e}" for v in plain]
    median = nonzero[len(nonzero) // 2] if nonzero else 1.0
    decimals = max(0, min(4, 2 - math.floor(math.log10(median))))
    return ["" if v is None else _special(v) or f"{v:.{decimals}f}" for v in plain]


def _whole(value) -> str:
    return _special(value) or str(int(value))


def _special(value) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return "" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return None
