"""A topic model for people: rich tables on the terminal, or Markdown / HTML to stdout.

    print_topics(model, groups)              # terminal
    topics_markup(model, groups, "md")       # a Markdown document (or "html": a fragment)
"""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from .export import frame_to_text
from .table import print_table, printable, stdout_console


def _topic_overview(model):
    table = model.topics[["topic", "label", "prevalence", "coherence", "stability", "terms"]].copy()
    if table["stability"].isna().all():
        table = table.drop(columns=["stability"])
    return table


def print_topics(model, groups=None, *, full_tables: Path | None = None, over=None) -> None:
    """Topics, their extracts, the documents' dominant topics, k scores and group means
    (``full_tables``: the --output folder the long tables are written to, named in the hint)."""
    console = stdout_console()
    method = model.settings.method.upper()
    if getattr(model, "batch_fit", None):
        method = f"MiniBatchNMF in batches: {model.batch_fit['chunks']} chunk(s) × {model.batch_fit['epochs']} epochs"
    how = f"{method}, {len(model.units)} {model.unit}s, {len(model.vocab):,} terms, seed {model.settings.seed}"
    print_table(_topic_overview(model), title=f"{model.k} topics ({how})", console=console)
    for topic, extracts in model.extracts.groupby("topic", sort=True):
        console.print(f"\n[bold]Topic {topic}: {escape(printable(str(model.topics.loc[topic, 'label'])))}[/bold]")
        for row in extracts.itertuples():
            console.print(f"  “{escape(printable(row.sentence))}” — [dim]{escape(printable(row.doc))}[/dim]")
    console.print()
    documents = model.documents[["doc", "topic"]].assign(
        share=model.doc_weights.max(axis=1).round(3) if model.k else 0.0,
    )
    rest = f"all of them in {full_tables / 'document_topics.csv'}" if full_tables else None
    print_table(documents, title="Dominant topic per document", console=console, max_rows=30, rest=rest)
    if model.k_scores is not None:
        console.print()
        print_table(model.k_scores, title="k tried (consensus, stability and coherence; see --help)", console=console)
    if groups is not None:
        console.print()
        print_table(groups, title="Mean topic weights per group", console=console)
    if over is not None:
        console.print()
        print_table(over, title=f"Topic shares per {over.attrs.get('field', 'period')} (mean of the documents)", console=console)


def topics_markup(model, groups, fmt: str, over=None) -> str:
    """The model's tables as one Markdown document or HTML fragment (``fmt`` md or html)."""
    sections = [
        ("Topics", _topic_overview(model)),
        ("Representative extracts", model.extracts),
        ("Representative documents", model.representative_docs),
        ("Documents", model.documents),
    ]
    if model.k_scores is not None:
        sections.append(("k tried", model.k_scores))
    if groups is not None:
        sections.append(("Mean topic weights per group", groups))
    if over is not None:
        sections.append((f"Topic shares per {over.attrs.get('field', 'period')}", over))
    parts = [frame_to_text(frame, fmt, title=title) for title, frame in sections]
    heading = f"# {model.k} topics\n\n" if fmt == "md" else f"<h1>{model.k} topics</h1>\n"
    if getattr(model, "batch_fit", None):
        fitted = f"Fitted in batches: {_batch_phrase(model.batch_fit)}."
        heading += f"{fitted}\n\n" if fmt == "md" else f"<p>{fitted}</p>\n"
    return heading + "\n".join(parts)


def _batch_phrase(info: dict) -> str:
    """How a ``--batch`` model was fitted, in words."""
    return (
        f"MiniBatchNMF over {info['chunks']} chunk(s) of documents × {info['epochs']} epochs, "
        f"started from NMF on {info['sample_units']:,} sampled units"
        + ("; k chosen on that sample" if info.get("k_chosen_on_sample") else "")
    )
