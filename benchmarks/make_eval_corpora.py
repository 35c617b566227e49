"""Build the labelled corpora that ``topics_bench.py`` and ``k_selection_bench.py`` read, outside
the repository (default /work/evalcorpora): real text nobody here wrote, one folder per label.

Run: .venv/bin/python benchmarks/make_eval_corpora.py [--out /work/evalcorpora] [--bbc PATH]

- ``bbc``: BBC news (../shared/corpora/bbc), five sections; README.txt left out.
- ``pydoc``: the module pages of Python's library reference (Debian ``python3.11-doc``, which
  ``python3-doc`` depends on), labelled by the chapter of library/index.html that lists them;
  chapters with fewer than 4 pages are left out. Only the page body is kept (no navigation).
  Groups overlap (internet protocols / internet data handling / markup; text / binary data).
- ``reuters``: Reuters-21578 samples shipped by R's tm package (Debian ``r-cran-tm``):
  50 acquisitions and 20 crude-oil stories, title and body.
- ``manpages``: Linux man pages (Debian ``manpages``, ``manpages-dev``) labelled by section:
  2 system calls, 3 library functions, 4 devices, 5 file formats, 7 overviews; at most 150 pages
  a section (every n-th page by name), roff markup stripped. Sections 2 and 3 overlap heavily.

A Debian package that is missing is downloaded with ``apt-get download`` and unpacked into
``OUT/.debs`` (nothing is installed system-wide, so R itself is not needed); when that fails
the corpus is skipped with a line saying which package is missing and how to get it.
"""

from __future__ import annotations

import argparse
import gzip
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BBC = HERE.parent.parent / "shared" / "corpora" / "bbc"
MAN_SECTIONS = {"2": "system-calls", "3": "library-functions", "4": "devices", "5": "file-formats", "7": "overviews"}
MAN_PER_SECTION = 150


def package_root(package: str, probe: str, debs: Path) -> Path | None:
    """The root under which ``probe`` (an absolute path of the package's files) exists: ``/``
    when the package is installed, else its unpacked download; None (and a message) if neither."""
    if Path(probe).exists():
        return Path("/")
    unpacked = debs / package
    if (unpacked / probe.lstrip("/")).exists():
        return unpacked
    debs.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True, timeout=600)
        deb = sorted(debs.glob(f"{package}_*.deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True, capture_output=True)
    except (OSError, subprocess.SubprocessError, IndexError) as error:
        print(f"MISSING: Debian package {package} ({probe} not found; `apt-get download {package}` failed: {error}); "
              f"install it with `apt-get update && apt-get install {package}`", file=sys.stderr)
        return None
    if not (unpacked / probe.lstrip("/")).exists():
        print(f"MISSING: {probe} not in the downloaded {package}", file=sys.stderr)
        return None
    return unpacked


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def make_bbc(out: Path, source: Path) -> int:
    if not source.is_dir():
        print(f"MISSING: BBC corpus at {source} (pass --bbc)", file=sys.stderr)
        return 0
    target = fresh(out / "bbc")
    count = 0
    for section in sorted(p for p in source.iterdir() if p.is_dir()):
        (target / section.name).mkdir()
        for path in sorted(section.glob("*.txt")):
            shutil.copyfile(path, target / section.name / path.name)
            count += 1
    return count


_LINK = re.compile(r'toctree-l1"><a class="reference internal" href="([a-z_0-9.]+\.html)"')
_BODY = re.compile(r'<div class="body" role="main">(.*?)<div class="sphinxsidebar"', re.S)


def make_pydoc(out: Path, debs: Path) -> int:
    probe = "/usr/share/doc/python3.11/html/library/index.html"
    root = package_root("python3.11-doc", probe, debs)
    if root is None:
        return 0
    library = root / Path(probe).parent.relative_to("/")
    target = fresh(out / "pydoc")
    seen: set[str] = set()
    count = 0
    for chapter in _LINK.findall((library / "index.html").read_text(encoding="utf-8")):
        pages = [p for p in _LINK.findall((library / chapter).read_text(encoding="utf-8")) if "#" not in p]
        pages = [p for p in dict.fromkeys(pages) if p not in seen and (library / p).exists()]
        if len(pages) < 4:
            continue
        folder = target / chapter.removesuffix(".html")
        folder.mkdir()
        for page in pages:
            seen.add(page)
            match = _BODY.search((library / page).read_text(encoding="utf-8"))
            if match is None:
                continue
            body = match.group(1)
            (folder / page).write_text(f"<html><body>{body}</body></html>\n", encoding="utf-8")
            count += 1
    return count


def make_reuters(out: Path, debs: Path) -> int:
    probe = "/usr/lib/R/site-library/tm/texts/acq"
    root = package_root("r-cran-tm", probe, debs)
    if root is None:
        return 0
    texts = root / Path(probe).parent.relative_to("/")
    target = fresh(out / "reuters")
    count = 0
    for label in ("acq", "crude"):
        (target / label).mkdir()
        for path in sorted((texts / label).glob("*.xml")):
            xml = path.read_text(encoding="utf-8", errors="replace")
            title = re.search(r"<TITLE>(.*?)</TITLE>", xml, re.S)
            body = re.search(r"<BODY>(.*?)</BODY>", xml, re.S)
            text = "\n\n".join(html.unescape(m.group(1)).strip() for m in (title, body) if m)
            (target / label / f"{path.stem}.txt").write_text(text + "\n", encoding="utf-8")
            count += 1
    return count


_ROFF_ESCAPE = re.compile(r"\\f(\[[^\]]*\]|\(..|.)|\\\*(\[[^\]]*\]|\(..|.)|\\s[-+]?\d|\\[&|^%:]")


def roff_to_text(source: str) -> str:
    """Man-page roff as plain text: comments and requests dropped, the words of font and heading
    macros (.B, .I, .SH, .BR ...) kept, font changes and escapes removed."""
    lines = []
    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        if line.startswith((".", "'")):
            name, _, rest = line[1:].partition(" ")
            if name in {"B", "I", "BR", "BI", "IB", "IR", "RB", "RI", "SH", "SS", "TP", "IP", "TH"} and rest:
                if name == "SH":
                    lines.append("")
                line = rest.replace('"', "")
            else:
                if name in {"PP", "P", "LP", "SH", "sp"}:
                    lines.append("")
                continue
        line = _ROFF_ESCAPE.sub("", line).replace("\\-", "-").replace("\\e", "\\").replace("\\(em", "—")
        line = re.sub(r"\\\(..", "", line).replace("\\ ", " ")
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def make_manpages(out: Path, debs: Path) -> int:
    roots = {}
    for package, probe in (("manpages", "/usr/share/man/man7/man.7.gz"), ("manpages-dev", "/usr/share/man/man2/read.2.gz")):
        roots[package] = package_root(package, probe, debs)
        if roots[package] is None:
            return 0
    target = fresh(out / "manpages")
    count = 0
    for section, label in MAN_SECTIONS.items():
        pages = []
        for root in dict.fromkeys(roots.values()):
            folder = root / "usr/share/man" / f"man{section}"
            pages += [p for p in folder.glob(f"*.{section}*.gz") if not p.is_symlink()] if folder.is_dir() else []
        texts = []
        for path in sorted(pages, key=lambda p: p.name):
            source = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            if source.lstrip().startswith(".so "):
                continue  # an alias of another page
            texts.append((path.name.removesuffix(".gz"), source))
        step = max(1, -(-len(texts) // MAN_PER_SECTION))
        (target / label).mkdir()
        for name, source in texts[::step]:
            (target / label / f"{name}.txt").write_text(roff_to_text(source), encoding="utf-8")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/work/evalcorpora"))
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC)
    args = parser.parse_args()
    debs = args.out / ".debs"
    made = {
        "bbc": make_bbc(args.out, args.bbc),
        "pydoc": make_pydoc(args.out, debs),
        "reuters": make_reuters(args.out, debs),
        "manpages": make_manpages(args.out, debs),
    }
    for name, count in made.items():
        labels = sorted(p.name for p in (args.out / name).iterdir()) if count else []
        print(f"{name:9s} {count:5d} documents, {len(labels)} labels: {', '.join(labels)}" if count else f"{name:9s} MISSING")
    if not all(made.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
