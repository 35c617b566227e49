"""The objects every analysis works on::

    corpus.py   Corpus (documents, metadata, text(i), where) and Document
    tokens.py   Tokens: int32 token ids, offsets, sentences, vocabulary views, inverted index
    lemmas.py   stems and lemmas of the vocabulary
    query.py    the query language (words, phrases, wildcards, regex, stem/lemma) → matches
    units.py    documents, paragraphs or chunks as units of counting
    dtm.py      sparse unit × term counts
    prose.py    prose sentences told from code, tables, formulae and reference entries
"""
