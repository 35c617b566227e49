"""Every analysis a report (and the Python front door) can run, by name: its parameters and title.

The one list the report reader and the CLI share; adding an analysis means a ``Params`` next
to its function, an entry here, a report runner (``report/runners.py``) and a command::

    entry = analysis_named("freq")
    entry.params(ngram=2).checked()               # FreqParams(ngram=2, ...)
    entry.title_for(entry.params(ngram=2))        # '2-gram frequencies'
    analysis_named("code").name                   # 'codebook' (the command's spelling, an alias)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .coding import CodebookParams
from .collocation import CollocatesParams, CollocationsParams
from .dispersion import DispersionParams
from .frequency import FreqParams
from .info import InfoParams
from .keyness import KeynessParams
from .kwic import KwicParams
from .params import Params
from .stats import StatsParams
from .topics.model import TopicsParams


@dataclass(frozen=True)
class Analysis:
    """One analysis: its name (a report's ``name:``), its parameters, its default heading."""

    name: str
    params: type[Params]
    title: str
    aliases: tuple[str, ...] = ()
    #: A heading that says more than ``title`` once the parameters are known (kwic: the queries).
    titled: Callable[[Any], str] | None = None

    def title_for(self, params: Params) -> str:
        return self.titled(params) if self.titled else self.title


def _freq_title(params: FreqParams) -> str:
    return "Word frequencies" if params.ngram == 1 else f"{params.ngram}-gram frequencies"


#: Analysis name → entry, in the order a report presents them by default.
ANALYSES: dict[str, Analysis] = {
    entry.name: entry
    for entry in (
        Analysis("info", InfoParams, "Documents"),
        Analysis("stats", StatsParams, "Text statistics"),
        Analysis("freq", FreqParams, "Word frequencies", titled=_freq_title),
        Analysis("kwic", KwicParams, "Concordance", titled=lambda p: "Concordance: " + ", ".join(f"“{q}”" for q in p.queries)),
        Analysis("dispersion", DispersionParams, "Dispersion"),
        Analysis("collocates", CollocatesParams, "Collocates", titled=lambda p: f"Collocates of “{p.node}”"),
        Analysis("collocations", CollocationsParams, "Collocations"),
        Analysis("keyness", KeynessParams, "Keywords"),
        Analysis("topics", TopicsParams, "Topics"),
        Analysis("codebook", CodebookParams, "Dictionary coding of themes", aliases=("code",)),
    )
}

_ALIASES = {alias: entry.name for entry in ANALYSES.values() for alias in entry.aliases}


def analysis_named(name: str) -> Analysis | None:
    """The entry for ``name`` or one of its aliases; ``None`` when there is no such analysis."""
    return ANALYSES.get(_ALIASES.get(name, name))
