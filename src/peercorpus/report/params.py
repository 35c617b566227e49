"""The parameters of each analysis a report config can run: one frozen dataclass per analysis.

Field names are the spellings the CLI options use (``min_count`` ↔ ``--min-count``); a
field without a default is required. ``report/spec.py`` reads them from YAML::

    analyses:
      - name: kwic
        queries: ["lived experience", boundaries]
        context: sentence

Annotations are read by ``spec.py`` (``tuple[int, int]`` as a range like ``2-12``, ``int | str``
as a number or ``auto``, the aliases ``Comparisons`` and ``Mapping``); a ``seed`` left out is the
report's ``seed``. ``check()`` validates values with the
library's own checks, and ``fields_used()`` / ``conditions_used()`` name what must exist in the
corpus' metadata, so a misspelt field fails before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ..analysis.topics.model import TopicSettings
from ..validate import check_choice, check_int, count_or_share

MATCHES = ("form", "stem", "lemma")
COLLOCATE_MEASURES = ("likelihood", "mi", "t", "logdice")
COLLOCATION_MEASURES = ("likelihood", "pmi", "t", "chi2")

# Aliases read by spec.py (annotations stay strings under ``from __future__ import annotations``).
Comparisons = tuple[dict, ...]  # keyness: [{target: [...], reference: [...]}]
Mapping = dict  # an inline codebook


class Params:
    """What every analysis' parameters share: ``where`` narrows the corpus first."""

    where: tuple[str, ...] = ()

    def check(self) -> None:
        """Raise ``UsageError`` naming a parameter whose value is not allowed."""

    def fields_used(self) -> dict[str, str]:
        """Parameter → metadata field it names (``by: genre``)."""
        return {}

    def conditions_used(self) -> dict[str, tuple[str, ...]]:
        """Parameter → metadata conditions it holds (``where``, keyness ``target``)."""
        return {"where": self.where} if self.where else {}


def check_qdpx(qdpx: str | None, unit: str, units: tuple[str, ...], unit_name: str = "unit") -> None:
    """A ``qdpx:`` output is a file name (``coding.qdpx``) written into the report folder."""
    from ..errors import UsageError

    check_choice(unit_name, unit, units)
    if qdpx is None:
        return
    if not isinstance(qdpx, str) or not qdpx.endswith(".qdpx") or "/" in qdpx or "\\" in qdpx or qdpx.startswith("."):
        raise UsageError(f"qdpx must be a file name ending in .qdpx, written into the report folder (e.g. coding.qdpx); got {qdpx!r}")


def _qdpx_fields(params) -> dict[str, str]:
    return {"case": params.case} if params.qdpx and params.case else {}


@dataclass(frozen=True)
class InfoParams(Params):
    """``info``: the documents table and the ingestion quality report."""

    where: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreqParams(Params):
    """``freq``: a word or n-gram frequency list (``by`` a field: one list per group)."""

    ngram: int = 1
    top: int = 30
    min_count: int = 1
    by: str | None = None
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_int("ngram", self.ngram, minimum=1, maximum=5)
        check_int("top", self.top, minimum=1)
        check_int("min_count", self.min_count, minimum=1)

    def fields_used(self) -> dict[str, str]:
        return {"by": self.by} if self.by else {}


@dataclass(frozen=True)
class KwicParams(Params):
    """``kwic``: concordance lines of one or more queries."""

    queries: tuple[str, ...]
    window: int = 8
    chars: int | None = None
    context: str = "document"
    match: str = "form"
    case_sensitive: bool = False
    regex: bool = False
    sort: tuple[str, ...] = ()
    sample: int | None = None
    seed: int = 0
    limit: int | None = None
    show: tuple[str, ...] = ()
    qdpx: str | None = None
    unit: str = "sentence"
    case: str | None = None
    where: tuple[str, ...] = ()

    def check(self) -> None:
        from ..errors import UsageError

        check_qdpx(self.qdpx, self.unit, ("match", "sentence", "paragraph"))
        if not self.queries or any(not q.strip() for q in self.queries):
            raise UsageError("queries must be a list of words, phrases or patterns, none empty")
        from ..analysis.kwic import check_context_options

        check_context_options(window=self.window, chars=self.chars, context=self.context)
        check_choice("match", self.match, MATCHES)
        for number, name in ((self.sample, "sample"), (self.limit, "limit")):
            if number is not None:
                check_int(name, number, minimum=1)
        check_int("seed", self.seed, minimum=0)

    def fields_used(self) -> dict[str, str]:
        return {**{f"show {name}": name for name in self.show}, **_qdpx_fields(self)}


@dataclass(frozen=True)
class CollocatesParams(Params):
    """``collocates``: words within a window of a node word or phrase."""

    node: str
    left: int = 5
    right: int = 5
    measure: str = "likelihood"
    match: str = "form"
    min_count: int = 2
    top: int = 30
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_int("left", self.left, minimum=0)
        check_int("right", self.right, minimum=0)
        check_choice("measure", self.measure, COLLOCATE_MEASURES)
        check_choice("match", self.match, MATCHES)
        check_int("min_count", self.min_count, minimum=1)
        check_int("top", self.top, minimum=1)


@dataclass(frozen=True)
class CollocationsParams(Params):
    """``collocations``: significant adjacent word pairs (or triples)."""

    size: int = 2
    measure: str = "likelihood"
    min_count: int = 3
    top: int = 30
    where: tuple[str, ...] = ()

    def check(self) -> None:
        check_int("size", self.size, minimum=2, maximum=3)
        check_choice("measure", self.measure, COLLOCATION_MEASURES)
        check_int("min_count", self.min_count, minimum=1)
        check_int("top", self.top, minimum=1)


@dataclass(frozen=True)
class KeynessParams(Params):
    """``keyness``: keywords of each comparison's target against its reference (default: the
    other documents). ``comparisons: [{target: [genre=blog], reference: [genre=preprint]}]``."""

    comparisons: Comparisons
    alpha: float = 0.05
    bonferroni: bool = False
    min_range: int = 1
    min_count: int = 3
    top: int = 30
    plot: bool = True
    where: tuple[str, ...] = ()

    def check(self) -> None:
        from ..errors import UsageError

        if not 0 < self.alpha <= 1:
            raise UsageError(f"alpha must be in (0, 1]; got {self.alpha}")
        check_int("min_range", self.min_range, minimum=1)
        check_int("min_count", self.min_count, minimum=1)
        check_int("top", self.top, minimum=1)

    def conditions_used(self) -> dict[str, tuple[str, ...]]:
        used = dict(super().conditions_used())
        for number, comparison in enumerate(self.comparisons):
            used[f"comparisons {number + 1} target"] = tuple(comparison["target"])
            if comparison.get("reference"):
                used[f"comparisons {number + 1} reference"] = tuple(comparison["reference"])
        return used


@dataclass(frozen=True)
class StatsParams(Params):
    """``stats``: words, types, TTR, MATTR, sentence length, Flesch (per group with ``by``)."""

    by: str | None = None
    where: tuple[str, ...] = ()

    def fields_used(self) -> dict[str, str]:
        return {"by": self.by} if self.by else {}


@dataclass(frozen=True)
class DispersionParams(Params):
    """``dispersion``: where terms occur, with range, Juilland's D, Gries' DP and a plot."""

    terms: tuple[str, ...]
    match: str = "form"
    case_sensitive: bool = False
    regex: bool = False
    plot: bool = True
    where: tuple[str, ...] = ()

    def check(self) -> None:
        from ..errors import UsageError

        if not self.terms or any(not t.strip() for t in self.terms):
            raise UsageError("terms must be a list of words, phrases or patterns, none empty")
        check_choice("match", self.match, MATCHES)


@dataclass(frozen=True)
class TopicsParams(TopicSettings, Params):
    """``topics``: every parameter of ``peercorpus topics`` (``TopicSettings``, the same
    names) plus ``by``, ``labels`` (a label sheet, relative to the config file) and ``plots``."""

    by: str | None = None
    labels: str | None = None
    plots: bool = True
    qdpx: str | None = None
    qdpx_unit: str = "sentence"
    qdpx_threshold: float = 0.5
    case: str | None = None
    where: tuple[str, ...] = ()

    def settings(self) -> TopicSettings:
        """The model's ``TopicSettings``, document-frequency bounds read as the CLI reads them."""
        values = {f.name: getattr(self, f.name) for f in fields(TopicSettings)}
        values.update(min_df=count_or_share(self.min_df), max_df=count_or_share(self.max_df, one_is_all=True))
        return TopicSettings(**values)

    def check(self) -> None:
        from ..errors import UsageError

        self.settings().checked()  # k is already a number or "auto" (spec.py parses it)
        check_qdpx(self.qdpx, self.qdpx_unit, ("sentence", "paragraph"), "qdpx_unit")
        if isinstance(self.qdpx_threshold, bool) or not isinstance(self.qdpx_threshold, (int, float)) or not 0 <= self.qdpx_threshold <= 1:
            raise UsageError(f"qdpx_threshold must be a share between 0 and 1; got {self.qdpx_threshold!r}")

    def fields_used(self) -> dict[str, str]:
        return {**({"by": self.by} if self.by else {}), **_qdpx_fields(self)}


@dataclass(frozen=True)
class CodebookParams(Params):
    """``codebook``: dictionary coding of themes. ``codebook`` is a file (relative to the
    config) or ``themes`` an inline codebook in the same format; ``by`` a field adds the
    themes per group."""

    codebook: str | None = None
    themes: Mapping | None = None
    cooccurrence: str = "sentence"
    match: str = "form"
    case_sensitive: bool = False
    extracts: int | None = None
    by: str | None = None
    qdpx: str | None = None
    unit: str = "sentence"
    case: str | None = None
    where: tuple[str, ...] = ()

    def fields_used(self) -> dict[str, str]:
        return {**({"by": self.by} if self.by else {}), **_qdpx_fields(self)}

    def check(self) -> None:
        from ..errors import UsageError

        check_qdpx(self.qdpx, self.unit, ("match", "sentence", "paragraph"))
        if (self.codebook is None) == (self.themes is None):
            raise UsageError("give either codebook (a file) or themes (an inline codebook)")
        check_choice("cooccurrence", self.cooccurrence, ("sentence", "paragraph"))
        check_choice("match", self.match, MATCHES)
        if self.extracts is not None:
            check_int("extracts", self.extracts, minimum=0)


#: Analysis name → its parameters, in the order a report presents them by default.
ANALYSES: dict[str, type[Any]] = {
    "info": InfoParams,
    "stats": StatsParams,
    "freq": FreqParams,
    "kwic": KwicParams,
    "dispersion": DispersionParams,
    "collocates": CollocatesParams,
    "collocations": CollocationsParams,
    "keyness": KeynessParams,
    "topics": TopicsParams,
    "codebook": CodebookParams,
}
