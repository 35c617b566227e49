"""Find the parts of a document that are not its author's running text, in every format.

A document is cut into labelled sections, found from headings and from what the lines look
like, never from a list a user has to write:

- ``references``: a reference list or bibliography (a "References" heading, or a run of lines
  at the end that read as references: years, initials, "et al.", volumes and pages, DOIs);
- ``declarations``: conflicts of interest, funding, acknowledgements, data availability,
  author contributions and declarations, ethics statements, disclaimers, copyright and licence
  notices, author bios, supporting information, contact boxes;
- ``boilerplate``: what a web page or a platform adds: a paywall or subscription notice and
  everything after it, cookie notices, and a page's trailer (comments, "Share this",
  "Published by", previous/next article) — from its first line to the end; and a short line
  that repeats across many documents of the corpus (a site's menu, "Google Scholar" links:
  ``repeated_line_keys``, given to ``find_sections`` as ``repeated``).

Everything else is ``body``. Analyses see the sections a config keeps (``cleaning.sections``,
by default only the body)::

    found = find_sections("Intro text.\\n\\nReferences\\n1. Smith J. A study. 2020;1:2-3.")
    [(s.label, s.heading) for s in found]       # [('references', 'References')]
    text, kept = split_sections(text, found, keep=("body",))
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

SECTION_LABELS = ("body", "references", "declarations", "boilerplate")

_NUMBERING = re.compile(r"^(?:[-•*]\s*)?(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+")


def _words(*phrases: str) -> re.Pattern:
    return re.compile(r"^(?:" + "|".join(phrases) + r")$", re.IGNORECASE)


_REFERENCES = _words(
    r"references(?: cited)?", r"reference list", r"bibliography", r"works cited", r"literature(?: cited)?",
    r"cited literature", r"notes and references", r"references and notes", r"sources", r"citations",
)
_DECLARATIONS = _words(
    r"conflicts? of interests?(?: statement| disclosures?)?", r"competing interests?(?: statement)?",
    r"declarations?(?: of (?:competing )?interests?)?", r"author declarations?", r"disclosures?",
    r"funding(?: statement| information| sources| details)?", r"sources? of funding", r"financial (?:support|disclosures?)",
    r"acknowledge?ments?", r"data (?:availability|sharing|access)(?: statement)?",
    r"availability of data(?: and materials?)?", r"author(?:s'|s’)? contributions?", r"contributors(?:hip)?",
    r"ethics(?: approval| statement| declarations?| and consent)?", r"ethical (?:approval|considerations)",
    r"consent(?: for publication| to participate)?", r"disclaimer", r"copyright(?: notice)?", r"licen[cs]e",
    r"permissions?", r"about (?:the )?authors?", r"author (?:information|details|biograph(?:y|ies)|notes)",
    r"biograph(?:y|ies)", r"notes on contributors", r"supporting information", r"associated data",
    r"supplementary (?:materials?|information|data|files?)", r"correspondence", r"corresponding authors?",
    r"for (?:more|further) information", r"further information", r"contact(?: us| details| information)?", r"orcid(?: ids?)?",
    r"how to cite(?: this article)?", r"citation", r"publisher'?s note", r"article information",
)
_BODY = _words(
    r"abstract", r"summary", r"introduction", r"background", r"methods?", r"methodology",
    r"materials and methods", r"results?", r"findings", r"discussion", r"conclusions?",
    r"limitations(?: and strengths)?", r"(?:chapter|part|section|appendix|annex) \w+.*", r"appendix",
)
_TRAILER = _words(
    r"comments?(?: \(\d+\))?", r"\d+ comments?", r"leave a (?:comment|reply)", r"share this(?: article| post)?:?",
    r"like this:?", r"related(?: posts| articles| stories)?", r"published by", r"posted by", r"written by",
    r"previous (?:article|post)", r"next (?:article|post)", r"tags:?", r"categories:?", r"filed under:?",
    r"you (?:may|might) also like", r"more from .{1,40}", r"read (?:more|next)", r"recommended(?: for you)?",
    r"subscribe(?: to .{1,40})?", r"sign up(?: for .{1,40})?", r"donate", r"advertisement",
)
#: A paywall: the author's text stops here, what follows is the platform's.
_PAYWALL = re.compile(
    r"to read the full (?:article|story|text)|subscribe (?:now )?to (?:continue|read|access)"
    r"|already an? (?:subscriber|member|supporter)|(?:log|sign) in to (?:read|continue|access)"
    r"|this (?:article|content|story) is (?:only )?(?:available|for|reserved for) (?:to )?(?:subscribers|members|supporters)",
    re.IGNORECASE,
)
#: A notice of the site's in one line or paragraph: cookies, calls for contributions.
_NOTICE = re.compile(
    r"we use cookies|this (?:web)?site uses cookies|accept (?:all )?cookies|cookie (?:policy|settings|preferences)"
    r"|(?:please )?submit (?:a|your) (?:blog|post|article|story|piece)|(?:write|contribute) for us",
    re.IGNORECASE,
)
# A paywall or notice phrase in a line is one in the text, so a text without one needs no search
# per line. re's case-insensitive search has no fast scan (it was most of the time spent here):
# the same lower-case patterns on ``text.lower()`` find a phrase wherever it does, except where
# re.IGNORECASE takes İ, ı or ſ for an ASCII letter and str.lower() does not. Before the pattern,
# words every phrase of it holds one of (str's own search is fast).
_PAYWALL_LOWER = (
    re.compile(_PAYWALL.pattern),
    ("to read the full ", "subscribe ", "already a", " in to ", "this article is ", "this content is ", "this story is "),
)
_NOTICE_LOWER = (re.compile(_NOTICE.pattern), ("cookie", "submit ", "write for us", "contribute for us"))
assert _PAYWALL.pattern == _PAYWALL.pattern.lower() and _NOTICE.pattern == _NOTICE.pattern.lower()


def _may_hold(text: str, lowered: str, pattern: re.Pattern, words: tuple[str, ...]) -> bool:
    """False when no line of ``text`` (``lowered``: ``text.lower()``) can hold a phrase of
    ``pattern`` (matched case-insensitively)."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        return True
    for word in words:  # a loop: a generator's frames cost more than the searches
        if word in lowered:
            return pattern.search(lowered) is not None
    return False


#: A line with no running text: only an e-mail address, a web address, a file or image name.
_JUNK_LINE = re.compile(
    r"^\s*(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,6}|(?:[Hh][Tt][Tt][Pp][Ss]?://|www\.)\S+"
    r"|(?=\S*[a-f])(?=\S*\d)[\w-]*[a-f0-9]{24,}[\w-]*(?:\.\w{2,4})?|\S+\.(?:jpe?g|png|gif|svg|webp|JPE?G|PNG|GIF))\s*$"
)
#: A page trailer or paywall ends the author's text only near the end of a document: the
#: part it would leave out is at most this many characters or this share of the document
#: (a manual's own "Comments" or "Related" section is no trailer). A trailer that can only be
#: a web page's ("Comments (12)", "Leave a reply", "Share this:") may run longer.
_TRAILER_MAX = (3000, 0.0)
_PAYWALL_MAX = (5000, 0.6)
_WEB_TRAILER = re.compile(r"(?i)^(?:comments? \(\d+\)|\d+ comments?|leave a (?:comment|reply)|share this)")
#: A reference list is mostly lines that read as references; one that is not (a manual's
#: "References" chapter of functions) is body.
_MIN_REFERENCE_SHARE = 0.3
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}[a-z]?\b")
_REFERENCE_SIGNS = re.compile(
    r"\bet al\b|\bdoi\b|10\.\d{4,}/|\[(?:Google Scholar|PubMed|CrossRef|DOI)\]|\b\d+\s*\(\d+\)\s*[:,]"
    r"|\b\d+\s*:\s*\d+|\bpp?\.\s*\d|\b[Vv]ol\.|[A-Z][\w'’-]+,\s*(?:[A-Z]\.\s?){1,3}|\b[A-Z][\w'’-]+ [A-Z]{1,3}[,.]",
)
_DOI = re.compile(r"\bdoi\s*:|10\.\d{4,}/\S")
# The same searches, faster (the reference check of each document's last line was a tenth of a
# worker's CPU): re scans fast for a pattern's first character or literal, not past a leading
# \b, so "\bX" is written "X(?<!\w.)" (the character before X is no word character: the same
# test, made after X), and each part runs only where a string it needs is in the line.
# tests/ingest/test_ingest_speed.py checks they agree with the patterns above.
_YEAR_FAST = re.compile(r"1(?<!\w.)[89]\d{2}[a-z]?\b|2(?<!\w.)0\d{2}[a-z]?\b")
_REFERENCE_SIGN_PARTS = (
    ("et al", re.compile(r"\bet al\b")),
    ("doi", re.compile(r"\bdoi\b")),
    ("10.", re.compile(r"10\.\d{4,}/")),
    ("[", re.compile(r"\[(?:Google Scholar|PubMed|CrossRef|DOI)\]")),
    ("(", re.compile(r"\d(?<!\w.)\d*\s*\(\d+\)\s*[:,]")),
    (":", re.compile(r"\d(?<!\w.)\d*\s*:\s*\d+")),
    ("p.", re.compile(r"p(?<!\w.)p?\.\s*\d")),
    ("ol.", re.compile(r"[Vv](?<!\w.)ol\.")),
    (",", re.compile(r"[A-Z][\w'’-]+,\s*(?:[A-Z]\.\s?){1,3}")),
    (" ", re.compile(r"[A-Z](?<!\w.)[\w'’-]+ [A-Z]{1,3}[,.]")),
)


def _has_doi(line: str) -> bool:
    """``_DOI.search(line)``, as a bool."""
    return ("doi" in line or "10." in line) and _DOI.search(line) is not None


def _has_reference_sign(line: str) -> bool:
    """``_REFERENCE_SIGNS.search(line)``, as a bool."""
    return any(need in line and part.search(line) is not None for need, part in _REFERENCE_SIGN_PARTS)


#: An author-year entry: "Fox J (2002).", "Zeileis A, Hothorn T (2002)."
_AUTHOR_YEAR = re.compile(r"^\W{0,3}[A-Z][^()\n]{0,150}\((?:1[89]|20)\d{2}[a-z]?\)[.,:]")
#: A declarations section that takes more than this share of a long document is a misread
#: heading: 30% when body text follows it, 60% when it runs to the end (back matter).
_MAX_DECLARATIONS_SHARE = 0.3
_MAX_BACK_MATTER_SHARE = 0.6
_MIN_CHARS_FOR_SHARE_CHECK = 5000
_MIN_REFERENCE_RUN = 5


@dataclass(frozen=True)
class Section:
    """A part of a document that is not body text: ``text[start:end]``."""

    label: str
    start: int
    end: int
    heading: str


def find_sections(text: str, repeated: frozenset[int] = frozenset()) -> list[Section]:
    """The non-body sections of ``text``, in order and not overlapping; a body line whose
    ``line_key`` is in ``repeated`` is a one-line boilerplate section."""
    lines = _lines(text)
    found: list[Section] = []
    label, start, heading = "body", 0, ""

    def close(end: int) -> None:
        if label != "body" and end > start:
            found.append(Section(label, start, end, heading))

    single_lines: list[Section] = []
    repeated_lines: list[Section] = []
    standalone = _standalone_line_keys(text) if repeated else {}
    lowered = text.lower()
    paywall, notice = _may_hold(text, lowered, *_PAYWALL_LOWER), _may_hold(text, lowered, *_NOTICE_LOWER)
    for line_start, line in lines:
        if label == "boilerplate":
            break  # boilerplate runs to the end
        kind = _heading_kind(line, numbered_ends=label == "declarations" or (label == "references" and not is_reference_line(line)))
        if kind == "boilerplate":
            web = _WEB_TRAILER.match(_NUMBERING.sub("", line.strip()))
            if not _near_end(line_start, text, _PAYWALL_MAX if web else _TRAILER_MAX):
                kind = None
        if kind is None and paywall and _PAYWALL.search(line) and _near_end(line_start, text, _PAYWALL_MAX):
            kind = "boilerplate"
        if kind is None and label == "body" and (_JUNK_LINE.match(line) or (notice and len(line) < 400 and _NOTICE.search(line))):
            single_lines.append(Section("boilerplate", line_start, line_start + len(line), line.strip()[:80]))
            continue
        if kind is None and label == "body" and standalone.get(line_start) in repeated:
            repeated_lines.append(Section("boilerplate", line_start, line_start + len(line), line.strip()[:80]))
            continue
        if kind is None or kind == label:
            continue
        if kind == "body" and label == "body":
            continue
        close(line_start)
        label, start, heading = kind, line_start, line.strip()[:80]
    close(len(text))
    found = [s for s in found if not _misread(s, text, found)]
    if sum(s.end - s.start for s in repeated_lines) <= _MAX_REPEATED_SHARE * len(text):
        single_lines += repeated_lines  # else the document itself repeats others (a copy, a template)
    found += [line for line in single_lines if not any(s.start <= line.start < s.end for s in found)]
    if not any(s.label == "references" for s in found):
        trailing = _trailing_references(text, lines, found)
        if trailing is not None:
            found.append(trailing)
    return sorted(found, key=lambda s: s.start)


#: A line repeated across the corpus is boilerplate when it is short and in at least
#: ``REPEATED_MIN_DOCUMENTS`` documents and ``REPEATED_MIN_SHARE`` of them.
REPEATED_MAX_CHARS = 120
REPEATED_MIN_DOCUMENTS = 3
REPEATED_MIN_SHARE = 0.05
#: ... and when they are less than this share of the document (site furniture is a minority of
#: a page; a document that is mostly lines found elsewhere is a copy, and keeps them).
_MAX_REPEATED_SHARE = 0.5


_LETTER = re.compile(r"[^\W\d_]")
_LONG_LINE = 2 * REPEATED_MAX_CHARS
_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> int | None:
    """A 64-bit key of a short line, the same for lines that differ only in case, spacing or
    digits ("Page 3 of 12" = "page 4 of 12"); None for a line that is long, starts in lower
    case, has fewer than two words with a letter, or is a heading every paper has ("Methods",
    "3 Results"): repetition does not make those boilerplate.

    >>> line_key("Share this:  ") == line_key("Share THIS:")
    True
    >>> line_key("Methods") is None, line_key("The") is None, line_key("and the team") is None
    (True, True, True)
    """
    # a long line's start shows it is long: its words are where the whole line's words start
    if len(line) > _LONG_LINE and len(" ".join(line[:_LONG_LINE].split())) > REPEATED_MAX_CHARS:
        return None
    stripped = " ".join(line.split())
    if len(stripped) > REPEATED_MAX_CHARS or stripped[:1].islower():
        return None  # long, or the rest of a sentence broken across lines
    words = sum(1 for word in stripped.split() if _LETTER.search(word))
    if words < 2 or (stripped.isupper() and words <= 4):
        return None  # one word ("Menu", but also "The" of a broken line), or a heading ("SEE ALSO")
    if _heading_kind(stripped, numbered_ends=True) == "body":
        return None
    normal = _DIGITS.sub("#", stripped.casefold())
    return int.from_bytes(hashlib.blake2b(normal.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _standalone_line_keys(text: str) -> dict[int, int]:
    """Line start → ``line_key`` for the lines that stand alone: not running on into the next
    line (which starts in lower case on the very next line) and not ending in , ; or -."""
    lines = _lines(text)
    keys = {}
    for i, (start, line) in enumerate(lines):
        key = line_key(line)
        if key is None or line.rstrip().endswith((",", ";", "-")):
            continue
        end = start + len(line)
        following = lines[i + 1] if i + 1 < len(lines) else None
        if following is not None and "\n\n" not in text[end : following[0]] and following[1].lstrip()[:1].islower():
            continue
        keys[start] = key
    return keys


def document_line_keys(text: str) -> np.ndarray:
    """The distinct keys of a document's standalone short lines (int64), for
    ``repeated_line_keys``."""
    return np.array(sorted(set(_standalone_line_keys(text).values())), dtype=np.int64)


def finds_repeated_lines(config) -> bool:
    """Whether lines repeated across documents are looked for (``config``: a ``Config``): reading
    as written, with boilerplate left out."""
    return config.cleaning.auto and "boilerplate" not in config.cleaning.kept_sections


def repeated_line_keys(per_document: Iterable[np.ndarray], n_documents: int) -> frozenset[int]:
    """The line keys found in at least ``REPEATED_MIN_DOCUMENTS`` documents and at least
    ``REPEATED_MIN_SHARE`` of the ``n_documents``.

    >>> sorted(repeated_line_keys([np.array([1, 2]), np.array([1]), np.array([1, 3])], 3))
    [1]
    """
    arrays = [keys for keys in per_document if len(keys)]
    if not arrays or n_documents < REPEATED_MIN_DOCUMENTS:
        return frozenset()
    keys, counts = np.unique(np.concatenate(arrays), return_counts=True)
    threshold = max(REPEATED_MIN_DOCUMENTS, math.ceil(REPEATED_MIN_SHARE * n_documents))
    return frozenset(keys[counts >= threshold].tolist())


def _near_end(position: int, text: str, limit: tuple[int, float]) -> bool:
    """Whether what follows ``position`` is short enough to be a trailer (see ``_TRAILER_MAX``)."""
    rest = len(text) - position
    return rest <= limit[0] or rest <= limit[1] * len(text)


def _lines(text: str) -> list[tuple[int, str]]:
    out, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((position, line))
        position += len(line) + 1
    return out


def _heading_kind(line: str, *, numbered_ends: bool = False) -> str | None:
    """``references``, ``declarations``, ``boilerplate`` or ``body`` for a heading line, else
    None. A numbered short line ("3 Results of the survey") is a body heading only when
    ``numbered_ends`` (after declarations; in a reference list it is an entry)."""
    stripped = line.strip()
    if len(stripped) > 80:
        return None
    unnumbered = _NUMBERING.sub("", stripped).strip()
    numbered = unnumbered != stripped
    bare = unnumbered.rstrip(":.").strip()
    if not bare[:1].isupper():
        return None  # headings start with a capital ("for more information." is a sentence's end)
    if _REFERENCES.match(bare):
        return "references"
    if _DECLARATIONS.match(bare):
        return "declarations"
    if _TRAILER.match(bare) and not unnumbered.endswith(".") and not (bare.isupper() and len(bare.split()) == 1):
        return "boilerplate"  # not a sentence ("Subscribe to new mailbox.") nor a constant (COMMENT)
    if _BODY.match(bare) or (numbered_ends and numbered and not unnumbered.endswith(".") and _looks_like_heading(bare)):
        return "body"
    return None


def _looks_like_heading(bare: str) -> bool:
    """A numbered heading's words ("3 Results of the survey"): short, no sentence punctuation."""
    return 0 < len(bare.split()) <= 8 and bare[:1].isupper() and not re.search(r"[.;,]\s", bare)


def _misread(section: Section, text: str, found: list[Section]) -> bool:
    """A section we should not believe: a reference list whose lines do not read as references
    (a manual's "References" chapter), or a declarations section swallowing a large share of a
    long document, with no end we could see (a heading like "Acknowledgements" at the start of
    a thesis): both stay body."""
    if section.label == "references":
        lines = [line for _, line in _lines(text[section.start : section.end])[1:]]
        if len(lines) < 3:
            return False
        return sum(1 for line in lines if is_reference_line(line)) < _MIN_REFERENCE_SHARE * len(lines)
    if section.label != "declarations" or len(text) < _MIN_CHARS_FOR_SHARE_CHECK:
        return False
    back_matter = section.end == len(text) or any(other.start == section.end for other in found)
    limit = _MAX_BACK_MATTER_SHARE if back_matter else _MAX_DECLARATIONS_SHARE
    return (section.end - section.start) > limit * len(text)


def is_reference_line(line: str) -> bool:
    """A line that reads as a bibliography entry: a year and another sign of a reference.

    >>> is_reference_line("7. Murphy R, Higgins A. The complex terrain. J Psychiatr Ment Health Nurs. 2018;25:441-448.")
    True
    >>> is_reference_line("Peer workers joined the team in 2018 and stayed.")
    False
    """
    if _has_doi(line) or _AUTHOR_YEAR.match(line):
        return True
    return _YEAR_FAST.search(line) is not None and _has_reference_sign(line)


def _trailing_references(text: str, lines: list[tuple[int, str]], found: list[Section]) -> Section | None:
    """A reference list without a heading: a run of reference lines that ends the body."""
    body_end = min((s.start for s in found), default=len(text))
    body_lines = [(start, line) for start, line in lines if start < body_end]
    run_start = None
    count = 0
    for start, line in reversed(body_lines):
        if not is_reference_line(line):
            break
        run_start, count = start, count + 1
    if run_start is None or count < _MIN_REFERENCE_RUN:
        return None
    return Section("references", run_start, body_end, "(reference list without a heading)")


def split_sections(text: str, sections: list[Section], *, keep: tuple[str, ...]) -> tuple[str, list[dict]]:
    """The text with the sections not in ``keep`` left out (a paragraph break where each was), and
    one record per section found: ``{"label", "heading", "chars", "excluded"}``."""
    parts, position = [], 0
    records = []
    for section in sections:
        excluded = section.label not in keep
        records.append(
            {"label": section.label, "heading": section.heading, "chars": section.end - section.start, "excluded": excluded}
        )
        if excluded:
            parts.append(text[position : section.start].rstrip("\n"))
            position = section.end
    parts.append(text[position:])
    if len(parts) == 1:
        return text, records
    # The same paragraph breaks as the document: blank lines, or single line ends when it has
    # no blank line (tokenize.paragraph_spans reads paragraphs the same way).
    separator = "\n\n" if re.search(r"\n[ \t]*\n", text) else "\n"
    return separator.join(part.strip("\n") for part in parts if part.strip()), records


def describe_sections(records: list[dict]) -> str:
    """``"references (from 'REFERENCES', 9,312 chars); declarations ×3 (1,020 chars)"`` for ``info``."""
    totals: dict[str, list[int]] = {}
    first_heading: dict[str, str] = {}
    for record in records:
        if record["excluded"]:
            totals.setdefault(record["label"], []).append(record["chars"])
            first_heading.setdefault(record["label"], record["heading"])
    parts = []
    for label, sizes in totals.items():
        times = f" ×{len(sizes)}" if len(sizes) > 1 else ""
        parts.append(f"{label}{times} (from '{first_heading[label][:40]}', {sum(sizes):,} chars)")
    return "; ".join(parts)
