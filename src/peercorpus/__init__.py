"""peercorpus: corpus analysis for researchers — read, tokenise, count, model, report.

The public API mirrors the commands::

    import peercorpus
    corpus = peercorpus.load_corpus("corpora/")
    corpus.documents[0].doc_id
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config
from .core.corpus import Corpus, Document
from .core.tokens import Tokens
from .errors import PeerCorpusError
from .ingest.load import load_corpus

__all__ = ["Config", "Corpus", "Document", "PeerCorpusError", "Tokens", "load_config", "load_corpus", "__version__"]
