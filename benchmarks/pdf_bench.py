"""PDF reading on real PDFs from Debian documentation packages: word agreement with poppler's
pdftotext, paragraphs per page, and speed of the old pypdf reader, the new reader and pdftotext.

Run: .venv/bin/python benchmarks/pdf_bench.py [--repeat 3] [--root /usr/share/doc ...] [--list]

PDFs: every *.pdf and *.pdf.gz under /usr/share/doc and /usr/lib/R/site-library/*/doc (R
vignettes), deduplicated by content, at most --max-mb each, translations left out (a language
tag other than en at the end of the name; --all-languages keeps them); gzipped ones are unpacked into
/tmp/peercorpus-pdf-bench (nothing is written in the repository). With fewer than --min-files
(20) found, running as root, it first installs PACKAGES with apt-get (--no-install: don't). It
exits with status 2 and a message when there are still fewer than --min-files PDFs, when
pdftotext is missing (apt-get install poppler-utils) or when pypdf is missing.

Readers, all on the same files, in one run, best of --repeat per file:
  pypdf      the reader main had: [page.extract_text() for page in PdfReader(p).pages], pages
             joined by a blank line (in this process)
  new        peercorpus.io.pdf.read_pdf(path).text (in this process); skipped with a message
             when that module is not importable
  pdftotext  poppler-utils' `pdftotext -enc UTF-8 FILE -`, one process per file, as a user
             would run it (so its times include starting a process, a few ms)
Speed target: new reader >= 5x faster than pypdf (total seconds over all files).

Word agreement with pdftotext (the reference; target >= 98%). Both texts are first made
comparable the same way: presentation forms U+FB00-FB4F (ligatures) compatibility-normalised,
spacing accents recombined with the next letter ("M¨oller" -> "Möller"), NFC, lower case.
Words are then the runs of letters and digits (regex [^\\W_]+) that contain at least one letter
(so page numbers do not count, and removing them costs nothing). With A the reader's words and
B pdftotext's, as multisets (a word counted as often as it occurs):
  recall    |A ∩ B| / |B|   the share of pdftotext's words the reader also gives: "agreement"
  precision |A ∩ B| / |A|   the share of the reader's words that pdftotext also gives
  bigrams   the same recall over consecutive word pairs: order-aware (reading order, columns,
            words split or glued at line ends all cost bigrams)
Totals pool the counts of all files (a long manual weighs more than a short note). Removing
running headers costs the new reader a little recall by construction (pdftotext keeps them):
for a 100-page manual with a 4-word header, 400 of its words.
So the new reader also gets a second figure, "on the text kept": the same recall against
pdftotext's words less the words the reader removed on purpose (running headers, footers, page
and line numbers: the words of read_pdf(layout=False) that read_pdf() does not give).
Known differences of pdftotext, not errors of a reader: it joins every line-end hyphen
("self-" / "report" -> "selfreport") and keeps ligature characters as they are (hence the
normalisation above).

Paragraphs per page: blocks of text separated by a blank line, divided by the page count
(pypdf's). pypdf's reader gives about one per page; pdftotext's blocks are shown for scale.

Last run here (2026-12-01, 79 PDFs, 6,386 pages, 36.7 MB; --repeat 2 on a loaded 2-core
machine, load average 5-6): pypdf 305 s, pdftotext 30.5 s (pypdf/pdftotext 10.0x); pypdf's
word recall vs pdftotext 98.6% pooled (median file 99.9%, lowest 45.7% on debian-refcard,
58.5% on debmake-doc), precision 99.0%, bigram recall 96.9%; paragraphs per page: pypdf
median 1.0 (pooled 12.1: GNU parallel's pod2pdf manuals give 180-390 blank-line blocks per
page), pdftotext median 8.2. The new reader: not yet measured (branch pdfbench has no
peercorpus.io.pdf). For scale, raw PDFium text (pypdfium2 get_text_range, no layout work) agrees
with pdftotext at 99.5-100% on most files, and in one loop over the 79 files in this process
(same load) takes 23 s; with every character's box (get_charbox) 29 s; with text by rectangle
(count_rects/get_rect/get_text_bounded) 58 s. So for 5x over pypdf (305 s -> 61 s) the layout
work in Python has about 30 s.

Where pdftotext itself is wrong (so a lower score there is not the reader's fault): debian-refcard
glues words of adjacent table cells ("updatemanage", "compareversions"); packaging-tutorial
(beamer, letter-spaced monospace) splits "gnujump" and "LDFLAGS" into "gn ujum p", "ld flag s";
debmake-doc joins line-end hyphens inside names ("x86_64-linux-" / "gnu" -> "linuxgnu");
dtc-paper (two columns, Type 3 bitmap fonts) leaves "prop-" / "erty", "de-" / "vice",
"representa-" / "tion" apart and gives 86 blocks per page, and it loses every fi ligature
("rst" for "first"; so do PDFium and pypdf: the fonts have no ToUnicode map); in general it
joins every line-end hyphen ("self-report" -> "selfreport"). PDFium's raw text is the odd one out
on bdb_usenix ("hav e", "dev elopers": kerning gaps read as spaces), cvs-paper ("howthe",
"softwaremanagement") and TeX accents in MVT_Rnews ("Universita ̈t").
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOTS = (Path("/usr/share/doc"), Path("/usr/lib/R/site-library"))
WORKDIR = Path("/tmp/peercorpus-pdf-bench")
# Debian packages whose documentation is PDF: manuals, specifications, reference cards, slides,
# R vignettes (statistics papers), two-column papers (db5.3-doc's three USENIX papers,
# device-tree-compiler's dtc-paper, cvs-paper). Installed (--no-install-recommends) when too few
# PDFs are found.
PACKAGES = (
    "poppler-utils", "python-reportlab-doc", "libtasn1-doc", "shared-mime-info", "debian-refcard",
    "packaging-tutorial", "parallel", "glpk-doc", "debmake-doc", "shishi-doc", "xfig-doc",
    "db5.3-doc", "device-tree-compiler", "cvs",
    "r-cran-zoo", "r-cran-sandwich", "r-cran-lmtest", "r-cran-strucchange", "r-cran-xtable",
    "r-cran-mvtnorm", "r-cran-e1071",
)
# Translations of one manual are one layout many times over (debian-refcard ships 38): kept
# out unless --all-languages, by a language tag at the end of the file name.
_TRANSLATION = re.compile(
    r"[-._](bg|ca|cs|da|de|el|es|eu|fi|fr|gl|hi|hu|id|it|ja|ko|lt|ms|nb|nl|pl|pt|ro|ru|sk|sr|sv|tr|uk|vi|zh)"
    r"([_-][a-z]{2,4})?(-a4|-lt)?$", re.IGNORECASE)
TARGET_AGREEMENT = 0.98
TARGET_SPEEDUP = 5.0

_LIGATURES = re.compile("[\ufb00-\ufb4f]")
# A spacing accent (as TeX's OT1 fonts draw it) and the letter it belongs to; either order
# occurs in extracted text ("M¨oller"), we recombine only accent-then-letter.
_SPACING = {"\u00a8": "\u0308", "\u00b4": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
            "\u02c6": "\u0302", "\u02dc": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c",
            "\u02d8": "\u0306", "\u00af": "\u0304", "\u02d9": "\u0307", "\u02da": "\u030a", "\u02dd": "\u030b"}
_ACCENT_LETTER = re.compile("([" + re.escape("".join(_SPACING)) + r"])\s?([^\W\d_])")
_WORD = re.compile(r"[^\W_]+")


def comparable(text: str) -> str:
    """The same normalisation for every reader's text and the reference (see the docstring)."""
    text = _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _ACCENT_LETTER.sub(lambda m: m.group(2) + _SPACING[m.group(1)], text)
    return unicodedata.normalize("NFC", text).lower()


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(comparable(text)) if not w.isdigit()]


def agreement(reader: list[str], reference: list[str]) -> tuple[int, int, int, int, int]:
    """(common words, reader words, reference words, common bigrams, reference bigrams)."""
    a, b = Counter(reader), Counter(reference)
    a2, b2 = Counter(zip(reader, reader[1:])), Counter(zip(reference, reference[1:]))
    return sum((a & b).values()), len(reader), len(reference), sum((a2 & b2).values()), max(len(reference) - 1, 0)


def paragraphs(text: str) -> int:
    return sum(1 for block in re.split(r"\n[ \t\f]*\n|\f", text) if block.strip())


# --------------------------------------------------------------------------------------------
# Finding the PDFs


def find_pdfs(roots: list[Path], max_mb: float, all_languages: bool = False) -> list[tuple[str, Path]]:
    """(label, readable path) for every distinct PDF under ``roots``, sorted by label."""
    found: dict[str, tuple[str, Path]] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            name = path.name.lower()
            if not (name.endswith(".pdf") or name.endswith(".pdf.gz")) or not path.is_file():
                continue
            if not all_languages and _TRANSLATION.search(name.removesuffix(".gz").removesuffix(".pdf")):
                continue
            try:
                data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
            except (OSError, EOFError, gzip.BadGzipFile):
                continue
            if not data.startswith(b"%PDF") or len(data) > max_mb * 1e6:
                continue
            digest = hashlib.sha1(data).hexdigest()
            if digest in found:
                continue
            if name.endswith(".gz"):
                WORKDIR.mkdir(parents=True, exist_ok=True)
                readable = WORKDIR / f"{digest[:12]}-{path.name[:-3]}"
                if not readable.exists():
                    readable.write_bytes(data)
            else:
                readable = path
            found[digest] = (str(path), readable)
    return sorted(found.values())


def install_packages() -> None:
    missing = [p for p in PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    if not missing:
        return
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    print("installing:", " ".join(command), flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(command, env=environment, stdout=subprocess.DEVNULL)
    if result.returncode:  # package lists may be missing on a fresh machine
        subprocess.run(["apt-get", "update", "-q"], env=environment, stdout=subprocess.DEVNULL)
        subprocess.run(command, env=environment, stdout=subprocess.DEVNULL)


# --------------------------------------------------------------------------------------------
# The readers: each takes a path and returns (text, page count or None)


def read_pypdf(path: Path) -> tuple[str, int]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # as main's reader did: no per-object warnings

    pages = [page.extract_text() for page in PdfReader(path).pages]
    return "\n\n".join(page.strip("\n") for page in pages if page and page.strip()), len(pages)


def read_new(path: Path) -> tuple[str, None]:
    from peercorpus.io.pdf import read_pdf

    return read_pdf(path).text, None


def removed_furniture(path: Path, text: str) -> Counter:
    """Words the new reader left out on purpose: those of the text as extracted
    (``layout=False``) that its rebuilt text does not have."""
    from peercorpus.io.pdf import read_pdf

    return Counter(words(read_pdf(path, layout=False).text)) - Counter(words(text))


def read_pdftotext(path: Path) -> tuple[str, int]:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    if result.returncode:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"pdftotext exited with {result.returncode}")
    text = result.stdout.decode("utf-8", "replace")
    return text, text.count("\f")


def run(reader, path: Path) -> tuple[float, str | None, int | None, str]:
    """(seconds, text or None on failure, pages, error message)."""
    start = time.perf_counter()
    try:
        text, pages = reader(path)
        error = ""
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
        text, pages, error = None, None, f"{type(exc).__name__}: {str(exc)[:60]}"
    return time.perf_counter() - start, text, pages, error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, action="append", help="folder to search for PDFs (repeatable; default: /usr/share/doc and /usr/lib/R/site-library)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-files", type=int, default=20)
    parser.add_argument("--max-files", type=int, default=0, help="use at most this many PDFs (0: all)")
    parser.add_argument("--max-mb", type=float, default=30.0, help="skip PDFs larger than this")
    parser.add_argument("--all-languages", action="store_true", help="also translations (file names ending in a language tag other than en)")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install PACKAGES")
    parser.add_argument("--no-new", action="store_true", help="skip the new reader even when importable")
    parser.add_argument("--list", action="store_true", help="print the PDF list and exit")
    args = parser.parse_args()
    roots = args.root or list(ROOTS)

    if shutil.which("pdftotext") is None and not args.no_install and os.geteuid() == 0:
        install_packages()
    if shutil.which("pdftotext") is None:
        fail("pdftotext not found; install poppler-utils (apt-get install poppler-utils)")
    try:
        import pypdf  # noqa: F401
    except ImportError:
        fail("pypdf is not installed in this Python (run `make install`)")
    pdfs = find_pdfs(roots, args.max_mb, args.all_languages)
    if len(pdfs) < args.min_files and not args.no_install and not args.root and os.geteuid() == 0:
        install_packages()
        pdfs = find_pdfs(roots, args.max_mb, args.all_languages)
    if args.max_files:
        pdfs = pdfs[: args.max_files]
    if len(pdfs) < args.min_files:
        fail(f"found {len(pdfs)} PDF(s) under {', '.join(map(str, roots))}, need at least {args.min_files}; "
                 f"install Debian documentation packages with PDFs, e.g. apt-get install {' '.join(PACKAGES[1:6])}")
    if args.list:
        for label, readable in pdfs:
            print(f"{readable.stat().st_size / 1e6:7.2f} MB  {label}")
        return

    readers = {"pypdf": read_pypdf, "pdftotext": read_pdftotext}
    if not args.no_new:
        try:
            import peercorpus.io.pdf  # noqa: F401

            readers["new"] = read_new
        except ImportError as exc:
            print(f"new reader: SKIPPED (peercorpus.io.pdf is not importable here: {exc})")
    else:
        print("new reader: SKIPPED (--no-new)")

    names = list(readers)
    smallest = min((path for _, path in pdfs), key=lambda path: path.stat().st_size)
    for name in names:  # warm-up, untimed: lazy imports (pypdf, pypdfium2) are not a file's cost
        run(readers[name], smallest)
    best: dict[str, list[float]] = {name: [float("inf")] * len(pdfs) for name in names}
    texts: dict[str, list[str | None]] = {name: [None] * len(pdfs) for name in names}
    errors: dict[str, list[str]] = {name: [""] * len(pdfs) for name in names}
    pages = [0] * len(pdfs)
    for _ in range(args.repeat):
        for index, (_label, path) in enumerate(pdfs):
            for name in names:  # readers interleaved per file: the same machine noise for all
                seconds, text, page_count, error = run(readers[name], path)
                best[name][index] = min(best[name][index], seconds)
                texts[name][index], errors[name][index] = text, error
                if name == "pypdf" and page_count:
                    pages[index] = page_count
                elif name == "pdftotext" and page_count and not pages[index]:
                    pages[index] = page_count

    total_mb = sum(path.stat().st_size for _, path in pdfs) / 1e6
    print(f"{len(pdfs)} PDFs, {sum(pages)} pages, {total_mb:.1f} MB; best of {args.repeat} per file; "
          f"reference: pdftotext ({subprocess.run(['pdftotext', '-v'], capture_output=True, text=True).stderr.splitlines()[0]})")
    compared = [name for name in names if name != "pdftotext"]
    header = f"{'file':44} {'pages':>5} {'MB':>5}  " + "  ".join(f"{name + ' rec/prec/bigr':>22}" for name in compared)
    header += "  " + "  ".join(f"{'par/pg ' + name:>15}" for name in names) + "  " + "  ".join(f"{name + ' s':>12}" for name in names)
    print(header)
    totals = {name: [0, 0, 0, 0, 0] for name in compared}
    kept_totals = [0, 0]  # new reader: common words, reference words less the furniture it removed
    for index, (label, path) in enumerate(pdfs):
        reference = texts["pdftotext"][index]
        reference_words = words(reference) if reference is not None else None
        cells = []
        for name in compared:
            text = texts[name][index]
            if text is None or reference_words is None:
                cells.append(f"{'failed' if text is None else 'no reference':>22}")
                continue
            counts = agreement(words(text), reference_words)
            totals[name] = [t + c for t, c in zip(totals[name], counts)]
            if name == "new":
                kept = Counter(reference_words) - removed_furniture(path, text)
                kept_totals[0] += sum((Counter(words(text)) & kept).values())
                kept_totals[1] += sum(kept.values())
            common, mine, theirs, bigrams, their_bigrams = counts
            cells.append(f"{_pct(common, theirs):>6}/{_pct(common, mine):>6}/{_pct(bigrams, their_bigrams):>6}  ")
        cells = [cell.rstrip() + "  " for cell in cells]
        per_page = [f"{paragraphs(texts[n][index]) / pages[index]:15.1f}" if texts[n][index] is not None and pages[index] else f"{'-':>15}" for n in names]
        times = [f"{best[n][index]:12.3f}" for n in names]
        short = label if len(label) <= 44 else "…" + label[-43:]
        print(f"{short:44} {pages[index]:5d} {path.stat().st_size / 1e6:5.1f}  " + "".join(cells) + "  ".join(per_page) + "  " + "  ".join(times))
    for name in names:
        for index, error in enumerate(errors[name]):
            if error:
                print(f"  {name} failed on {pdfs[index][0]}: {error}")

    print()
    for name in compared:
        common, mine, theirs, bigrams, their_bigrams = totals[name]
        recalls = [_ratio(agreement(words(t), words(r))) for t, r in zip(texts[name], texts["pdftotext"]) if t is not None and r is not None]
        verdict = "meets" if theirs and common / theirs >= TARGET_AGREEMENT else "BELOW"
        print(f"{name:9} word agreement with pdftotext (recall, all words pooled): {_pct(common, theirs)}%  "
              f"[{verdict} target >= {TARGET_AGREEMENT:.0%}]  precision {_pct(common, mine)}%  bigram recall {_pct(bigrams, their_bigrams)}%  "
              f"median file recall {100 * statistics.median(recalls):.1f}%, lowest {100 * min(recalls):.1f}%")
    if "new" in compared and kept_totals[1]:
        verdict = "meets" if kept_totals[0] / kept_totals[1] >= TARGET_AGREEMENT else "BELOW"
        print(f"new       word agreement on the text kept (pdftotext less the headers, footers and page numbers "
              f"the reader removed): {_pct(*kept_totals)}%  [{verdict} target >= {TARGET_AGREEMENT:.0%}]")
    total_pages = sum(pages)
    for name in names:
        count = sum(paragraphs(t) for t in texts[name] if t is not None)
        per_file = [paragraphs(t) / n for t, n in zip(texts[name], pages) if t is not None and n]
        print(f"{name:9} paragraphs per page: {count / total_pages:.2f} pooled ({count} paragraphs, {total_pages} pages), "
              f"median file {statistics.median(per_file):.1f}")
    seconds = {name: sum(best[name]) for name in names}
    for name in names:
        print(f"{name:9} total {seconds[name]:8.2f} s  ({total_mb / seconds[name]:.1f} MB/s)")
    print(f"pypdf / pdftotext: {seconds['pypdf'] / seconds['pdftotext']:.1f}x")
    if "new" in seconds:
        speedup = seconds["pypdf"] / seconds["new"]
        verdict = "meets" if speedup >= TARGET_SPEEDUP else "BELOW"
        print(f"new reader is {speedup:.1f}x faster than pypdf [{verdict} target >= {TARGET_SPEEDUP:.0f}x]; "
              f"new / pdftotext: {seconds['new'] / seconds['pdftotext']:.2f}x")
    else:
        print(f"new reader: not measured (speed target: >= {TARGET_SPEEDUP:.0f}x faster than pypdf)")


def fail(message: str) -> None:
    print(f"pdf_bench: {message}", file=sys.stderr)
    sys.exit(2)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "-"


def _ratio(counts: tuple[int, int, int, int, int]) -> float:
    return counts[0] / counts[2] if counts[2] else 1.0


if __name__ == "__main__":
    main()
