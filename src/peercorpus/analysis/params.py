"""What the parameters of every analysis share; each analysis keeps its own ``Params`` dataclass
next to its function (``frequency.FreqParams``, ``kwic.KwicParams``, ...).

A ``Params`` is frozen; its defaults are defined once, there; ``checked()`` validates it once,
raising a ``UsageError`` whose ``param`` names the bad field (the CLI shows it as ``--min-count``,
a report config as ``x.yaml line 7: min_count``)::

    from peercorpus.analysis.frequency import FreqParams
    FreqParams(ngram=2, top=20).checked()        # FreqParams(ngram=2, top=20, ...)
    FreqParams(ngram=9).checked()                # UsageError: ngram must be an integer from 1 to 5; got 9

``analysis/registry.py`` lists them by analysis name for the CLI and the report reader.
"""

from __future__ import annotations

from typing import Self

from ..errors import UsageError
from ..validate import check_choice

#: How a query term is matched: as written, by Snowball stem, or by WordNet lemma.
MATCHES = ("form", "stem", "lemma")

#: How many rows a ranked table shows when ``top`` is not given. The library returns every row;
#: a terminal shows 50, a report 30, and a side-by-side list per group (``freq --by --wide``) 20.
TOP_SHOWN = {"terminal": 50, "report": 30, "side_by_side": 20}


class Params:
    """What every analysis' parameters share: ``where`` narrows the corpus first."""

    where: tuple[str, ...] = ()

    def check(self) -> None:
        """Raise ``UsageError`` naming a parameter whose value is not allowed."""

    def checked(self) -> Self:
        """These parameters after ``check()``: the one validation at an entry point."""
        self.check()
        return self

    def fields_used(self) -> dict[str, str]:
        """Parameter → metadata field it names (``by: genre``)."""
        return {}

    def conditions_used(self) -> dict[str, tuple[str, ...]]:
        """Parameter → metadata conditions it holds (``where``, keyness ``target``)."""
        return {"where": self.where} if self.where else {}


def check_qdpx(qdpx: str | None, unit: str, units: tuple[str, ...], unit_name: str = "unit") -> None:
    """A ``qdpx:`` output of a report is a file name (``coding.qdpx``) written into the report folder."""
    check_choice(unit_name, unit, units)
    if qdpx is None:
        return
    if not isinstance(qdpx, str) or not qdpx.endswith(".qdpx") or "/" in qdpx or "\\" in qdpx or qdpx.startswith("."):
        raise UsageError(
            f"qdpx must be a file name ending in .qdpx, written into the report folder (e.g. coding.qdpx); got {qdpx!r}",
            param="qdpx",
        )


def qdpx_fields(params) -> dict[str, str]:
    """The metadata field a QDA export's cases come from (``case: genre``), when one is written."""
    return {"case": params.case} if params.qdpx and params.case else {}
