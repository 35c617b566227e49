"""``peercorpus topics``: a thin layer over ``analysis.topics`` and its renderers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..render.export import (
    write_json,
    write_table,
    write_text,
)
from ..render.topic_folder import write_topic_folder
from ..validate import parse_range
from .common import (
    CacheDirOption,
    ConfigOption,
    NoCacheOption,
    Paths,
    SetOption,
    StopwordsOption,
    WhereOption,
    handle_errors,
    note,
    progress_bar,
    start_command,
    warn,
)
from .qdpx_options import CaseOption, QdpxOption, check_case, check_qdpx_options, write_project

app = typer.Typer(add_completion=False)  # the root app decides (no shell-completion options)

TOPIC_FORMATS = ("table", "json", "csv", "md", "html")


@app.command()
@handle_errors
def topics(
    paths: Paths,
    k: Annotated[str, typer.Option("--k", "-k", help="Number of topics, or 'auto' to choose it from the data.")] = "auto",
    k_range: Annotated[str, typer.Option("--k-range", help="Range of k tried by --k auto.")] = "2-12",
    method: Annotated[str, typer.Option("--method", help="nmf (TF-IDF + NMF) or lda (counts + LDA).")] = "nmf",
    unit: Annotated[str, typer.Option("--unit", help="What a sample is: auto, document, paragraph or chunk (auto: paragraphs when there are fewer than 50 documents).")] = "auto",
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Tokens per chunk with --unit chunk.")] = 200,
    min_df: Annotated[float, typer.Option("--min-df", help="Drop terms in fewer units (a count, or a proportion below 1).")] = 2,
    max_df: Annotated[float, typer.Option("--max-df", help="Drop terms in more units (a proportion, or a count above 1).")] = 0.95,
    max_features: Annotated[int | None, typer.Option("--max-features", help="Keep only the most frequent terms.")] = None,
    idf_power: Annotated[float, typer.Option("--idf-power", help="Raise TF-IDF's idf to this power: 1 is scikit-learn's formula; the default 1.5 weighs distinctive terms more.")] = 1.5,
    ngram: Annotated[str, typer.Option("--ngram", help="N-gram sizes: 1, or 1-2 for words and bigrams.")] = "1",
    seed: Annotated[int, typer.Option("--seed", help="Random seed (NNDSVD's randomised SVD, resampling).")] = 0,
    runs: Annotated[int, typer.Option("--runs", help="Refit on N-1 resamples and report how stable each topic is.")] = 1,
    samples: Annotated[int, typer.Option("--samples", help="Resamples per k tried by --k auto.")] = 8,
    batch: Annotated[bool, typer.Option("--batch", help="Fit in batches (MiniBatchNMF over chunks of documents, started from NMF on a sample of at most 4000 units; --k auto chooses k on that sample): memory bounded by --memory-mb, not by the corpus.")] = False,
    terms: Annotated[int, typer.Option("--terms", help="Top terms shown per topic.")] = 10,
    top_docs: Annotated[int, typer.Option("--top-docs", help="Representative documents per topic.")] = 5,
    extracts: Annotated[int, typer.Option("--extracts", help="Representative sentences per topic.")] = 3,
    by: Annotated[str | None, typer.Option("--by", help="Mean topic weights per value of this metadata field.")] = None,
    over: Annotated[str | None, typer.Option("--over", help="Topic shares per period of this date or number field (e.g. year), with a plot.")] = None,
    labels: Annotated[Path | None, typer.Option("--labels", help="CSV of your topic labels (see --write-labels).")] = None,
    write_labels: Annotated[Path | None, typer.Option("--write-labels", help="Write a label sheet (topic, label, terms, extract) to fill in.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="table, json, csv (topics), md or html, to stdout.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Folder for topics.csv, document_topics.csv, topics.json and plots; or, with --format, one file of that format (-f json -o topics.json).")] = None,
    svg: Annotated[bool, typer.Option("--svg", help="Also write the plots as SVG.")] = False,
    qdpx: QdpxOption = None,
    qdpx_unit: Annotated[str, typer.Option("--qdpx-unit", help="What a --qdpx selection covers: sentence or paragraph (--unit is the model's).")] = "sentence",
    qdpx_threshold: Annotated[float, typer.Option("--qdpx-threshold", help="--qdpx codes a sentence or paragraph with its dominant topic when that topic has at least this share of it.")] = 0.5,
    case: CaseOption = None,
    where: WhereOption = None,
    stopwords: StopwordsOption = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Topic model of a corpus (TF-IDF + NMF), with the extracts that show what each topic means.

    Prints each topic's top terms, prevalence, NPMI coherence (and stability with --runs or
    --k auto), its most representative sentences, and the dominant topic of every document.
    The same corpus, settings and --seed give identical results.

    Example: [bold]peercorpus topics corpora/ --k 6 --by genre --output results/topics[/bold]

    Example: [bold]peercorpus topics bbc/ --k auto --k-range 2-10 --format json > topics.json[/bold]

    Example: [bold]peercorpus topics letters/ --k 8 --over year --output results/topics[/bold]

    --qdpx writes a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder: one code per
    topic (its label; top terms in the description), every sentence (or --qdpx-unit
    paragraph) of 8+ words whose dominant topic has at least --qdpx-threshold of it coded.

    Example: [bold]peercorpus topics corpora/ --k 6 --labels labels.csv --qdpx topics.qdpx[/bold]
    """
    from ..analysis.topics.model import TopicsParams, group_weights, topics_over
    from ..analysis.topics.model import topics as fit_topics

    params = TopicsParams(  # every option checked before the corpus is read (--qdpx is a path here, checked below)
        k=_parse_k(k),
        k_range=parse_range("--k-range", k_range),
        method=method,
        unit=unit,
        chunk_size=chunk_size,
        min_df=min_df,
        max_df=max_df,
        max_features=max_features,
        idf_power=idf_power,
        ngram=parse_range("--ngram", ngram if "-" in ngram else f"{ngram}-{ngram}"),
        seed=seed,
        runs=runs,
        samples=samples,
        batch=batch,
        terms=terms,
        top_docs=top_docs,
        extracts=extracts,
        by=by,
        qdpx_unit=qdpx_unit,
        qdpx_threshold=qdpx_threshold,
        case=case,
        where=tuple(where or ()),
    ).checked()
    settings = params.settings()
    if qdpx is not None:
        check_qdpx_options(qdpx, qdpx_unit, units=("sentence", "paragraph"), option="--qdpx-unit")
    if write_labels is not None and write_labels.exists():
        raise UsageError(
            f"--write-labels {write_labels} exists (it may hold your labels); pass it with --labels, "
            "or write the new sheet to another file"
        )
    # --output is a folder, so it is checked like an extra output and --format is for stdout;
    # unless --format is given and --output has its suffix (-f json -o topics.json): then that
    # file gets what --format writes.
    single = output if output is not None and fmt and _FILE_SUFFIXES.get(output.suffix.lower()) == fmt and not output.is_dir() else None
    fmt, config_settings, corpus = start_command(
        paths, fmt=fmt, output=single, config=config, set_=set_, cache_dir=cache_dir, no_cache=no_cache, where=where,
        outputs={"--output": output, "--write-labels": write_labels, "--qdpx": qdpx}, inputs=[("--labels", labels)],
        folders=() if single else ("--output",), formats=TOPIC_FORMATS, stopwords=stopwords,
    )
    if single is not None:
        output = None
    if by is not None:
        corpus.require_field(by)
    if over is not None:
        corpus.require_field(over, param="over")
    if qdpx is not None:
        check_case(corpus, case)
    with progress_bar("fitting topics") as progress:
        model = fit_topics(corpus, settings=settings, tokenize=config_settings.tokenize, progress=progress)
    for message in model.notes:
        note(message)
    if labels is not None:
        from ..analysis.topics.labels import match_labels, read_labels, with_labels

        names, label_notes = match_labels(model, read_labels(labels))
        model = with_labels(model, names)
        for message in label_notes:
            warn(message)
    groups = group_weights(model, corpus, by) if by else None
    shares = topics_over(model, corpus, over) if over else None
    if shares is not None and shares.attrs["skipped"]:
        warn(f"--over {over}: {shares.attrs['skipped']} document(s) without a date or number left out of the shares")
    _emit(model, groups, fmt, folder=output, to=single, over=shares)
    if single is not None:
        note(f"topics written to {single}")
    if write_labels is not None:
        from ..analysis.topics.labels import label_sheet

        write_table(label_sheet(model), fmt="csv", output=write_labels)
        note(f"label sheet written to {write_labels}: fill in 'label', then pass it with --labels")
    if output is not None:
        written = write_topic_folder(model, output, groups=groups, over=shares, by=by, svg=svg)
        note(f"wrote {len(written)} files to {output}/: {', '.join(written)}")
    if qdpx is not None:
        from ..qda.passages import TOPIC_MIN_WORDS, topic_passages

        codes, passages = topic_passages(corpus, model, config_settings.tokenize, unit=qdpx_unit, threshold=qdpx_threshold)
        write_project(
            qdpx, corpus, codes, passages, name=f"peercorpus topics (k={model.k})", case_field=case,
            description=(
                f"Topic model by peercorpus ({model.settings.method}, k={model.k}, seed {model.settings.seed}): each {qdpx_unit} "
                f"of {TOPIC_MIN_WORDS}+ words coded with its dominant topic when that topic has at least {qdpx_threshold:g} of it."
            ),
        )


def _parse_k(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--k must be a whole number ≥ 2 or 'auto'; got '{text}'") from None


_FILE_SUFFIXES = {".json": "json", ".csv": "csv", ".md": "md", ".html": "html", ".htm": "html"}


def _emit(model, groups, fmt: str, *, folder: Path | None = None, to: Path | None = None, over=None) -> None:
    """The model to stdout (or the file ``to``) in ``fmt`` (``folder``: where the full tables
    are being written)."""
    from ..analysis.topics.report import topics_payload
    from ..render.topic_text import print_topics, topics_markup

    if fmt == "json":
        write_json(topics_payload(model, groups=groups, over=over), to)
    elif fmt == "csv":
        write_table(model.topics.drop(columns=["weights"]), fmt="csv", output=to)
    elif fmt in ("md", "html"):
        write_text(topics_markup(model, groups, fmt, over=over), to)
    else:
        print_topics(model, groups, full_tables=folder, over=over)
