"""Settings shared by every command, and reading them from a YAML config with line numbers.

A config file has up to five shared sections (every key optional)::

    read:      {text_column: text, id_column: null}
    cleaning:  {drop_lines: ["^Log in"], cut_from: ["^References$"], join_hyphenated: true}
    tokenize:  {tokenizer: default, lowercase: true, stopwords: english, stem: false}
    cache:     {dir: null}
    compute:   {memory_mb: 1024, scheduler: null}   # scheduler: a Dask scheduler (tcp://host:port or a file)

plus the sections of a batch report (``title``, ``corpus``, ``analyses``, ``seed``), which
``load_config`` keeps in ``Config.extra`` for the report module to check::

    config = load_config(Path("configs/default.yaml"))
    config.tokenize.stopwords   # "english"
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError, PeerCorpusError
from .ingest.sections import SECTION_LABELS
from .io.base import MAX_DOCUMENT_MB, ReadOptions
from .patterns import compile_pattern
from .yamlio import parse_yaml, read_yaml

TOKENIZERS = ("default", "treebank", "nltk-word", "whitespace")
REPORT_SECTIONS = ("title", "corpus", "analyses", "seed", "output")


@dataclass(frozen=True)
class CleaningSettings:
    """Text cleaning applied after reading and before tokenising.

    auto: read documents as their authors wrote them (default): PDF paragraphs rebuilt from
        the layout, running headers/footers and page numbers removed, and the sections that
        are not running text found (``sections.py``). ``false`` keeps the text as extracted.
    sections: the sections analyses see, of ``body``, ``references``, ``declarations`` and
        ``boilerplate`` (or ``all``); the others are left out of the analysed text.
    drop_lines: regular expressions; a line matching any of them is removed.
    cut_from: regular expressions; the document is cut from the first line matching
        any of them onward (reference lists, declarations).
    join_hyphenated: join words broken across lines by a hyphen ("peer sup-\\nport").
    """

    drop_lines: tuple[str, ...] = ()
    cut_from: tuple[str, ...] = ()
    join_hyphenated: bool = False
    auto: bool = True
    sections: tuple[str, ...] = ("body",)

    @property
    def active(self) -> bool:
        """Whether any hand-written rule is set (``drop_lines``, ``cut_from``, ``join_hyphenated``)."""
        return bool(self.drop_lines or self.cut_from or self.join_hyphenated)

    @property
    def kept_sections(self) -> tuple[str, ...]:
        """The section labels analyses see: ``sections`` with ``all`` spelt out."""
        return SECTION_LABELS if "all" in self.sections else tuple(self.sections)


@dataclass(frozen=True)
class TokenizeSettings:
    """How text becomes tokens (``tokenizer``) and which tokens analyses count (the rest).

    ``tokenizer`` changes the cached token stream; every other field is applied to the
    vocabulary at analysis time, so changing it never re-tokenises the corpus.
    ``stopwords`` is ``None`` (each analysis' own default: kept by kwic and freq,
    English removed by topics), ``"none"``, ``"english"`` (bundled list), ``"nltk"``
    (NLTK's stopwords corpus, when installed) or the path of a file, one word a line.
    ``compounds`` (and the phrases of ``compounds_file``, one a line, as written by
    ``peercorpus collocations --save-compounds``) are counted as one term: "lived
    experience" becomes ``lived_experience``.
    """

    tokenizer: str = "default"
    lowercase: bool = True
    stopwords: str | None = None
    extra_stopwords: tuple[str, ...] = ()
    stem: bool = False
    lemmatize: bool = False
    min_length: int = 1
    drop_numbers: bool = False
    drop_punct: bool = True
    compounds: tuple[str, ...] = ()
    compounds_file: str | None = None


@dataclass(frozen=True)
class Config:
    """Everything a command needs from ``--config``; ``extra`` holds the report sections."""

    read: ReadOptions = field(default_factory=ReadOptions)
    cleaning: CleaningSettings = field(default_factory=CleaningSettings)
    tokenize: TokenizeSettings = field(default_factory=TokenizeSettings)
    cache_dir: str | None = None
    compute: dict[str, Any] = field(default_factory=dict)  # compute.memory_mb (core/chunks.py), compute.scheduler (ingest/cluster.py)
    source: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    def stream_key(self) -> str:
        """Hash of the settings that change the cached token stream (not the filters)."""
        payload = {
            "cleaning": asdict(self.cleaning),
            "tokenizer": self.tokenize.tokenizer,
            # which files are read is checked file by file, so follow_links changes no token;
            # max_document_mb only when changed, so caches made before it existed stay good
            "read": {
                k: v for k, v in asdict(self.read).items()
                if k != "follow_links" and not (k == "max_document_mb" and v == MAX_DOCUMENT_MB)
            },
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def locate(self, *keys: str) -> str:
        """``"config.yaml line 12"`` for a key path, for error messages."""
        name = self.source.name if self.source else "config"
        line = self.lines.get(tuple(keys))
        return f"{name} line {line}" if line else name

    where = locate  # its first name, kept for callers; not to be confused with Corpus.where


_SECTIONS: dict[str, type] = {
    "read": ReadOptions,
    "cleaning": CleaningSettings,
    "tokenize": TokenizeSettings,
}


def _expected_type(cls: type, name: str) -> str:
    return {f.name: str(f.type) for f in fields(cls)}[name]


def coerce_setting(value: Any, type_name: str, where: str, key: str, parsers: dict | None = None) -> Any:
    """Check one setting against its dataclass annotation (``"int"``, ``"str | None"``,
    ``"tuple[str, ...]"`` ...) and normalise it (a list becomes a tuple; one string is a list
    of one). ``parsers`` maps annotations to checks (default ``SETTING_PARSERS``); the report
    adds its own. A bad value is a ``ConfigError``: ``x.yaml line 4: 'top' must be a whole
    number; got 'ten'``.
    """
    if value is None:
        if "None" in type_name:
            return None
        raise ConfigError(f"{where}: '{key}' must not be empty")
    try:
        return (parsers or SETTING_PARSERS)[type_name.replace(" | None", "")](value)
    except (TypeError, ValueError, PeerCorpusError) as error:
        raise ConfigError(f"{where}: '{key}' {error}") from None


def parse_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"must be a whole number; got {value!r}")
    return value


def parse_number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"must be a number; got {value!r}")
    return value


def parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false; got {value!r}")
    return value


def parse_string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string; got {value!r}")
    return value


def parse_strings(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise TypeError(f"must be a list of strings; got {value!r}")
    return tuple(items)


#: Annotation → check, for the settings sections (``read``, ``cleaning``, ``tokenize``).
SETTING_PARSERS = {
    "int": parse_int,
    "float": parse_number,
    "float | int": parse_number,
    "bool": parse_bool,
    "str": parse_string,
    "tuple[str, ...]": parse_strings,
}


def unknown_key_message(key: str, known: list[str] | tuple[str, ...]) -> str:
    """"unknown key 'stopword' (did you mean 'stopwords'?)" — shared by every schema check."""
    import difflib  # only for a misspelt key

    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; known keys: {', '.join(sorted(known))}"
    return f"unknown key '{key}'{hint}"


def _build_section(cls: type, raw: Any, config: Config, section: str) -> Any:
    where = config.locate(section)
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: '{section}' must be a mapping of settings")
    names = [f.name for f in fields(cls)]
    values = {}
    for key, value in raw.items():
        key_where = config.locate(section, key)
        if key not in names:
            raise ConfigError(f"{key_where}: {unknown_key_message(key, names)} in '{section}'")
        values[key] = coerce_setting(value, _expected_type(cls, key), key_where, key)
    settings = cls(**values)
    if isinstance(settings, TokenizeSettings):
        validate_tokenize(settings, lambda key: config.locate(section, key))
    if isinstance(settings, CleaningSettings):
        _validate_patterns(settings, config)
        validate_sections(settings.sections, config.locate(section, "sections"))
    if isinstance(settings, ReadOptions) and settings.max_document_mb < 1:
        raise ConfigError(f"{config.locate(section, 'max_document_mb')}: max_document_mb must be an integer ≥ 1; got {settings.max_document_mb}")
    return settings


def validate_tokenize(settings: TokenizeSettings, where: Callable[[str], str]) -> None:
    """Raise ``ConfigError`` for an unknown tokenizer or a negative minimum length;
    ``where(key)`` says where the key is (``"x.yaml line 3"``)."""
    if settings.tokenizer not in TOKENIZERS:
        raise ConfigError(
            f"{where('tokenizer')}: tokenizer must be one of {', '.join(TOKENIZERS)}; got '{settings.tokenizer}'"
        )
    if settings.min_length < 1:
        raise ConfigError(f"{where('min_length')}: min_length must be an integer ≥ 1; got {settings.min_length}")


def validate_sections(sections: tuple[str, ...], where: str) -> None:
    """Each of ``sections`` is a section label or ``all``; ``body`` cannot be left out."""
    for name in sections:
        if name not in (*SECTION_LABELS, "all"):
            raise ConfigError(f"{where}: sections must be 'all' or some of {', '.join(SECTION_LABELS)}; got '{name}'")
    if "all" not in sections and "body" not in sections:
        raise ConfigError(f"{where}: sections must include 'body' (the documents' running text)")


def _validate_patterns(settings: CleaningSettings, config: Config) -> None:
    import re


    for key in ("drop_lines", "cut_from"):
        for pattern in getattr(settings, key):
            if not pattern.strip() or re.fullmatch(r"\^|\$|\^?\.\*\$?", pattern):
                raise ConfigError(
                    f"{config.locate('cleaning', key)}: cleaning.{key} pattern '{pattern}' matches every line; "
                    "give the text of the lines to remove"
                )
            try:
                re.compile(pattern)
            except re.error as error:
                raise ConfigError(
                    f"{config.locate('cleaning', key)}: invalid regular expression "
                    f"'{pattern}' in cleaning.{key}: {error}"
                ) from None
            compile_pattern(pattern, what=f"regular expression in cleaning.{key}", error=ConfigError)


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"tokenize.stem=true"`` → ``(["tokenize", "stem"], True)`` (the value is YAML)."""

    if "=" not in text:
        raise ConfigError(f"`set` expects key=value (e.g. tokenize.stem=true); got '{text}'")
    key, value = text.split("=", 1)
    return key.strip().split("."), parse_yaml(value, f"`set` {key.strip()}")[0] if value.strip() else None


def _apply_override(raw: dict, keys: list[str], value: Any) -> None:
    target = raw
    for key in keys[:-1]:
        if isinstance(target, list) and key.isdigit() and len(key) < 10 and int(key) < len(target):
            target = target[int(key)]
            continue
        if not isinstance(target, dict):
            raise ConfigError(f"`set` {'.'.join(keys)}: '{key}' is not a section")
        target = target.setdefault(key, {})
    if isinstance(target, list) and keys[-1].isdigit() and len(keys[-1]) < 10 and int(keys[-1]) < len(target):
        target[int(keys[-1])] = value
    elif isinstance(target, dict):
        target[keys[-1]] = value
    else:
        raise ConfigError(f"`set` {'.'.join(keys)}: cannot set a value there")


def load_config(path: Path | None, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Read and check a YAML config (safe loader only); ``None`` gives the defaults.

    ``overrides`` are ``key=value`` strings (``tokenize.stem=true``) applied on top.
    Errors name the file, the line and the key: ``default.yaml line 7: unknown key
    'stopword' (did you mean 'stopwords'?) in 'tokenize'``.
    """
    raw: dict[str, Any] = {}
    lines: dict[tuple[str, ...], int] = {}
    if path is not None:
        raw, lines = _read_yaml(path)
    for override in overrides:
        keys, value = parse_override(override)
        _apply_override(raw, keys, value)
    config = Config(source=path, lines=lines)
    known = list(_SECTIONS) + ["cache", "compute"] + list(REPORT_SECTIONS)
    for key in raw:
        if key not in known:
            raise ConfigError(f"{config.locate(key)}: {unknown_key_message(key, known)}")
    sections = {name: _build_section(cls, raw.get(name), config, name) for name, cls in _SECTIONS.items()}
    compute = _compute_section(raw.get("compute"), config)
    cache = raw.get("cache") or {}
    if not isinstance(cache, dict) or set(cache) - {"dir"}:
        raise ConfigError(f"{config.locate('cache')}: 'cache' takes one key, 'dir'")
    extra = {key: raw[key] for key in REPORT_SECTIONS if key in raw}
    return replace(config, cache_dir=cache.get("dir"), compute=compute, extra=extra, **sections)


#: Keys of the ``compute`` section: how analyses use the machine (``core/chunks.py``), and the
#: Dask scheduler to run on (``tcp://host:port`` or a scheduler file; ``ingest/cluster.py``).
#: Neither changes a result, so neither is in ``stream_key``.
COMPUTE_KEYS = ("memory_mb", "scheduler")


def _compute_section(raw: Any, config: Config) -> dict[str, Any]:
    """``compute:`` checked: ``memory_mb`` a whole number of megabytes (at least 256), ``scheduler`` text."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{config.where('compute')}: 'compute' is a section of keys ({', '.join(COMPUTE_KEYS)})")
    for key, value in raw.items():
        if key not in COMPUTE_KEYS:
            raise ConfigError(f"{config.where('compute', key)}: {unknown_key_message(key, list(COMPUTE_KEYS))} in 'compute'")
        if key == "memory_mb" and (isinstance(value, bool) or not isinstance(value, int) or value < 256):
            raise ConfigError(f"{config.where('compute', key)}: compute.memory_mb must be a whole number of megabytes, at least 256; got {value!r}")
        if key == "scheduler" and value is not None and not isinstance(value, str):
            raise ConfigError(f"{config.where('compute', key)}: compute.scheduler must be a Dask scheduler address (tcp://host:8786), a scheduler file or local; got {value!r}")
    return dict(raw)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    raw, lines = read_yaml(path, what="config")
    if raw is None:
        return {}, {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: a config must be a mapping of sections (read, cleaning, tokenize, ...)")
    return raw, lines
