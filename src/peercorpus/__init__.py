"""peercorpus: corpus analysis for researchers — read, tokenise, count, model, report.

The Python API mirrors the commands (see docs/python-api.md)::

    import peercorpus as pc
    corpus = pc.load_corpus("corpora/")
    pc.kwic(corpus, "hope")                   # concordance lines (a DataFrame)
    pc.frequency(corpus, top=20)              # word list
    pc.keyness(corpus, target=["genre=blog"]) # keywords against the other documents
    pc.topics(corpus, k=5).topics             # a topic model's tables
    pc.code(corpus, "codebook.yaml").themes   # dictionary coding

The analysis verbs live in ``peercorpus.api`` and load on first use, so ``import peercorpus``
(and every command's start-up) stays free of pandas and scikit-learn.
"""

from __future__ import annotations

from .config import Config, load_config
from .core.corpus import Corpus, Document
from .core.tokens import Tokens
from .errors import PeerCorpusError
from .ingest.load import load_corpus
from .version import __version__

#: The analysis verbs of ``peercorpus.api``, imported when first used.
VERBS = ("code", "collocates", "collocations", "dispersion", "frequency", "keyness", "kwic", "stats", "topics")


def __getattr__(name: str):
    if name in VERBS:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'peercorpus' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *VERBS])


__all__ = ["Config", "Corpus", "Document", "PeerCorpusError", "Tokens", "load_config", "load_corpus", "__version__", *VERBS]
