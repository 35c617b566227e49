"""Make the PDF fixtures in this folder, with known content, and write what a reader must get.

Run (only when changing a fixture; the PDFs are committed so the tests need no reportlab):

    .venv/bin/pip install reportlab cryptography   # cryptography: pypdf's AES encryption
    .venv/bin/python tests/data/pdf/make_fixtures.py

Also needs the DejaVu fonts of Debian's fonts-dejavu-core, and fontTools and Pillow (both come
with matplotlib, a peercorpus dependency). Writes two_column_article.pdf, one_column_report.pdf,
the hostile files (encrypted_rc4.pdf, encrypted_aes256.pdf, owner_password_only.pdf,
image_only.pdf, truncated.pdf, fake.pdf), expected.json (the paragraphs a correct reader
produces, in reading order) and EXPECTED.md (the same, with the rules behind them). Text is
typeset here line by line, the way TeX does it: justified lines drawn word by word (no space
characters in the content stream, as in TeX output), "fi"/"ff"/"fl"/"ffi"/"ffl" drawn as the
ligature characters U+FB00-FB04 of an embedded DejaVu Sans subset, "ö" drawn as a spacing
diaeresis U+00A8 placed over an "o" (TeX's \\"o in OT1 fonts, which text extractors give as
"M¨oller"), and two words divided at line ends ("sup-" / "port", "self-" / "report"; the script
stops if a wording change moves them off the line end). The article, the report, the image-only
and the truncated file are reproducible byte for byte (reportlab's invariant mode); the
encrypted files are not (encryption salts are random).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

HERE = Path(__file__).resolve().parent
FONTS = Path("/usr/share/fonts/truetype/dejavu")  # Debian fonts-dejavu-core


def unhinted(name: str) -> io.BytesIO:
    """DejaVu without its TrueType hinting programs and licence text, which are most of an
    embedded subset's bytes; glyph shapes, widths and cmap are unchanged."""
    from fontTools.ttLib import TTFont as FontFile

    font = FontFile(str(FONTS / name), recalcTimestamp=False)  # byte-identical output
    for table in ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX", "kern", "GPOS"):
        if table in font:
            del font[table]
    # The name table is mostly the licence text (15 KB); keep family, style and full names.
    font["name"].names = [record for record in font["name"].names if record.nameID in (1, 2, 3, 4, 5, 6)]
    glyf = font["glyf"]
    for glyph_name in font.getGlyphOrder():
        glyph = glyf[glyph_name]
        if hasattr(glyph, "program"):
            from fontTools.ttLib.tables import ttProgram

            glyph.program = ttProgram.Program()
            glyph.program.fromBytecode(b"")
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    return buffer


pdfmetrics.registerFont(TTFont("Sans", unhinted("DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("Sans-Bold", unhinted("DejaVuSans-Bold.ttf")))
pdfmetrics.registerFont(TTFont("Mono", unhinted("DejaVuSansMono.ttf")))

# A word-internal break point: "sup|port" may be set as "sup-" / "port" at a line end (the
# reader must join it: "support"); "self-|report" may be set as "self-" / "report" (a real
# hyphen: the reader must keep it, "self-report").
BREAK = "|"
LIGATURES = [("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02")]


def typeset(word: str) -> str:
    """What is drawn for ``word``: ligature characters for f-ligatures."""
    for letters, ligature in LIGATURES:
        word = word.replace(letters, ligature)
    return word


def width(word: str, font: str, size: float) -> float:
    # "ö" is drawn as an "o" with the diaeresis over it: the width of "o".
    return pdfmetrics.stringWidth(typeset(word).replace("ö", "o"), font, size)


def draw_word(canvas: Canvas, x: float, y: float, word: str, font: str, size: float) -> None:
    """Draw ``word`` at (x, y); each "ö" as U+00A8 centred over an "o", in the order M, ¨, o."""
    canvas.setFont(font, size)
    parts = typeset(word).split("ö")
    for index, part in enumerate(parts):
        if index:
            o = pdfmetrics.stringWidth("o", font, size)
            dieresis = pdfmetrics.stringWidth("\u00a8", font, size)
            canvas.drawString(x + (o - dieresis) / 2, y, "\u00a8")
            part = "o" + part
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)


def break_lines(text: str, font: str, size: float, first: float, rest: float) -> list[list[str]]:
    """Greedy line breaking into lists of words; a word with a BREAK is split at it when it
    does not fit and the first part does (the first part then ends with "-")."""
    lines: list[list[str]] = []
    line: list[str] = []
    used = 0.0
    space = pdfmetrics.stringWidth(" ", font, size)
    for word in text.split():
        available = first if not lines else rest
        whole = word.replace(BREAK, "")
        need = width(whole, font, size) + (space if line else 0)
        if used + need <= available:
            line.append(whole)
            used += need
            continue
        if BREAK in word:
            head, tail = word.split(BREAK)
            head = head if head.endswith("-") else head + "-"
            head_need = width(head, font, size) + (space if line else 0)
            if used + head_need <= available:
                line.append(head)
                lines.append(line)
                line, used = [tail], width(tail, font, size)
                continue
        lines.append(line)
        line, used = [whole], width(whole, font, size)
    lines.append(line)
    return lines


def draw_line(canvas: Canvas, x: float, y: float, words: list[str], span: float, font: str, size: float, justify: bool) -> None:
    """Words at their positions; justified lines spread the gaps to fill ``span``."""
    widths = [width(word, font, size) for word in words]
    space = pdfmetrics.stringWidth(" ", font, size)
    gap = (span - sum(widths)) / (len(words) - 1) if justify and len(words) > 1 else space
    gap = min(gap, 2.5 * space)  # an underfull line stays ragged, as TeX leaves it
    for word, word_width in zip(words, widths):
        draw_word(canvas, x, y, word, font, size)
        x += word_width + gap


def expected_text(text: str) -> str:
    """What a correct reader gives for a source paragraph: break marks resolved as joined."""
    return " ".join(word.replace(BREAK, "") for word in text.split())


# --------------------------------------------------------------------------------------------
# (a) Two-column article, 3 pages

ARTICLE_TITLE = "Reading Documents as Their Authors Wrote Them"
ARTICLE_AUTHORS = "Anna Keller and Niels Möller"
ARTICLE = [
    ("heading", "1 Introduction"),
    ("para", "Researchers who study written language rarely start from clean text. They start from a folder of files that other people made for other purposes: journal articles, reports, manuals and web pages. Each file format hides the running text behind its own conventions, and the first task of any analysis is to recover that text without adding or losing words."),
    ("para", "Portable documents are the hardest case. A page in a PDF file is a set of glyphs placed at positions, and the order in which they are drawn need not be the order in which they are read. Two columns, running headers, page numbers and footnotes all share the same page, and nothing in the file says which is which."),
    ("para", "In this article we describe what a careful reader of such files must do, and we test it on documents whose content we know exactly. Our aim is modest: the words that come out should be the words the authors wrote, in the order they wrote them, grouped into the paragraphs they intended."),
    ("heading", "2 Methods"),
    ("para", "We typeset three small documents with known content. The first is this article, set in two columns with a running header and a page number on every page. The second is a report in one column with a code listing. The third group contains files that a reader should refuse politely: encrypted, truncated or scanned ones."),
    ("para", "Typesetting systems replace certain letter pairs with single glyphs called ligatures. A reader that copies these glyphs verbatim will count the word file apart from its ligature form, and the word different may lose letters altogether. We therefore define the expected text with the separate letters, and we check that words such as efficient, baffled, fluent and offline come out whole."),
    ("para", "TeX builds accented letters from a base letter and a spacing accent. An extractor that reports both characters separately turns the name of the second author into two fragments, so that a search for his name finds nothing. The expected text recombines the accent with its letter. Line-end hyphens are handled in the same spirit: a word that was divided only for typesetting, such as the plain word sup|port in this sentence, is joined again, while a genuine compound such as self-|report keeps its hyphen."),
    ("para", "Each paragraph in this article begins with an indented first line and is separated from the previous one by a small vertical space. These two cues are what a layout analysis can use to rebuild paragraphs from lines."),
    ("heading", "3 Results"),
    ("para", "A reader that treats every page as one paragraph makes the paragraph a meaningless unit. Collocation windows then cross from one topic to the next, and concordance lines show text from the other column. We found that rebuilding paragraphs from line spacing and indentation recovers the paragraphs of this article exactly."),
    ("para", "Running headers deserve special care because they repeat with small variations. The header of this journal carries the page number, so the line differs on every page, yet it is the same furniture each time. A reader should remove it together with the page numbers at the foot of the page, and it should not remove a sentence that merely happens to repeat."),
    ("para", "Reference lists pose a different problem. They are part of the document, but they are not the running text of the authors, and their words dominate any frequency list built from scientific papers. The reference list of this article has eight entries, each of which should come out as one paragraph after the heading."),
    ("para", "Speed matters as well. A corpus of a few hundred papers should be read in seconds rather than minutes, because researchers read their corpus many times while they refine their questions. We measured the time needed to read each fixture and found it small compared with the time needed to tokenize and count the words."),
    ("para", "Footnotes and figure captions raise questions of their own. They belong to the document and are written by its authors, but they interrupt the flow of the main text. This article has none, so that the expected text can be stated without deciding where a caption belongs."),
    ("heading", "4 Discussion"),
    ("para", "None of these steps requires knowledge of the language of the document. They use the geometry of the page and the properties of the characters, which makes them suitable as defaults that a researcher can inspect and, when needed, switch off."),
    ("para", "Some documents resist all of these steps. Scanned pages contain no text at all, and encrypted files cannot be opened without a password. A reader should say so in one short warning for each such file and go on with the rest of the corpus, so that one bad file does not stop a whole analysis."),
    ("para", "Other steps cannot be taken without some knowledge of the language. Whether a hyphen at the end of a line belongs to the word is a question about the vocabulary, and the answer differs between English and German. We decided to join a divided word only when the joined form occurs elsewhere in the same document or in a word list, and to keep the hyphen otherwise."),
    ("para", "A further limitation concerns tables and formulae. Their cells and symbols are placed on the page like words, but they do not form sentences, and a reader that joins them into paragraphs creates text that nobody wrote. Marking such blocks as non-prose is the task of a later stage; the reader should at least keep their lines apart."),
    ("para", "The fixtures described here are small by design. They are meant to fail loudly when a change to the reader breaks one of these promises, and to document the promises in a form that anyone can check with a text editor and a ruler."),
]
ARTICLE_REFERENCES = [
    "[1] Adams, J. and Brown, K. (2019). Text extraction from typeset documents. Journal of Document Engineering, 14(2), 101–118.",
    "[2] Chen, L. (2020). Layout analysis for multi-column pages. Proceedings of the Workshop on Document Analysis, 33–41.",
    "[3] Davies, R. (2018). Ligatures and their discontents. Typography Quarterly, 7, 12–19.",
    "[4] Möller, N. and Keller, A. (2021). Accents in extracted text. Computational Philology, 5(1), 1–20.",
    "[5] Evans, P. (2017). Running headers considered harmful. Information Processing, 22, 301–310.",
    "[6] Fischer, M. (2022). Paragraph detection from line geometry. Document Analysis Letters, 9, 44–52.",
    "[7] Garcia, S. and Hughes, T. (2016). Corpus building from portable documents. Corpora, 11(3), 345–367.",
    "[8] Ito, Y. (2023). Evaluating text readers against a reference extractor. Software Practice, 40, 77–90.",
]

PAGE_W, PAGE_H = 420.0, 595.0  # A5: fewer words per page keep the fixture small
MARGIN, GUTTER = 30.0, 18.0
COLUMN_W = (PAGE_W - 2 * MARGIN - GUTTER) / 2
BODY, LEADING = 8.5, 11.0
TOP, BOTTOM = PAGE_H - 60.0, 56.0
INDENT, PARSKIP = 10.0, 4.0
REF_SIZE, REF_LEADING, REF_HANG = 8.0, 10.0, 14.0
HEADER = "Journal of Tests 2024; 12: {page}"
FIRST_PAGE = 101


def make_article(path: Path) -> dict:
    canvas = Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)
    canvas.setTitle(ARTICLE_TITLE)
    canvas.setAuthor(ARTICLE_AUTHORS)
    page = 1
    events: list[str] = []  # where paragraphs were split across columns, for EXPECTED.md

    def furniture() -> None:
        canvas.setFont("Sans", 7.5)
        canvas.drawString(MARGIN, PAGE_H - 30, HEADER.format(page=FIRST_PAGE + page - 1))
        canvas.drawCentredString(PAGE_W / 2, 30, str(page))

    furniture()
    y = PAGE_H - 62
    canvas.setFont("Sans-Bold", 14)
    canvas.drawCentredString(PAGE_W / 2, y, typeset(ARTICLE_TITLE))
    y -= 20
    words = ARTICLE_AUTHORS.split()
    total = sum(width(w, "Sans", 10) for w in words) + pdfmetrics.stringWidth(" ", "Sans", 10) * (len(words) - 1)
    draw_line(canvas, (PAGE_W - total) / 2, y, words, total, "Sans", 10, justify=False)
    column, y = 0, y - 30
    top = y

    def next_column() -> float:
        nonlocal column, page, top
        if column == 0:
            column = 1
            return top
        canvas.showPage()
        page += 1
        column = 0
        furniture()
        top = TOP
        return TOP

    blocks = [*ARTICLE, ("heading", "References"), *(("ref", r) for r in ARTICLE_REFERENCES)]
    for kind, text in blocks:
        x0 = MARGIN + column * (COLUMN_W + GUTTER)
        if kind == "heading":
            y -= 8
            if y - 3 * LEADING < BOTTOM:  # keep a heading with the first lines after it
                y = next_column()
            x0 = MARGIN + column * (COLUMN_W + GUTTER)
            draw_line(canvas, x0, y, text.split(), COLUMN_W, "Sans-Bold", 10, justify=False)
            y -= LEADING + 3
            continue
        if kind == "para":
            y -= PARSKIP
            lines = break_lines(text, "Sans", BODY, COLUMN_W - INDENT, COLUMN_W)
            if BREAK in text:  # the point of the paragraph: both break marks at line ends
                ends = [line[-1] for line in lines]
                assert "sup-" in ends and "self-" in ends, f"change the wording: line ends {ends}"
            for number, line in enumerate(lines):
                if y < BOTTOM:
                    y = next_column()
                    events.append(f"paragraph starting {text.split()[0]!r}... continues at the top of page {page}, column {column + 1}, after: {' '.join(lines[number - 1])!r}")
                x0 = MARGIN + column * (COLUMN_W + GUTTER)
                indent = INDENT if number == 0 else 0
                last = number == len(lines) - 1
                draw_line(canvas, x0 + indent, y, line, COLUMN_W - indent, "Sans", BODY, justify=not last)
                y -= LEADING
            continue
        # A reference: number, then the entry with a hanging indent.
        y -= 2
        label, entry = text.split(" ", 1)
        lines = break_lines(entry, "Sans", REF_SIZE, COLUMN_W - REF_HANG, COLUMN_W - REF_HANG)
        if y - (len(lines) - 1) * REF_LEADING < BOTTOM:  # entries are not split
            y = next_column()
        x0 = MARGIN + column * (COLUMN_W + GUTTER)
        draw_word(canvas, x0, y, label, "Sans", REF_SIZE)
        for number, line in enumerate(lines):
            draw_line(canvas, x0 + REF_HANG, y, line, COLUMN_W - REF_HANG, "Sans", REF_SIZE, justify=number < len(lines) - 1)
            y -= REF_LEADING
    canvas.showPage()
    canvas.save()
    assert page == 3, f"the article should have 3 pages, has {page} (ends at column {column + 1}, y={y:.0f}): change the text"
    paragraphs = [ARTICLE_TITLE, ARTICLE_AUTHORS]
    paragraphs += [expected_text(text) for kind, text in blocks]
    return {"pages": page, "paragraphs": paragraphs, "column_breaks": events}


# --------------------------------------------------------------------------------------------
# (b) One-column report with a code listing, 2 pages

REPORT = [
    ("title", "Quarterly Report on Corpus Tools"),
    ("heading", "Summary"),
    ("para", "This report describes the state of the corpus tools at the end of the quarter. The tools now read plain text, Markdown, Word and PDF files, and they build a cache that makes repeated analyses fast. The main open problem is the quality of the text that comes out of typeset documents, which is the subject of the second section."),
    ("para", "All measurements were made on the shared build machine, which has two processor cores. Times are therefore given as ratios against a baseline measured in the same run, since absolute times on a shared machine vary from one hour to the next."),
    ("heading", "Reading typeset documents"),
    ("para", "A typeset document stores glyphs and their positions rather than lines and paragraphs. The reader has to rebuild lines from glyphs that share a baseline, and paragraphs from lines that share a left edge and a regular spacing. The listing below shows the core of the line builder in a simplified form; it groups characters by their vertical position and sorts each group from left to right."),
    ("code", [
        "def build_lines(chars, tolerance=2.0):",
        "    lines = {}",
        "    for char in chars:",
        "        key = round(char.y / tolerance)",
        "        lines.setdefault(key, []).append(char)",
        "    for key in sorted(lines, reverse=True):",
        "        row = sorted(lines[key], key=lambda c: c.x)",
        "        yield \"\".join(c.text for c in row)",
    ]),
    ("para", "The function is deliberately short. It does not handle rotated text, superscripts or text in two columns, all of which occur in real documents. The next version will first split the page into blocks, then order the blocks by column, and only then build lines inside each block."),
    ("heading", "Next steps"),
    ("para", "We will compare the new reader with an established extractor on the documentation that ships with the operating system. These files are varied: manuals with code examples, specifications with tables, and papers with formulae. Agreement with the established extractor will be measured as the share of its words that the new reader also produces, and speed will be measured against the current reader."),
    ("para", "A second goal is to give each reading a short summary of what was removed, such as headers, footers and page numbers, so that a researcher can see at a glance what the tool did and undo it when necessary."),
    ("para", "Finally, the team will write small test documents with known content, such as this report, so that every promise the reader makes is checked automatically. A test document is only useful when its expected output is written down independently of the reader that it tests."),
]

REPORT_W, REPORT_H = 420.0, 595.0
R_MARGIN, R_TOP, R_BOTTOM = 48.0, 595.0 - 56.0, 60.0
R_SIZE, R_LEADING, R_PARSKIP = 9.5, 12.5, 7.0
MONO, MONO_LEADING = 7.5, 9.5


def make_report(path: Path) -> dict:
    canvas = Canvas(str(path), pagesize=(REPORT_W, REPORT_H), invariant=1)
    canvas.setTitle("Quarterly Report on Corpus Tools")
    span = REPORT_W - 2 * R_MARGIN
    page, y = 1, R_TOP
    events: list[str] = []
    pages_total = 2

    def footer() -> None:
        canvas.setFont("Sans", 7.5)
        canvas.drawCentredString(REPORT_W / 2, 30, f"Page {page} of {pages_total}")

    def new_page() -> float:
        nonlocal page
        footer()
        canvas.showPage()
        page += 1
        return R_TOP

    paragraphs: list[str] = []
    code_blocks: list[list[str]] = []
    for kind, content in REPORT:
        if kind == "title":
            canvas.setFont("Sans-Bold", 15)
            canvas.drawString(R_MARGIN, y, typeset(content))
            y -= 28
            paragraphs.append(content)
        elif kind == "heading":
            y -= 6
            if y - 3 * R_LEADING < R_BOTTOM:
                y = new_page()
            draw_line(canvas, R_MARGIN, y, content.split(), span, "Sans-Bold", 11, justify=False)
            y -= R_LEADING + 4
            paragraphs.append(content)
        elif kind == "para":
            lines = break_lines(content, "Sans", R_SIZE, span, span)
            for number, line in enumerate(lines):
                if y < R_BOTTOM:
                    y = new_page()
                    events.append(f"paragraph starting {content.split()[0]!r}... continues at the top of page {page} after: {' '.join(lines[number - 1])!r}")
                # Ragged right, as a word processor sets a report.
                draw_line(canvas, R_MARGIN, y, line, span, "Sans", R_SIZE, justify=False)
                y -= R_LEADING
            y -= R_PARSKIP
            paragraphs.append(expected_text(content))
        else:  # a code listing, lines kept as written, indentation as an x offset
            if y - len(content) * MONO_LEADING < R_BOTTOM:
                y = new_page()
            canvas.setFont("Mono", MONO)
            for line in content:
                stripped = line.lstrip(" ")
                indent = pdfmetrics.stringWidth(" ", "Mono", MONO) * (len(line) - len(stripped))
                canvas.drawString(R_MARGIN + 12 + indent, y, stripped)
                y -= MONO_LEADING
            y -= R_PARSKIP
            paragraphs.append("\n".join(content))
            code_blocks.append(content)
    footer()
    canvas.showPage()
    canvas.save()
    assert page == pages_total, f"the report should have {pages_total} pages, has {page}: change the text"
    return {"pages": page, "paragraphs": paragraphs, "code": code_blocks, "page_breaks": events}


# --------------------------------------------------------------------------------------------
# (c) Hostile files

SECRET_TEXT = "This page is readable only with the password."
OWNER_TEXT = ["This document has an owner password but no user password.", "Any reader opens it without asking for a password."]


def simple_pdf(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(REPORT_W, REPORT_H), invariant=1)
    y = R_TOP
    for line in lines:
        draw_line(canvas, R_MARGIN, y, line.split(), 0, "Sans", 10, justify=False)
        y -= 20
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def encrypt(plain: bytes, path: Path, *, user: str, owner: str, algorithm: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    with path.open("wb") as handle:
        writer.write(handle)


def make_image_only(path: Path) -> None:
    """A "scan": the words are pixels in an image, the page has no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("1", (700, 200), 1)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 28)  # pixels only: not embedded
    draw.text((20, 40), "This page is a scanned image.", font=font, fill=0)
    draw.text((20, 110), "It has no text layer at all.", font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    from reportlab.lib.utils import ImageReader

    canvas = Canvas(str(path), pagesize=(REPORT_W, REPORT_H), invariant=1)
    canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), R_MARGIN, 400, width=324, height=92.6)
    canvas.showPage()
    canvas.save()


def ligature_words(paragraphs: list[str]) -> list[str]:
    import re

    words = {w for p in paragraphs for w in re.findall(r"\w+", p) if any(letters in w for letters, _ in LIGATURES)}
    return sorted(words, key=str.lower)


EXPECTED_HEAD = """\
# What a correct PDF reader gives for these fixtures

Written by `make_fixtures.py` from the same source text that it typesets (do not edit by hand;
`expected.json` holds the same paragraphs for tests). Compare paragraphs after collapsing runs of
whitespace inside a paragraph to one space; paragraphs are separated by a blank line in the text.

"""

ARTICLE_RULES = """\
## two_column_article.pdf (A5, 3 pages, two justified columns)

Layout: a running header at the top left of every page, `Journal of Tests 2024; 12: 101`
(`102`, `103` on pages 2 and 3), and the page number `1`, `2`, `3` centred at the foot; a title
and an author line across both columns on page 1; then two columns, section headings in bold,
paragraphs with a first-line indent *and* 4 pt of extra space before them; on page 3 the
`References` heading and 8 entries with a hanging indent (`[n]` at the left edge, 2 pt between
entries). Justified lines are drawn word by word, so the content stream has no space characters
(as in TeX output); the title and author lines do the same.

A correct reader gives exactly these {n} paragraphs, in this order:

{paragraphs}

Which means, word by word:

- **Running header and page numbers removed**: no `Journal of Tests` anywhere, no paragraph or
  line that is only `1`, `2` or `3`; `101` occurs only in reference 1 (`101–118`), `102` and
  `103` not at all.
- **Reading order**: column 1 before column 2 on every page (the paragraph list above is that
  order). {breaks}
  These continuations have no first-line indent and no space before them: a correct reader joins
  them to the paragraph they continue, with no break.
- **Ligatures**: the page draws U+FB00-FB04 (ﬀ ﬁ ﬂ ﬃ ﬄ) wherever the source has ff, fi, fl, ffi,
  ffl; the text contains none of U+FB00-FB06 and has the separate letters, e.g. {ligature_words}.
- **Accent**: "Möller" is drawn as `M`, U+00A8 (¨) centred over an `o`, `ller` — TeX's `\\"o` in
  an OT1 font; extractors give `M¨oller` (pdftotext) or `Moller ¨` (PDFium's text order). The
  text has `Möller` (NFC, U+00F6) twice (author line, reference 4) and no U+00A8.
- **Line-end hyphens**: paragraph 10 ("TeX builds ...") has `sup-` at the end of one line and
  `port` at the start of the next: the text has `support`, not `sup-port` or `sup port`. The
  same paragraph has `self-` / `report` across a line end: a real compound, the text keeps
  `self-report` (pdftotext gives `selfreport`: it drops every line-end hyphen). No other line in
  the article ends with a hyphen.
- **References**: the heading `References` is its own paragraph, followed by the 8 entries, one
  paragraph each, each starting with `[1]` ... `[8]`.
- **Headings** (`1 Introduction`, `2 Methods`, `3 Results`, `4 Discussion`, `References`) and the
  title and author line are paragraphs of their own.
- Metadata: title `{title}`, author `{authors}`.

"""

REPORT_RULES = """\
## one_column_report.pdf (A5, 2 pages, one ragged-right column)

Layout: a title (bold, 15 pt), headings (bold, 11 pt), block paragraphs with no indent and 7 pt
of space between them, lines drawn word by word; a code listing in DejaVu Sans Mono 7.5 pt,
indented by 12 pt, its indentation drawn as an x offset (no leading spaces in the content stream);
a footer `Page 1 of 2` / `Page 2 of 2` centred at the foot. No running header. {breaks}
A correct reader joins that paragraph across the page break.

A correct reader gives these {n} paragraphs, in this order (the listing is shown as a code block
and is one block whose 8 lines stay separate lines, in this order; a reader may rebuild the
indentation as leading spaces, 4 per level, or drop it — the words must be exactly these, and no
listing line may be joined to another line or to the prose around it):

{paragraphs}

- No `Page 1 of 2` / `Page 2 of 2` in the text.
- Ligatures are drawn as in the article (`ﬁles`, `simpliﬁed`, `speciﬁcations`): the text has
  the separate letters.

"""

HOSTILE_RULES = """\
## Hostile files: one warning each, the rest of the corpus is read, never a traceback

| file | what it is | a correct reader |
|---|---|---|
| `encrypted_rc4.pdf` | RC4-128, user password `secret` (owner `owner-secret`); one page, text `{secret}` | no text; one warning that the PDF is encrypted / needs a password |
| `encrypted_aes256.pdf` | the same with AES-256 (PDF 2.0 / R6 security handler) | the same warning |
| `owner_password_only.pdf` | AES-128, empty user password, owner password `owner-secret` (permissions only): opens without a password in any viewer | reads normally, no warning; paragraphs (or lines) `{owner0}` and `{owner1}` |
| `image_only.pdf` | one page with a 1-bit PNG image of two lines of text, no text layer | no text; one warning that says the PDF has no text layer and to OCR it first |
| `truncated.pdf` | the first 60% of the bytes of `two_column_article.pdf` (no xref table, no trailer) | one warning (corrupt/truncated PDF); PDFium, pypdf and pdftotext all refuse it. A reader that recovers a partial text must still warn |
| `fake.pdf` | a UTF-8 text file named `.pdf` | one warning that it is not a PDF (PDFium: "Data format error") |

Checked while making these: PDFium (pypdfium2) opens the encrypted ones with password `secret`
and gives `{secret}`; without it, "Incorrect password error".
"""


def expected_markdown(expected: dict) -> str:
    def block(paragraphs: list[str]) -> str:
        out = []
        for number, paragraph in enumerate(paragraphs, 1):
            if "\n" in paragraph:
                out.append(f"{number}. (listing)\n\n   ```\n" + "\n".join("   " + line for line in paragraph.splitlines()) + "\n   ```")
            else:
                out.append(f"{number}. {paragraph}")
        return "\n".join(out)

    article, report = expected["two_column_article.pdf"], expected["one_column_report.pdf"]
    text = EXPECTED_HEAD
    text += ARTICLE_RULES.format(
        n=len(article["paragraphs"]), paragraphs=block(article["paragraphs"]),
        breaks=" ".join(f"A {event}." for event in article["column_breaks"]),
        ligature_words=", ".join(f"`{w}`" for w in ligature_words(article["paragraphs"])),
        title=ARTICLE_TITLE, authors=ARTICLE_AUTHORS,
    )
    text += REPORT_RULES.format(
        n=len(report["paragraphs"]), paragraphs=block(report["paragraphs"]),
        breaks=" ".join(f"A {event}." for event in report["page_breaks"]),
    )
    text += HOSTILE_RULES.format(secret=SECRET_TEXT, owner0=OWNER_TEXT[0], owner1=OWNER_TEXT[1])
    return text


def main() -> None:
    expected: dict = {}
    article = HERE / "two_column_article.pdf"
    expected["two_column_article.pdf"] = make_article(article)
    expected["one_column_report.pdf"] = make_report(HERE / "one_column_report.pdf")
    secret = simple_pdf([SECRET_TEXT])
    encrypt(secret, HERE / "encrypted_rc4.pdf", user="secret", owner="owner-secret", algorithm="RC4-128")
    encrypt(secret, HERE / "encrypted_aes256.pdf", user="secret", owner="owner-secret", algorithm="AES-256")
    encrypt(simple_pdf(OWNER_TEXT), HERE / "owner_password_only.pdf", user="", owner="owner-secret", algorithm="AES-128")
    expected["owner_password_only.pdf"] = {"pages": 1, "paragraphs": OWNER_TEXT}
    make_image_only(HERE / "image_only.pdf")
    data = article.read_bytes()
    (HERE / "truncated.pdf").write_bytes(data[: int(len(data) * 0.6)])
    (HERE / "fake.pdf").write_text("This is a plain text file that only pretends to be a PDF.\n", encoding="utf-8")
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (HERE / "EXPECTED.md").write_text(expected_markdown(expected), encoding="utf-8")
    for path in sorted(HERE.glob("*.pdf")):
        size = path.stat().st_size
        print(f"{path.name:28} {size:7,d} bytes")
        assert size < 50_000, f"{path.name} is {size} bytes; fixtures stay under 50 KB"


if __name__ == "__main__":
    main()
