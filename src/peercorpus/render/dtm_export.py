"""A document-term matrix as files other tools read: Matrix Market (scipy.io.mmread, R's
Matrix::readMM) or Parquet triplets, with terms.csv and docvars.csv beside it.

    write_dtm(matrix, corpus, Path("output/dtm"))       # dtm.mtx, terms.csv, docvars.csv
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..durable import atomic_binary
from .export import atomic_stream, atomic_write, csv_lines


def write_dtm(dtm, corpus, folder: Path, *, fmt: str = "mtx", min_count: int = 1) -> dict:
    """Write ``dtm`` (``analysis.dtm.DocumentTermMatrix`` of ``corpus``' documents) into
    ``folder``; terms seen fewer than ``min_count`` times are left out. Returns the files
    written and the number of terms."""
    matrix = dtm.matrix.tocsr()
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    keep = np.flatnonzero(totals >= min_count)
    matrix = matrix[:, keep].tocsr()
    matrix.sort_indices()
    vocab = [dtm.vocab[i] for i in keep]
    doc_freq = np.bincount(matrix.indices, minlength=len(vocab))
    fields = corpus.fields()
    term_rows = [[i + 1, term, int(totals[k]), int(doc_freq[i])] for i, (term, k) in enumerate(zip(vocab, keep))]
    doc_rows = [[i + 1, d.doc_id, *(d.metadata.get(f) for f in fields)] for i, d in enumerate(corpus.documents)]
    atomic_write(folder / "terms.csv", csv_lines(["column", "term", "count", "doc_freq"], term_rows, ","))
    atomic_write(folder / "docvars.csv", csv_lines(["row", "doc", *fields], doc_rows, ","))
    files = ["terms.csv", "docvars.csv"]
    if fmt == "parquet":
        import pandas as pd

        coo = matrix.tocoo()
        triplets = pd.DataFrame({"row": coo.row + 1, "column": coo.col + 1, "doc": [corpus.documents[r].doc_id for r in coo.row], "term": [vocab[c] for c in coo.col], "count": coo.data.astype(np.int64)})
        buffer = io.BytesIO()
        triplets.to_parquet(buffer, index=False)
        atomic_write(folder / "dtm.parquet", buffer.getvalue())
        files.insert(0, "dtm.parquet")
    else:
        atomic_write(folder / "dtm.mtx", matrix_market(matrix))
        files.insert(0, "dtm.mtx")
    return {"files": files, "terms": len(vocab)}


def write_dtm_streamed(corpus, folder: Path, terms: list[str], counts, doc_freq, nnz: int, blocks) -> dict:
    """``write_dtm`` (Matrix Market) from counts made a chunk at a time: ``terms`` (the
    columns, in order) with their ``counts`` and ``doc_freq``, ``nnz`` cells, and ``blocks``,
    the lines of each chunk's documents in order, written as they come. Same bytes."""
    fields = corpus.fields()
    term_rows = [[i + 1, term, int(count), int(df)] for i, (term, count, df) in enumerate(zip(terms, counts.tolist(), doc_freq.tolist()))]
    doc_rows = [[i + 1, corpus.doc_id(i), *(metadata.get(f) for f in fields)] for i, metadata in ((i, corpus.doc_metadata(i)) for i in range(len(corpus)))]
    atomic_write(folder / "terms.csv", csv_lines(["column", "term", "count", "doc_freq"], term_rows, ","))
    atomic_write(folder / "docvars.csv", csv_lines(["row", "doc", *fields], doc_rows, ","))
    with atomic_stream(folder / "dtm.mtx") as write:
        write(f"{MATRIX_MARKET_HEADER}\n{len(corpus)} {len(terms)} {nnz}\n")
        for block in blocks:
            write(block)
    return {"files": ["dtm.mtx", "terms.csv", "docvars.csv"], "terms": len(terms)}


def write_dtm_parquet_streamed(corpus, folder: Path, terms: list[str], counts, doc_freq, nnz: int, cells) -> dict:
    """``write_dtm`` (Parquet) from counts made a chunk at a time: ``cells`` gives each chunk's
    (rows, columns, counts) in order (``MatrixMarketRows`` with ``as_text = False``), written
    as one row group each with pyarrow's ``ParquetWriter``. The same table as ``write_dtm``
    writes whole (columns, types, pandas metadata and rows; the file is cut into row groups),
    terms.csv and docvars.csv the same bytes."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = corpus.fields()
    term_rows = [[i + 1, term, int(count), int(df)] for i, (term, count, df) in enumerate(zip(terms, counts.tolist(), doc_freq.tolist()))]
    doc_rows = [[i + 1, corpus.doc_id(i), *(metadata.get(f) for f in fields)] for i, metadata in ((i, corpus.doc_metadata(i)) for i in range(len(corpus)))]
    atomic_write(folder / "terms.csv", csv_lines(["column", "term", "count", "doc_freq"], term_rows, ","))
    atomic_write(folder / "docvars.csv", csv_lines(["row", "doc", *fields], doc_rows, ","))
    # scipy's index type, which the whole matrix' rows and columns had: int32 while they fit
    index_type = np.int32 if max(len(corpus), len(terms), nnz) < np.iinfo(np.int32).max else np.int64
    doc_ids = corpus.doc_ids

    def frame(rows, columns, values):
        return pd.DataFrame({
            "row": np.asarray(rows, dtype=index_type), "column": np.asarray(columns, dtype=index_type),
            "doc": [doc_ids[r - 1] for r in rows.tolist()], "term": [terms[c - 1] for c in columns.tolist()],
            "count": np.asarray(values, dtype=np.int64),
        })

    target = folder / "dtm.parquet"
    with atomic_binary(target) as handle:
        writer = None
        for rows, columns, values in cells:
            if not len(rows):
                continue
            table = pa.Table.from_pandas(frame(rows, columns, values), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(handle, table.schema)
            writer.write_table(table, row_group_size=len(table))
        if writer is None:  # no cell at all: the empty table, as the whole matrix gives it
            empty = np.zeros(0, dtype=index_type)
            pd.DataFrame({"row": empty, "column": empty, "doc": [], "term": [], "count": np.zeros(0, dtype=np.int64)}).to_parquet(handle, index=False)
        else:
            writer.close()
    return {"files": ["dtm.parquet", "terms.csv", "docvars.csv"], "terms": len(terms)}


MATRIX_MARKET_HEADER = "%%MatrixMarket matrix coordinate integer general\n% peercorpus document-term matrix: rows = docvars.csv, columns = terms.csv"


def matrix_market(matrix) -> str:
    """A sparse integer matrix in Matrix Market coordinate form (1-based, row-major order):
    what ``scipy.io.mmwrite`` writes, without the scipy version in the header (same input,
    same bytes)."""
    coo = matrix.tocoo()
    order = np.lexsort((coo.col, coo.row))
    lines = [
        "%%MatrixMarket matrix coordinate integer general",
        "% peercorpus document-term matrix: rows = docvars.csv, columns = terms.csv",
        f"{matrix.shape[0]} {matrix.shape[1]} {coo.nnz}",
    ]
    lines += [f"{r + 1} {c + 1} {int(v)}" for r, c, v in zip(coo.row[order], coo.col[order], coo.data[order])]
    return "\n".join(lines) + "\n"
