"""What a topic is about, in the corpus' own words: its most representative documents and sentences.

    representative_documents(doc_ids, doc_weights, n=5)     # topic, rank, doc, weight
    representative_sentences(corpus, features, topic_term, vocab, transformer, settings=...)

A sentence represents topic t when it is both strongly about t and mostly about t: its
TF-IDF vector (same vocabulary and idf as the model) is projected on every topic, and
sentences are ranked by ``projection_t × share_t`` (share = projection_t / all projections).
Sentences of 8–80 words only (headings and run-on reference lists say little), complete prose
sentences only (``prose.is_prose_sentence``: no code, tables, formulae, reference entries or
line fragments; a heading run into a sentence is cut off, ``without_headings``), and at most
one per document until every document has had its turn.
"""

from __future__ import annotations

import re

import numpy as np

from ...core.corpus import Corpus
from ...core.dtm import document_term_matrix
from ...core.prose import is_prose_sentence

MIN_SENTENCE_WORDS = 8
MAX_SENTENCE_WORDS = 80
MAX_EXTRACT_CHARS = 400
_SPACE = re.compile(r"\s+")
#: A heading line: a capitalised run of one to five words without closing punctuation.
_HEADING = re.compile(r"[^\W\d_][\w()/&'-]*(?: [\w()/&'-]+){0,4}")


def representative_documents(doc_ids: list[str], doc_weights: np.ndarray, n: int):
    """The ``n`` documents giving each topic its largest share (weight > 0 only)."""
    import pandas as pd

    rows = []
    for topic in range(doc_weights.shape[1]):
        weights = doc_weights[:, topic]
        order = np.lexsort((np.arange(len(weights)), -np.round(weights, 12)))
        for rank, doc in enumerate(order[:n], start=1):
            if weights[doc] <= 0:
                break
            rows.append({"topic": topic, "rank": rank, "doc": doc_ids[doc], "weight": round(float(weights[doc]), 6)})
    return pd.DataFrame(rows, columns=["topic", "rank", "doc", "weight"])


def representative_sentences(corpus: Corpus, features, topic_term: np.ndarray, vocab: list[str], transformer, *, settings):
    """The ``settings.extracts`` most representative sentences of every topic, with their
    document; ``features`` are the model's (``topics.topic_features``), counted per sentence."""
    import pandas as pd


    columns = ["topic", "rank", "doc", "sentence", "weight"]
    tokens = corpus.tokens
    n_sentences = len(tokens.sentence_spans)
    if settings.extracts == 0 or n_sentences == 0:
        return pd.DataFrame([], columns=columns)
    counts = document_term_matrix(features, tokens.sentence.astype(np.int64), n_sentences, ngram=settings.ngram)
    counts = _reindex(counts, vocab)
    projection = np.asarray(transformer.transform(counts) @ topic_term.T)
    words = np.bincount(tokens.sentence[tokens.is_word[tokens.ids]], minlength=n_sentences)
    share, score = sentence_scores(projection, words)

    def text_of(sentence: int) -> str | None:
        return prose_sentence(corpus, sentence)

    rows = []
    for topic in range(topic_term.shape[0]):
        picked = _pick(score[:, topic], tokens.sentence_doc, settings.extracts, text_of)
        for rank, (sentence, text) in enumerate(picked, start=1):
            rows.append(
                {
                    "topic": topic,
                    "rank": rank,
                    "doc": corpus.documents[int(tokens.sentence_doc[sentence])].doc_id,
                    "sentence": text,
                    "weight": round(float(share[sentence, topic]), 6),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def sentence_scores(projection: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence (row) and topic (column): its share of the sentence's projections, and its
    score ``projection × share`` (0 for a sentence of fewer than 8 or more than 80 words)."""
    total = projection.sum(axis=1, keepdims=True)
    share = np.divide(projection, total, out=np.zeros_like(projection), where=total > 0)
    eligible = (words >= MIN_SENTENCE_WORDS) & (words <= MAX_SENTENCE_WORDS)
    return share, np.where(eligible[:, None], projection * share, 0.0)


def prose_sentence(corpus: Corpus, sentence: int) -> str | None:
    """Sentence ``sentence``'s text as an extract shows it, or None when it is not a complete
    prose sentence."""
    tokens = corpus.tokens
    doc = int(tokens.sentence_doc[sentence])
    start, end = (int(x) for x in tokens.sentence_spans[sentence])
    text = corpus.text(doc)
    raw = without_headings(text[start:end], at_line_start=start == 0 or text[start - 1] == "\n")
    return _sentence_text(raw) if raw is not None and is_prose_sentence(raw) else None


def extracts_from_candidates(corpus: Corpus, candidates: list, n: int):
    """``representative_sentences``' table from each topic's best candidates, found a chunk at a
    time (``topics --batch``): per topic ``(sentences, scores, shares)``, sentences ascending.
    The same choice as over every sentence whenever the candidates hold the sentences that
    choice reaches (the best ones; ``batch.CANDIDATES`` per topic are kept)."""
    import pandas as pd

    columns = ["topic", "rank", "doc", "sentence", "weight"]
    sentence_doc = corpus.tokens.sentence_doc
    rows = []
    for topic, (sentences, scores, shares) in enumerate(candidates):
        docs = np.asarray(sentence_doc[sentences]) if len(sentences) else np.zeros(0, dtype=np.int64)
        picked = _pick(scores, docs, n, lambda i, sentences=sentences: prose_sentence(corpus, int(sentences[i])))
        for rank, (index, text) in enumerate(picked, start=1):
            rows.append(
                {
                    "topic": topic, "rank": rank, "doc": corpus.documents[int(docs[index])].doc_id,
                    "sentence": text, "weight": round(float(shares[index]), 6),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _reindex(counts, vocab: list[str]):
    """The columns of ``counts`` reordered (and filled with zeros) to the model's ``vocab``."""
    from scipy import sparse

    position = {term: i for i, term in enumerate(counts.vocab)}
    source = np.array([position.get(term, -1) for term in vocab], dtype=np.int64)
    present = np.flatnonzero(source >= 0)
    picked = counts.matrix[:, source[present]].tocoo()
    return sparse.csr_matrix((picked.data, (picked.row, present[picked.col])), shape=(counts.shape[0], len(vocab)))


def _pick(score: np.ndarray, sentence_doc: np.ndarray, n: int, text_of) -> list[tuple[int, str]]:
    """Best-scoring sentences with their text: no repeated text (news corpora quote the same
    line twice), at most one per document in a first pass, then the rest."""
    order = np.lexsort((np.arange(len(score)), -np.round(score, 12)))
    order = order[score[order] > 0]
    chosen: list[tuple[int, str]] = []
    seen_texts: set[str] = set()
    for one_per_document in (True, False):
        seen_docs = {int(sentence_doc[s]) for s, _ in chosen}
        for sentence in order.tolist():
            if len(chosen) == n:
                return chosen
            doc = int(sentence_doc[sentence])
            if one_per_document and doc in seen_docs:
                continue
            text = text_of(sentence)
            if text is None or text in seen_texts:
                continue
            chosen.append((sentence, text))
            seen_texts.add(text)
            seen_docs.add(doc)
    return chosen


def without_headings(sentence: str, *, at_line_start: bool = True) -> str | None:
    r"""The sentence without the heading lines a sentence splitter ran into it (plain text and
    man pages put a heading on its own line with no full stop), or None when a heading sits
    inside it, after a line that ends a sentence: two pieces of text glued, not a sentence.

    >>> without_headings("RETURN VALUE\nThe function returns the number of characters.")
    'The function returns the number of characters.'
    >>> without_headings("Names are listed below:\nParameters\nThis implementation supports them.") is None
    True
    """
    lines = sentence.split("\n")
    if at_line_start:
        while len(lines) > 1 and _is_heading(lines[0]) and lines[1].lstrip()[:1].isupper():
            lines.pop(0)
    for i in range(1, len(lines) - 1):
        if lines[i - 1].rstrip().endswith((".", ":", "!", "?")) and _is_heading(lines[i]) and lines[i + 1].lstrip()[:1].isupper():
            return None
    return "\n".join(lines)


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and stripped[0].isupper() and _HEADING.fullmatch(stripped) is not None


def _sentence_text(sentence: str) -> str:
    """The sentence as written, whitespace collapsed, cut at ``MAX_EXTRACT_CHARS``."""
    text = _SPACE.sub(" ", sentence).strip()
    return text if len(text) <= MAX_EXTRACT_CHARS else text[: MAX_EXTRACT_CHARS - 1].rstrip() + "…"
