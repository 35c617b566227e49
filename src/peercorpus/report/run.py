"""Run a report config end to end and publish its folder atomically.

    spec = read_report(Path("configs/peer-support.yaml"))
    output = Path("reports/peer-support")
    check_replaceable(output, force=False)              # before any work
    resources = read_resources(spec)                     # codebooks, label sheets
    corpus = load_corpus(spec.corpus, spec.config)
    check_against_corpus(spec, corpus)
    report = write_report(spec, corpus, output, resources=resources)
    report.failed                                        # sections whose analysis failed

The folder is built under a temporary name beside ``output`` and renamed into place only when
complete; the previous report is removed only after that, so a crash never leaves a half report
or loses the last good one. A folder that peercorpus did not write is never replaced without
``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..analysis.codebook import load_codebook, parse_codebook
from ..analysis.topics.labels import read_labels
from ..core.corpus import Corpus
from ..errors import ConfigError, PeerCorpusError, UsageError
from ..render.export import default_mode, dumps_json, frame_records, frame_to_text
from ..render.report_html import report_html
from ..render.report_md import report_markdown
from .methods import methods_paragraphs, quality_table, software_versions
from .runners import Context, run_analysis
from .sections import ReportTable, Section
from .spec import ReportSpec

GENERATOR = "peercorpus report"
MANIFEST = "manifest.json"


@dataclass
class Report:
    """Everything a report shows: sections in config order, the methods text, the quality table."""

    spec: ReportSpec
    corpus: Corpus
    sections: list[Section]
    methods: list[str]
    quality: Any  # pandas.DataFrame

    @property
    def failed(self) -> list[Section]:
        return [section for section in self.sections if section.error]


@dataclass
class Resources:
    """Files named in the config, read before the corpus is: codebooks and topic label sheets."""

    codebooks: dict[str, Any]
    labels: dict[str, Any]


def read_resources(spec: ReportSpec) -> Resources:
    """Read every codebook and label sheet the analyses name (``ConfigError`` with the line)."""
    codebooks: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for analysis in spec.analyses:
        params = analysis.params
        try:
            if analysis.name == "codebook":
                if params.codebook is not None:
                    codebooks[analysis.id] = load_codebook(spec.base / params.codebook)
                else:
                    # the inline themes are checked as the codebook {themes: ...}, with their lines in the config
                    prefix = ("analyses", str(analysis.position))
                    lines = {key[len(prefix):]: line for key, line in spec.config.lines.items() if key[: len(prefix) + 1] == (*prefix, "themes")}
                    source = spec.config.source.name if spec.config.source else "config"
                    codebooks[analysis.id] = parse_codebook({"themes": params.themes}, source=source, lines=lines)
            elif analysis.name == "topics" and params.labels:
                labels[analysis.id] = read_labels(spec.base / params.labels)
        except PeerCorpusError as error:
            if analysis.name == "codebook" and params.themes is not None:
                raise  # already names the config's line
            key = "codebook" if analysis.name == "codebook" else "labels"
            raise ConfigError(f"{spec.locate(analysis, key)}: analysis '{analysis.id}': {error}") from None
    return Resources(codebooks, labels)


def resource_paths(spec: ReportSpec) -> list[Path]:
    """The codebook and label-sheet files the analyses name (``read_resources`` reads them)."""
    names = [a.params.codebook for a in spec.analyses if a.name == "codebook"]
    names += [a.params.labels for a in spec.analyses if a.name == "topics"]
    return [spec.base / name for name in names if name]


def is_report_folder(folder: Path) -> bool:
    """True when ``folder`` holds a manifest written by ``peercorpus report``."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == GENERATOR


def check_replaceable(output: Path, *, force: bool, keep: tuple[Path, ...] = (), option: str = "--output") -> None:
    """A ``UsageError`` unless ``output`` is absent, empty, a previous report, or ``force`` is set.

    Replacing ``output`` deletes what is in it, so a folder holding any of ``keep`` (the
    corpus, the config file, codebooks, label sheets) is refused even with ``force``:
    ``-o . --force`` must not cost the user their project. ``option`` names where ``output``
    came from in the message (``--output``, or the config's ``output`` key).
    """
    if output.exists() and not output.is_dir():
        raise UsageError(f"{option} {output} is a file; give a folder for the report")
    target = output.resolve()
    for path in keep:
        resolved = Path(path).resolve()
        if resolved == target or target in resolved.parents:
            raise UsageError(f"{option} {output} holds {path}, which replacing it would delete; write the report elsewhere")
    if force or not output.exists() or is_report_folder(output) or not any(output.iterdir()):
        return
    raise UsageError(
        f"{option} {output} exists and was not written by peercorpus report; choose another folder, "
        "or pass --force to replace it"
    )


def write_report(spec: ReportSpec, corpus: Corpus, output: Path, *, resources: Resources, progress=None, reraise: bool = False) -> Report:
    """Run every analysis and publish the report folder at ``output`` (see the module docstring)."""
    started = time.perf_counter()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.partial-", dir=output.parent))
    try:
        _use_default_permissions(staging)
        (staging / "plots").mkdir()
        context = Context(corpus, spec, staging, codebooks=resources.codebooks, labels=resources.labels)
        sections = []
        for done, analysis in enumerate(spec.analyses):
            if progress:
                progress(done, len(spec.analyses), f"{analysis.id}")
            sections.append(run_analysis(analysis, context, reraise=reraise))
        if progress:
            progress(len(spec.analyses), len(spec.analyses), "writing the report")
        report = Report(spec, corpus, sections, methods_paragraphs(spec, corpus, sections), quality_table(corpus))
        _write_files(report, staging, seconds=time.perf_counter() - started)
        _publish(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _write_files(report: Report, folder: Path, *, seconds: float) -> None:
    tables_folder = folder / "tables"
    tables_folder.mkdir()
    files: dict[str, list[str]] = {}
    for section, table in _all_tables(report):
        stem = table.stem(section.analysis.id) if section else "quality"
        (tables_folder / f"{stem}.csv").write_text(frame_to_text(table.frame, "csv"), encoding="utf-8")
        (tables_folder / f"{stem}.json").write_text(dumps_json(frame_records(table.frame)), encoding="utf-8")
        if section:
            files.setdefault(section.analysis.id, []).extend([f"tables/{stem}.csv", f"tables/{stem}.json"])
    for section in report.sections:
        files.setdefault(section.analysis.id, []).extend(str(plot.path) for plot in section.plots)
    (folder / "report.html").write_text(report_html(report, folder), encoding="utf-8")
    (folder / "report.md").write_text(report_markdown(report), encoding="utf-8")
    manifest = _manifest(report, folder, files, seconds)
    (folder / MANIFEST).write_text(dumps_json(manifest), encoding="utf-8")


def _all_tables(report: Report):
    """(section, table) for every table, then (None, quality table)."""
    for section in report.sections:
        for table in section.tables:
            yield section, table
    yield None, ReportTable("quality", "Ingestion quality", report.quality)


def _manifest(report: Report, folder: Path, files: dict[str, list[str]], seconds: float) -> dict[str, Any]:
    """What ran, on what, with which software; ``timings`` is the only field that changes
    between two runs of the same config on the same corpus."""
    spec, corpus = report.spec, report.corpus
    config_path = spec.config.source
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    resolved = _resolved_config(spec)
    versions = software_versions()
    return {
        "generator": GENERATOR,
        "peercorpus_version": versions["peercorpus"],
        "title": spec.title,
        "config": {
            "file": config_path.name if config_path else None,
            "sha256": _sha256(config_path.read_bytes()) if config_path else None,
            "resolved_sha256": _sha256(json.dumps(resolved, sort_keys=True, ensure_ascii=False).encode()),
            "resolved": resolved,
        },
        "corpus": {
            "paths": spec.corpus_as_written,
            "documents": len(corpus),
            "tokens": int(sum(d.n_words for d in corpus.documents)),
            "files_skipped": len(corpus.skipped),
            "fingerprint": corpus_fingerprint(corpus),
        },
        "seed": spec.seed,
        "seeds": {s.analysis.id: s.parameters["seed"] for s in report.sections if s.parameters.get("seed") is not None},
        "software": versions,
        "analyses": [
            {
                "id": s.analysis.id,
                "name": s.analysis.name,
                "title": s.analysis.title,
                "status": s.status,
                "error": s.error,
                "parameters": s.parameters,
                "files": files.get(s.analysis.id, []),
            }
            for s in report.sections
        ],
        "files": {name: _sha256((folder / name).read_bytes()) for name in written},
        "timings": {
            "total_seconds": round(seconds, 3),
            "analyses": {s.analysis.id: round(s.seconds, 3) for s in report.sections},
        },
    }


def _resolved_config(spec: ReportSpec) -> dict[str, Any]:
    """The config as it ran (after --set overrides), in plain JSON values."""
    return {
        "title": spec.title,
        "corpus": spec.corpus_as_written,
        "seed": spec.seed,
        "read": asdict(spec.config.read),
        "cleaning": asdict(spec.config.cleaning),
        "tokenize": asdict(spec.config.tokenize),
        "analyses": [
            {"name": a.name, "id": a.id, "title": a.title, **json.loads(json.dumps(asdict(a.params), default=list))}
            for a in spec.analyses
        ],
    }


def corpus_fingerprint(corpus: Corpus) -> str:
    """SHA-256 over every document's id and analysed text (after cleaning), in corpus order."""
    digest = hashlib.sha256()
    for number, document in enumerate(corpus.documents):
        digest.update(document.doc_id.encode("utf-8") + b"\0")
        digest.update(corpus.text(number).encode("utf-8") + b"\0")
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _use_default_permissions(folder: Path) -> None:
    """``mkdtemp`` makes a private folder; a report folder gets what ``mkdir`` would give it."""

    folder.chmod(default_mode(0o777))


def _publish(staging: Path, output: Path) -> None:
    """Move the finished folder into place; the previous report is removed only afterwards."""
    previous = None
    if output.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{output.name}.previous-", dir=output.parent))
        os.replace(output, previous / output.name)
    os.replace(staging, output)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
