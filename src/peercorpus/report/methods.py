"""The methods section of a report, written from what actually ran, and its ingestion quality table.

    paragraphs = methods_paragraphs(spec, corpus, sections)   # text a researcher adapts for a paper
    quality = quality_table(corpus)                             # documents with warnings or cleaning

Nothing here is boilerplate that could disagree with the run: every number and setting is read
from the checked config, the corpus and the sections.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

from ..analysis.info import cleaning_summary, corpus_totals, counted
from ..config import CleaningSettings, TokenizeSettings
from ..core.corpus import Corpus
from ..version import __version__

#: Distributions whose versions a methods section cites (and the manifest records).
SOFTWARE = ("nltk", "scikit-learn", "numpy", "scipy", "pandas", "matplotlib")

_TOKENIZERS = {
    "default": "a regular-expression tokenizer that keeps hyphenated words, contractions and acronyms whole",
    "treebank": "NLTK's Treebank word tokenizer",
    "nltk-word": "NLTK's word_tokenize",
    "whitespace": "splitting at white space",
}


def software_versions() -> dict[str, str]:
    """``{"python": "3.11.2", "peercorpus": "0.1.0", "nltk": "3.9.1", ...}`` (installed versions)."""
    versions = {"python": platform.python_version(), "peercorpus": __version__}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def methods_paragraphs(spec, corpus: Corpus, sections) -> list[str]:
    """Paragraphs: corpus, cleaning, tokenisation, one per analysis that ran, software."""
    totals = corpus_totals(corpus)
    collections = sorted({d.collection for d in corpus.documents if d.collection})
    grouped = f" in {len(collections)} collections ({', '.join(collections)})" if 1 < len(collections) <= 12 else ""
    corpus_text = (
        f"The corpus comprised {totals['documents']:,} documents{grouped} with {totals['tokens']:,} word tokens "
        f"({totals['types']:,} types) in {totals['sentences']:,} sentences"
        + (f"; {totals['files_skipped']} unreadable or unsupported files were skipped" if totals["files_skipped"] else "")
        + "."
    )
    paragraphs = [corpus_text, _cleaning_text(spec.config.cleaning, corpus), _tokenize_text(spec.config.tokenize)]
    for section in sections:
        if section.error:
            paragraphs.append(f"{section.analysis.title}: this analysis failed ({section.error}).")
        elif section.method:
            paragraphs.append(section.method)
    versions = software_versions()
    paragraphs.append(
        f"Analyses were run with peercorpus {versions['peercorpus']} (Python {versions['python']}; "
        + ", ".join(f"{name} {versions[name]}" for name in SOFTWARE)
        + f"), with seed {spec.seed} wherever randomness enters."
    )
    return paragraphs


def _cleaning_text(cleaning: CleaningSettings, corpus: Corpus) -> str:
    return " ".join(part for part in (_reading_text(cleaning, corpus), _rules_text(cleaning, corpus)) if part)


def _reading_text(cleaning: CleaningSettings, corpus: Corpus) -> str:
    """What peercorpus did on its own: PDF layout, and the sections it left out."""
    if not cleaning.auto:
        return "The texts were analysed as extracted from their files (cleaning.auto: false)."
    left_out: dict[str, list[int]] = {}
    for document in corpus.documents:
        for record in document.cleaning.get("sections", []):
            if record["excluded"]:
                left_out.setdefault(record["label"], []).append(record["chars"])
    text = "Words hyphenated at line ends were joined unless the document writes them with a hyphen."
    if any(document.encoding == "pdf" for document in corpus.documents):
        text = (
            "PDF text was read with PDFium (pypdfium2) and rebuilt into paragraphs from the page layout, "
            "without running headers, footers and page numbers. " + text
        )
    kept = ", ".join(cleaning.kept_sections)
    if not left_out:
        return text + f" No reference list, declarations or boilerplate was found outside the sections analysed ({kept})."
    found = "; ".join(f"{label}: {counted(len(sizes), 'section')}, {counted(sum(sizes), 'character')}" for label, sizes in sorted(left_out.items()))
    return text + f" Sections that are not the authors' running text were detected and left out ({found}); the analyses used: {kept}."


def _rules_text(cleaning: CleaningSettings, corpus: Corpus) -> str:
    """The hand-written cleaning rules of the config, and what they removed."""
    if not cleaning.active:
        return "" if cleaning.auto else "No cleaning rules were applied."
    steps = []
    if cleaning.cut_from:
        steps.append(f"each document was cut from the first line matching one of {len(cleaning.cut_from)} patterns onward (reference lists, declarations and similar back matter)")
    if cleaning.drop_lines:
        steps.append(f"lines matching {len(cleaning.drop_lines)} patterns were removed")
    if cleaning.join_hyphenated:
        steps.append("words hyphenated across line breaks were joined")
    lines = sum(d.cleaning.get("lines_dropped", 0) for d in corpus.documents)
    chars = sum(d.cleaning.get("chars_cut", 0) for d in corpus.documents)
    joined = sum(d.cleaning.get("hyphens_joined", 0) for d in corpus.documents)
    cleaned = sum(1 for d in corpus.documents if cleaning_summary(d.cleaning))
    removed = [f"{lines:,} lines dropped" if lines else "", f"{chars:,} characters cut" if chars else "", f"{joined:,} hyphenated breaks joined" if joined else ""]
    removed = [part for part in removed if part]
    outcome = f"In all, {', '.join(removed)} in {cleaned} of {len(corpus)} documents (see the quality table)." if removed else "Nothing matched them."
    return "Before analysis, " + "; ".join(steps) + ". " + outcome


def _tokenize_text(settings: TokenizeSettings) -> str:
    stopwords = {
        None: "stop words were kept except where an analysis removes English stop words by default (topics)",
        "none": "no stop words were removed",
        "english": "English stop words (NLTK's list) were removed",
        "nltk": "English stop words (NLTK's stopwords corpus) were removed",
    }.get(settings.stopwords, f"the stop words listed in {settings.stopwords} were removed")
    parts = [
        f"Texts were normalised to Unicode NFC, split into paragraphs at blank lines, into sentences with NLTK's "
        f"Punkt sentence tokenizer and into words with {_TOKENIZERS[settings.tokenizer]}",
        "words were lower-cased" if settings.lowercase else "case was kept",
        stopwords,
    ]
    if settings.extra_stopwords:
        parts.append(f"further removed words: {', '.join(settings.extra_stopwords)}")
    if settings.stem:
        parts.append("words were reduced to their Snowball stems")
    if settings.lemmatize:
        parts.append("words were lemmatised with WordNet")
    if settings.min_length > 1:
        parts.append(f"words shorter than {settings.min_length} characters were dropped")
    if settings.drop_numbers:
        parts.append("numbers were dropped")
    compounds = len(settings.compounds) + (1 if settings.compounds_file else 0)
    if compounds:
        parts.append("listed multi-word expressions were counted as single terms")
    return "; ".join(parts) + "."


def quality_table(corpus: Corpus):
    """Documents that ``info`` flags or that cleaning changed: ``doc``, ``tokens``, ``encoding``,
    ``cleaned`` and ``warnings`` (empty when every document was read cleanly)."""
    import pandas as pd

    rows: list[dict[str, Any]] = [
        {
            "doc": d.doc_id,
            "tokens": d.n_words,
            "encoding": d.encoding,
            "cleaned": cleaning_summary(d.cleaning),
            "warnings": "; ".join(d.warnings),
        }
        for d in corpus.documents
        if d.warnings or cleaning_summary(d.cleaning)
    ]
    rows += [{"doc": s.path, "tokens": 0, "encoding": "", "cleaned": "", "warnings": f"skipped: {s.reason}"} for s in corpus.skipped]
    return pd.DataFrame(rows, columns=["doc", "tokens", "encoding", "cleaned", "warnings"])
