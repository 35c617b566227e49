"""PDF text as its author wrote it: PDFium's text layer, rebuilt into paragraphs from the layout.

Each page's text comes from PDFium (``pypdfium2``) line by line with the line's position,
font size and whether its font is monospaced. From that the reader

- drops running headers and footers (a line, digits aside, at the top or bottom of several
  pages), page numbers and line numbers printed in the margin;
- joins the lines of a paragraph and starts a new paragraph where the page shows one (a
  larger gap, a first-line indent, a short last line, a change of font size, a list item);
  monospaced lines (code listings, console output) stay lines of one block;
- joins words hyphenated at a line end (``manip-`` / ``ulation`` → ``manipulation``) unless
  the document writes the word with its hyphen elsewhere (``non-commercial``);
- compatibility-normalises ligatures and other presentation forms (``ﬁle`` → ``file``) and
  recombines TeX's spacing accents with their letter (``M¨oller`` → ``Möller``).

``layout=False`` keeps the text as extracted (each PDF line a line, pages separated by a
blank line, nothing removed)::

    read = read_pdf(Path("paper.pdf"))
    read.text.split("\\n\\n")[0]     # the first paragraph
    read.removed                    # 'running headers/footers: 12 lines; page numbers: 8; ...'
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnreadableFile
from .formats import Read
from .hyphenation import resolve, word_counts

#: PDFium marks a hyphen it found at a line end (and removes that line break) with U+FFFE.
_PDFIUM_HYPHEN = "\ufffe"
_FIXED_PITCH = 1  # PDF font descriptor flag
_MONO_FONT_NAME = re.compile(r"mono|courier|typewriter|consol|cmtt|menlo|inconsolata", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"(?i)^(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?$")
_LINE_NUMBER = re.compile(r"^\d{1,4}$")
_LIST_ITEM = re.compile(r"^(?:[•◦▪‣∙·*–—-]\s|\(?[0-9]{1,2}[.)]\s|\(?[a-z][.)]\s|\[\d{1,3}\]\s)")
_SENTENCE_END = tuple('.!?:;"”’)')
#: Presentation forms (ligatures ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ, Hebrew and Arabic forms) become their letters.
_PRESENTATION_FORMS = re.compile("[\ufb00-\ufdff\ufe70-\ufefe]+")
#: TeX sets an accent as its own spacing character before (over) the letter: "M¨oller".
_SPACING_ACCENTS = {
    "\u00a8": "\u0308", "\u00b4": "\u0301", "\u02c6": "\u0302", "\u02dc": "\u0303",
    "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306", "\u02d9": "\u0307",
    "\u02da": "\u030a", "\u02dd": "\u030b", "\u00af": "\u0304",
}
_ACCENT_BEFORE_LETTER = re.compile("([" + "".join(_SPACING_ACCENTS) + "]) ?([^\\W\\d_])")
_MIN_PAGES_FOR_RUNNING_LINES = 3


@dataclass
class Line:
    """One line of a page as PDFium laid it out (PDF points, y grows upwards)."""

    text: str
    page: int
    x0: float
    x1: float
    y: float  # baseline of the first character
    y_end: float  # baseline of the last (lower when PDFium joined a hyphenated line)
    size: float
    mono: bool
    height: float = 0.0  # the page's height
    left: float = 0.0  # the left edge of the line's column on its page
    right: float = 0.0  # the right edge of that column


def read_pdf(path: Path, *, layout: bool = True) -> Read:
    """The text of a PDF, rebuilt into paragraphs (see the module docstring).

    A password-protected, damaged or image-only PDF raises ``UnreadableFile`` with a
    one-line reason; pages without text are named in a warning.
    """
    import pypdfium2 as pdfium

    _check_streams(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise UnreadableFile(_open_error(str(error))) from None
    try:
        pages = [_page_lines(document, index) for index in range(len(document))]
        scanned = sum(1 for index, lines in enumerate(pages) if not lines and _has_images(document, index))
        title = (document.get_metadata_dict(skip_empty=True) or {}).get("Title", "")
    except pdfium.PdfiumError as error:
        raise UnreadableFile(f"damaged PDF ({str(error)[:80]})") from None
    finally:
        document.close()
    if not any(pages):
        raise UnreadableFile("PDF has no text layer (scanned pages?): OCR it first, e.g. with ocrmypdf")
    # A page with neither text nor images is blank on purpose; one with images only is scanned.
    warnings = [f"{scanned} of {len(pages)} PDF pages are images with no text layer (scanned?): OCR them for their text"] if scanned else []
    metadata = {"title": title.strip()} if title.strip() else {}
    if not layout:
        page_texts = ["\n".join(line.text for line in lines) for lines in pages if lines]
        warnings += running_line_warnings(page_texts)
        return Read(_normalise_characters("\n\n".join(page_texts)), "pdf", metadata, warnings, "")
    removed: Counter[str] = Counter()
    pages = _drop_page_furniture(pages, removed)
    lines = [line for page in pages for line in page]
    text = _paragraphs(lines, removed)
    text = _normalise_characters(text)
    return Read(text, "pdf", metadata, warnings, _describe(removed))


def running_line_warnings(pages: list[str]) -> list[str]:
    """Lines (digits aside) that open or close at least half of three or more pages: a
    running header or footer, which splits phrases across page breaks.

    >>> running_line_warnings([f"Journal 2023;12\\nText {n}\\nPage {n} of 3" for n in (1, 2, 3)])[1]
    "running header/footer on 3 of 3 pages: 'Page 1 of 3' (cleaning.drop_lines can remove it)"
    """
    pages = [page for page in pages if page.strip()]
    if len(pages) < _MIN_PAGES_FOR_RUNNING_LINES:
        return []
    seen: dict[str, list] = {}  # digits as "#" → [first line as written, pages it opens or closes]
    for page in pages:
        lines = [line.strip() for line in page.split("\n") if line.strip()]
        for line in dict.fromkeys((lines[0], lines[-1])):  # a one-line page counts once
            entry = seen.setdefault(re.sub(r"\d+", "#", line), [line, 0])
            entry[1] += 1
    return [
        f"running header/footer on {count} of {len(pages)} pages: '{line[:80]}' (cleaning.drop_lines can remove it)"
        for line, count in seen.values()
        if count * 2 >= len(pages)
    ]


#: PDFium inflates a stream whole when it reads it: a small file whose streams inflate past these
#: sizes (a decompression bomb) is refused before PDFium sees it.
MAX_STREAM_BYTES = 256 * 1024 * 1024
MAX_INFLATED_BYTES = 2 * 1024 * 1024 * 1024
_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")


def _check_streams(path: Path) -> None:
    """Raise ``UnreadableFile`` when a Flate stream of the PDF inflates past
    ``MAX_STREAM_BYTES`` or all of them past ``MAX_INFLATED_BYTES``; inflated in chunks, so the
    check itself never holds more than a megabyte."""
    import mmap
    import zlib

    try:
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            total = 0
            for match in _STREAM.finditer(data):
                inflater = zlib.decompressobj()
                position, size = match.end(), 0
                while position < len(data) and not inflater.eof:
                    chunk = data[position : position + 65536]
                    position += len(chunk)
                    try:
                        size += len(inflater.decompress(chunk, 1 << 20))
                        while inflater.unconsumed_tail and size <= MAX_STREAM_BYTES:
                            size += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
                    except zlib.error:
                        break  # not deflate data after all: PDFium will say what it makes of it
                    if size > MAX_STREAM_BYTES or total + size > MAX_INFLATED_BYTES:
                        raise UnreadableFile(
                            f"PDF stream inflates to more than {min(MAX_STREAM_BYTES, MAX_INFLATED_BYTES - total) >> 20} MB "
                            "(a decompression bomb?); skipped"
                        )
                total += size
    except (OSError, ValueError):
        return  # unreadable or empty: PDFium gives the reason


def _has_images(document, index: int) -> bool:
    import pypdfium2.raw as raw

    page = document[index]
    try:
        return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
    finally:
        page.close()


def _open_error(message: str) -> str:
    if "password" in message.lower():
        return "password-protected PDF: open it with its password and save an unprotected copy"
    if "format" in message.lower():
        return "not a PDF, or a damaged one (PDFium cannot parse it)"
    return f"damaged PDF ({message[:80]})"


def _page_lines(document, index: int) -> list[Line]:
    """The non-empty lines of one page with their geometry, in PDFium's reading order."""
    import pypdfium2.raw as raw

    page = document[index]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        lines = []
        position = 0
        for piece in re.split(r"(\r\n|\n|\r)", text):
            if piece in ("\r\n", "\n", "\r") or not piece.strip():
                position += len(piece)
                continue
            first = position + len(piece) - len(piece.lstrip())
            last = position + len(piece.rstrip()) - 1
            position += len(piece)
            first_char = raw.FPDFText_GetCharIndexFromTextIndex(textpage, first)
            last_char = raw.FPDFText_GetCharIndexFromTextIndex(textpage, last)
            if first_char < 0 or last_char < 0:
                continue
            x0, _, _, _ = textpage.get_charbox(first_char)
            _, _, x1, _ = textpage.get_charbox(last_char)
            if any(ch in _SPACING_ACCENTS for ch in piece):
                piece = _place_accents(textpage, piece, position - len(piece))
            size = raw.FPDFText_GetFontSize(textpage, first_char)
            mono = _is_monospaced(textpage, first_char) and _is_monospaced(textpage, last_char)
            y, y_end = _baseline(textpage, first_char), _baseline(textpage, last_char)
            lines.append(Line(piece.strip(), index, x0, max(x1, x0), y, y_end, round(size, 1), mono))
        _mark_columns(lines, page.get_width())
        for line in lines:
            line.height = page.get_height()
        return lines
    finally:
        textpage.close()
        page.close()


def _place_accents(textpage, line: str, offset: int) -> str:
    """``line`` with each spacing accent (TeX's ``¨`` drawn over a letter, which PDFium may list
    after the word: ``Moller ¨``) put after the letter it is drawn over, as a combining mark."""
    import pypdfium2.raw as raw

    def centre_and_box(k: int):
        index = raw.FPDFText_GetCharIndexFromTextIndex(textpage, offset + k)
        if index < 0:
            return None
        left, _, right, _ = textpage.get_charbox(index)
        return left, right

    marks: dict[int, str] = {}  # letter position → combining marks
    dropped: set[int] = set()
    for k, ch in enumerate(line):
        if ch not in _SPACING_ACCENTS:
            continue
        accent = centre_and_box(k)
        if accent is None:
            continue
        middle = (accent[0] + accent[1]) / 2
        best, best_distance = None, None
        for j, other in enumerate(line):
            if not other.isalpha() or j == k:
                continue
            box = centre_and_box(j)
            if box is None or not box[0] - 1 <= middle <= box[1] + 1:
                continue
            distance = abs((box[0] + box[1]) / 2 - middle)
            if best_distance is None or distance < best_distance:
                best, best_distance = j, distance
        if best is not None:
            marks[best] = marks.get(best, "") + _SPACING_ACCENTS[ch]
            dropped.add(k)
    if not marks:
        return line
    out = []
    for j, ch in enumerate(line):
        if j in dropped:
            continue
        out.append(("i" if ch == "ı" else ch) + marks.get(j, ""))
    return unicodedata.normalize("NFC", re.sub(r" {2,}", " ", "".join(out)).replace(" ,", ",").strip())


def _baseline(textpage, char_index: int) -> float:
    import ctypes

    import pypdfium2.raw as raw

    x, y = ctypes.c_double(), ctypes.c_double()
    raw.FPDFText_GetCharOrigin(textpage, char_index, x, y)
    return y.value


def _is_monospaced(textpage, char_index: int) -> bool:
    import ctypes

    import pypdfium2.raw as raw

    flags = ctypes.c_int()
    name = ctypes.create_string_buffer(128)
    raw.FPDFText_GetFontInfo(textpage, char_index, name, 128, flags)
    return bool(flags.value & _FIXED_PITCH) or bool(_MONO_FONT_NAME.search(name.value.decode("latin-1")))


def _mark_columns(lines: list[Line], page_width: float) -> None:
    """Set each line's column edges: lines starting near one another share a column."""
    if not lines:
        return
    starts = sorted({round(line.x0) for line in lines})
    groups: list[list[int]] = [[starts[0]]]
    for x in starts[1:]:
        if x - groups[-1][-1] > 0.2 * page_width:
            groups.append([x])
        else:
            groups[-1].append(x)
    for group in groups:
        members = [line for line in lines if group[0] <= round(line.x0) <= group[-1]]
        full = [line for line in members if len(line.text.split()) >= 3] or members
        starts_at = sorted(line.x0 for line in full)
        ends = sorted(line.x1 for line in full)
        left, right = starts_at[int(0.1 * (len(starts_at) - 1))], ends[int(0.9 * (len(ends) - 1))]
        for line in members:
            line.left, line.right = float(left), right


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def _drop_page_furniture(pages: list[list[Line]], removed: Counter) -> list[list[Line]]:
    """Pages without running headers/footers, page numbers and margin line numbers."""
    edges = [_edge_lines(lines) for lines in pages]
    seen = Counter(key for page_edges in edges for key in {_furniture_key(line.text) for line in page_edges})
    pages_with_text = sum(1 for lines in pages if lines)
    repeated_from = max(2, min(3, (pages_with_text + 1) // 2))
    kept_pages = []
    for lines, page_edges in zip(pages, edges):
        edge_ids = {id(line) for line in page_edges}
        margin_numbers = _margin_line_numbers(lines)
        kept = []
        for line in lines:
            if id(line) in edge_ids and pages_with_text >= 2 and seen[_furniture_key(line.text)] >= repeated_from:
                removed["running headers/footers"] += 1
            elif id(line) in edge_ids and _PAGE_NUMBER.match(line.text):
                removed["page numbers"] += 1
            elif id(line) in margin_numbers:
                removed["line numbers"] += 1
            else:
                kept.append(line)
        kept_pages.append(kept)
    return kept_pages


#: Headers and footers sit in the top or bottom eighth of a page.
_MARGIN_ZONE = 0.125


def _edge_lines(lines: list[Line]) -> list[Line]:
    """The two highest and two lowest lines of a page, if they sit in its top or bottom margin
    (where running headers, footers and page numbers are)."""
    by_height = sorted(lines, key=lambda line: -line.y)
    top = [line for line in by_height[:2] if line.y >= (1 - _MARGIN_ZONE) * line.height]
    bottom = [line for line in by_height[-2:] if line.y <= _MARGIN_ZONE * line.height]
    return list({id(line): line for line in top + bottom}.values())


def _margin_line_numbers(lines: list[Line]) -> set[int]:
    """Lines that are only a number and sit outside the text's left or right edge."""
    body = [line for line in lines if len(line.text.split()) >= 4]
    if not body:
        return set()
    left = min(line.left for line in body)
    right = max(line.right for line in body)
    numbers = {
        id(line)
        for line in lines
        if _LINE_NUMBER.match(line.text) and (line.x1 <= left + 1 or line.x0 >= right - 1)
    }
    return numbers if len(numbers) >= 5 else set()


def _paragraphs(lines: list[Line], removed: Counter) -> str:
    """Lines joined into paragraphs separated by blank lines; monospaced blocks keep their lines."""
    if not lines:
        return ""
    spacing = _line_spacing(lines)
    blocks: list[list[Line]] = [[lines[0]]]
    for previous, line in zip(lines, lines[1:]):
        if _starts_paragraph(previous, line, spacing, blocks[-1][0]):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    vocabulary = word_counts(" ".join(line.text for line in lines))
    return "\n\n".join(_join_block(block, vocabulary, removed) for block in blocks)


def _line_spacing(lines: list[Line]) -> dict[float, float]:
    """The usual distance between the baselines of consecutive lines, per font size."""
    gaps: dict[float, list[float]] = {}
    for previous, line in zip(lines, lines[1:]):
        gap = previous.y_end - line.y
        if previous.page == line.page and previous.size == line.size and 0 < gap < 3 * line.size:
            gaps.setdefault(line.size, []).append(gap)
    return {size: statistics.median(values) for size, values in gaps.items()}


def _starts_paragraph(previous: Line, line: Line, spacing: dict[float, float], block_start: Line) -> bool:
    """Whether the page shows a paragraph break between two consecutive lines."""
    if previous.mono != line.mono:
        return True
    continues_sentence = not previous.text.endswith(_SENTENCE_END) and line.text[:1].islower()
    gap = previous.y_end - line.y
    if previous.page != line.page or gap < -0.5 * line.size:  # a new page or a new column
        return not continues_sentence
    usual = spacing.get(line.size, 1.2 * line.size)
    if gap > 1.45 * usual:
        return not (line.mono and gap < 2.2 * usual)
    if line.mono:
        return False
    if abs(line.size - previous.size) > 0.12 * max(previous.size, 1.0):
        return True
    if _LIST_ITEM.match(line.text):
        return True
    em = max(line.size, 1.0)
    if _LIST_ITEM.match(block_start.text) and line.x0 > block_start.x0 + 0.5 * em:
        return False  # the hanging indent of a list item or reference entry
    if _ended_early(previous, line):
        return True  # the next line's first word would have fitted: the line ended on purpose
    indented = line.x0 > line.left + 0.7 * em and previous.x0 <= previous.left + 0.3 * em
    return indented and previous.text.endswith(_SENTENCE_END)  # a first-line indent


def _ended_early(previous: Line, line: Line) -> bool:
    """Whether ``previous`` stops short of its column's right edge by more than the width of
    ``line``'s first word (estimated at half an em a character, plus a space)."""
    first_word = line.text.split()[0] if line.text.split() else ""
    room = previous.right - previous.x1
    return room > (len(first_word) + 1) * 0.5 * max(previous.size, 1.0) and room > 1.0 * previous.size


def _join_block(block: list[Line], vocabulary: Counter, removed: Counter) -> str:
    if block[0].mono:
        return "\n".join(line.text for line in block)
    text = block[0].text
    for line in block[1:]:
        if re.search(r"[^\W\d_][-‐\u00ad]$", text) and line.text[:1].islower():
            text = text[:-1] + _PDFIUM_HYPHEN + line.text
        else:
            text += " " + line.text
    return _PDFIUM_HYPHEN_WORD.sub(lambda match: _dehyphenate(match, vocabulary, removed), text)


_PDFIUM_HYPHEN_WORD = re.compile(r"([^\W\d_]+)" + _PDFIUM_HYPHEN + r"([^\W\d_]*)")


def _dehyphenate(match: re.Match, vocabulary: Counter, removed: Counter) -> str:
    word, joined = resolve(match.group(1), match.group(2), vocabulary)
    removed["line-end hyphens joined" if joined else "line-end hyphens kept"] += 1
    return word


def _normalise_characters(text: str) -> str:
    """Ligatures and presentation forms as letters; TeX spacing accents on their letter."""
    text = _PRESENTATION_FORMS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)
    text = _ACCENT_BEFORE_LETTER.sub(
        lambda match: unicodedata.normalize(
            "NFC", ("i" if match.group(2) == "ı" else match.group(2)) + _SPACING_ACCENTS[match.group(1)]
        ),
        text,
    )
    return text.replace(_PDFIUM_HYPHEN, "-").replace("\r", " ")


def _describe(removed: Counter) -> str:
    """``'running headers/footers: 12 lines; page numbers: 8; line-end hyphens joined: 3'``"""
    parts = []
    for key in ("running headers/footers", "page numbers", "line numbers", "line-end hyphens joined", "line-end hyphens kept"):
        if removed[key]:
            unit = " lines" if key == "running headers/footers" else ""
            parts.append(f"{key}: {removed[key]}{unit}")
    return "; ".join(parts)
