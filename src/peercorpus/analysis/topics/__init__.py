"""TF-IDF + NMF topic models, one step a module::

    model.py      TopicSettings, the pipeline (prepare → fit → tables) and its result
    tfidf.py      TF-IDF weighting (scikit-learn's formula, in numpy)
    nmf.py        NNDSVD start + coordinate-descent NMF (scikit-learn's, in numpy)
    fit.py        NMF/LDA fits and resampled fits
    quality.py    NPMI coherence, topic alignment, NMI and adjusted Rand of partitions
    selection.py  choosing k (--k auto) from resampling consensus
    extracts.py   representative documents and prose sentences
    labels.py     short labels from top terms
    report.py     the JSON contract of a topic model
"""
