"""REFI-QDA (QDA-XML 1.0) exchange: projects (``.qdpx``) and codebooks (``.qdc``) that NVivo,
ATLAS.ti, MAXQDA and QualCoder open.

- ``project.py``: the ``.qdpx`` writer (sources, codes, selections, variables, cases);
- ``passages.py``: coded passages from codebook extracts, kwic hits and topics;
- ``codebook_xml.py``: ``.qdc`` codebooks to and from peercorpus codebooks;
- ``reader.py``: reading a ``.qdpx`` back and checking every selection's text;
- ``xml.py``: safe text, deterministic GUIDs, the bundled schemas (``data/refi-qda/``).
"""
