"""Reading a report config: the corpus, the seed and the list of analyses, checked before anything runs.

A report config is an ordinary config (``read``, ``cleaning``, ``tokenize``) plus::

    title: Peer support in the NHS
    corpus: ../corpora/peer-support      # or a list; relative to the config file
    seed: 0                              # default seed of kwic samples and topic models
    output: ../reports/peer-support      # optional; relative to the config file
    analyses:
      - name: freq
        top: 30
      - name: kwic
        id: kwic-boundaries              # optional; names the tables' files
        title: Boundaries in context     # optional; the report's heading
        queries: [boundaries]

    spec = read_report(Path("configs/peer-support.yaml"), overrides=["analyses.2.top=10"])
    check_against_corpus(spec, corpus)   # fields and --where values exist

Every error is a ``ConfigError`` naming the file, the line and the key:
``peer-support.yaml line 41: unknown key 'windw' (did you mean 'window'?) in analysis 'kwic'``.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from ..analysis.params import TOP_SHOWN, Params
from ..analysis.registry import ANALYSES, analysis_named
from ..config import (
    SETTING_PARSERS,
    Config,
    coerce_setting,
    load_config,
    parse_string,
    parse_strings,
    unknown_key_message,
)
from ..errors import ConfigError, PeerCorpusError
from ..validate import parse_range

_ITEM_KEYS = ("name", "id", "title")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class AnalysisSpec:
    """One entry of ``analyses``: which analysis, its file-name id, heading and parameters."""

    name: str
    id: str
    title: str
    params: Params
    position: int  # index in the config's list, for error locations


@dataclass(frozen=True)
class ReportSpec:
    """A checked report config."""

    title: str
    corpus: tuple[Path, ...]
    seed: int
    output: Path | None
    analyses: tuple[AnalysisSpec, ...]
    config: Config

    @property
    def base(self) -> Path:
        """The config file's folder: relative paths in the config start here."""
        return self.config.source.parent if self.config.source else Path(".")

    @property
    def corpus_as_written(self) -> list[str]:
        """The corpus paths as the config (or ``--set``) gives them: relative to the config
        file, or absolute; what a manifest records, so it reads the same on another machine."""
        raw = self.config.extra["corpus"]
        return [raw] if isinstance(raw, str) else list(raw)

    def locate(self, analysis: AnalysisSpec, *keys: str) -> str:
        """``"peer-support.yaml line 40"`` for a key of one analysis (or the analysis itself)."""
        located = self.config.locate("analyses", str(analysis.position), *keys)
        return located if "line" in located else self.config.locate("analyses", str(analysis.position))


def read_report(path: Path, overrides: list[str] | tuple[str, ...] = ()) -> ReportSpec:
    """Read and check a report config (see the module docstring)."""
    config = load_config(Path(path), overrides)
    extra = config.extra
    title = extra.get("title", f"peercorpus report: {Path(path).stem}")
    if not isinstance(title, str):
        raise ConfigError(f"{config.locate('title')}: 'title' must be text; got {title!r}")
    seed = extra.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"{config.locate('seed')}: 'seed' must be a whole number from 0 to 4294967295; got {seed!r}")
    base = Path(path).parent
    corpus = _corpus_paths(extra.get("corpus"), base, config)
    output = extra.get("output")
    if output is not None and not isinstance(output, str):
        raise ConfigError(f"{config.locate('output')}: 'output' must be a folder path; got {output!r}")
    analyses = _analyses(extra.get("analyses"), config, seed)
    return ReportSpec(
        title=title,
        corpus=corpus,
        seed=seed,
        output=base / output if output else None,
        analyses=analyses,
        config=config,
    )


def _corpus_paths(raw: Any, base: Path, config: Config) -> tuple[Path, ...]:
    where = config.locate("corpus")
    if raw is None:
        raise ConfigError(f"{where}: a report config needs 'corpus': a folder or a list of folders and files")
    entries = [raw] if isinstance(raw, str) else raw
    if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
        raise ConfigError(f"{where}: 'corpus' must be a path or a list of paths; got {raw!r}")
    paths = []
    for number, entry in enumerate(entries):
        path = base / entry
        if not path.exists():
            located = config.locate("corpus", str(number)) if isinstance(raw, list) else where
            raise ConfigError(f"{located}: corpus path not found: {entry} (relative to {base or '.'}/)")
        paths.append(path)
    return tuple(paths)


def _analyses(raw: Any, config: Config, seed: int) -> tuple[AnalysisSpec, ...]:
    where = config.locate("analyses")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: 'analyses' must be a list of analyses, each with a name ({', '.join(ANALYSES)})")
    specs: list[AnalysisSpec] = []
    counts: dict[str, int] = {}
    for position, item in enumerate(raw):
        spec = _analysis(item, position, config, counts, seed)
        if any(existing.id == spec.id for existing in specs):
            raise ConfigError(f"{config.locate('analyses', str(position), 'id')}: two analyses have the id '{spec.id}'")
        specs.append(spec)
    return tuple(specs)


def _analysis(item: Any, position: int, config: Config, counts: dict[str, int], seed: int) -> AnalysisSpec:
    here = config.locate("analyses", str(position))
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict) or "name" not in item:
        raise ConfigError(f"{here}: each analysis is a mapping with a 'name' ({', '.join(ANALYSES)})")
    entry = analysis_named(item["name"]) if isinstance(item["name"], str) else None
    if entry is None:
        raise ConfigError(f"{here}: {unknown_key_message(str(item['name']), list(ANALYSES)).replace('key', 'analysis', 1)}")
    name, params_class = entry.name, entry.params
    known = {f.name: f for f in fields(params_class)}
    values = {}
    for key, value in item.items():
        key_where = config.locate("analyses", str(position), str(key))
        if key in _ITEM_KEYS:
            continue
        if key not in known:
            raise ConfigError(f"{key_where}: {unknown_key_message(str(key), [*known, *_ITEM_KEYS])} in analysis '{name}'")
        values[key] = coerce_setting(value, str(known[key].type), key_where, key, PARAMETER_PARSERS)
    if "seed" in known and "seed" not in values:
        values["seed"] = seed
    if "top" in known and "top" not in values:
        values["top"] = TOP_SHOWN["report"]
    missing = [f.name for f in known.values() if f.default is MISSING and f.name not in values]
    if missing:
        raise ConfigError(f"{here}: analysis '{name}' needs '{missing[0]}'")
    params = params_class(**values)
    try:
        params.check()
    except PeerCorpusError as error:
        named = getattr(error, "param", None)
        located = config.locate("analyses", str(position), named) if named in values else here
        raise ConfigError(f"{located}: analysis '{name}': {error}") from None
    counts[name] = counts.get(name, 0) + 1
    default_id = name if counts[name] == 1 else f"{name}-{counts[name]}"
    analysis_id = item.get("id", default_id)
    if not isinstance(analysis_id, str) or not _ID.match(analysis_id):
        raise ConfigError(f"{config.locate('analyses', str(position), 'id')}: 'id' names files: letters, digits, - and _; got {analysis_id!r}")
    title = item.get("title", entry.title_for(params))
    if not isinstance(title, str):
        raise ConfigError(f"{config.locate('analyses', str(position), 'title')}: 'title' must be text")
    return AnalysisSpec(name=name, id=analysis_id, title=title, params=params, position=position)


def _range(value: Any) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return parse_range("range", f"{value[0]}-{value[1]}")
    if isinstance(value, str):
        return parse_range("range", value)
    raise TypeError(f"must be a range like 2-12 or [2, 12]; got {value!r}")


def _k_or_auto(value: Any) -> int | str:
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"must be a whole number ≥ 2 or 'auto'; got {value!r}")


def _comparisons(value: Any) -> tuple[dict, ...]:
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        raise TypeError("must be a list of comparisons like {target: [genre=blog], reference: [genre=news]}")
    comparisons = []
    for number, item in enumerate(items, start=1):
        unknown = sorted(set(item) - {"target", "reference", "title"}) if isinstance(item, dict) else []
        if unknown:
            raise TypeError(f"comparison {number}: {unknown_key_message(str(unknown[0]), ['target', 'reference', 'title'])}")
        if not isinstance(item, dict) or "target" not in item:
            raise TypeError(f"comparison {number} needs a 'target' (e.g. target: [genre=blog])")
        comparison = {"target": parse_strings(item["target"])}
        if item.get("reference") is not None:
            comparison["reference"] = parse_strings(item["reference"])
        if item.get("title") is not None:
            comparison["title"] = parse_string(item["title"])
        comparisons.append(comparison)
    return tuple(comparisons)


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"must be a mapping; got {value!r}")
    return value


#: The settings' checks plus those of analysis parameters (see ``params.py``).
PARAMETER_PARSERS = {
    **SETTING_PARSERS,
    "tuple[int, int]": _range,
    "int | str": _k_or_auto,
    "Comparisons": _comparisons,
    "Mapping": _mapping,
}


def check_against_corpus(spec: ReportSpec, corpus) -> None:
    """Every metadata field and condition the analyses name exists in ``corpus``
    (a ``ConfigError`` with the line of the analysis otherwise)."""
    for analysis in spec.analyses:
        params = analysis.params
        for key, field_name in params.fields_used().items():
            if field_name not in corpus.fields():
                raise ConfigError(
                    f"{spec.locate(analysis, key.split()[0])}: {key} names no metadata field '{field_name}' "
                    f"(analysis '{analysis.name}'); fields present: {', '.join(corpus.fields()) or '(none)'}"
                )
        for key, conditions in params.conditions_used().items():
            try:
                if len(corpus.where_indices(list(conditions))) == 0:
                    raise ConfigError(f"no document matches {', '.join(conditions)}")
            except PeerCorpusError as error:
                message = str(error).removeprefix("where ")
                raise ConfigError(f"{spec.locate(analysis, key.split()[0])}: {key} (analysis '{analysis.name}'): {message}") from None
