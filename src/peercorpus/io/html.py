"""The main text of a web page: scripts, navigation and page boilerplate left out.

Semantic elements (``nav``, ``header``, ``footer``, ``aside``, scripts, ...) go first; then
elements whose ``class``, ``id`` or ``role`` names boilerplate (cookie banners, menus,
sidebars, comments, share buttons, ...), unless one holds most of the page's text::

    text, encoding, metadata, warnings, removed = read_html(Path("post.html"))
    removed   # 'page boilerplate: cookie, menu, sidebar, comments, footer (182 chars)'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .formats import Read
from .text import decode, read_bytes

_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg", "template", "iframe", "button")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td", "th", "dd", "dt", "figcaption", "br")

# Words in class/id names that mark boilerplate, matched whole ("cookie-banner", "site_menu",
# "navbar"), never inside a longer word ("menuitem" in a recipe, "commentary" stay).
_BOILERPLATE_WORDS = frozenset(
    "cookie cookies consent banner menu nav navbar navigation breadcrumb breadcrumbs sidebar widget "
    "footer comment comments share sharing social related advert adverts advertisement ad ads "
    "newsletter subscribe popup modal".split()
)
_BOILERPLATE_ROLES = frozenset(("navigation", "banner", "contentinfo", "complementary"))
_NEVER_DROPPED = ("html", "body", "main", "article")
_MAIN_TEXT = ["main", "article"]
_NAME_WORDS = re.compile(r"[A-Za-z]+")

# Real pages nest a few dozen elements deep. Deeper nesting (100,000 divs, 30,000 nested tables,
# tags never closed) makes building and walking a tree quadratic, so such a page is read as
# flat text in one linear pass instead (boilerplate then not told apart), with a warning.
MAX_DEPTH = 400
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# Elements that never hold others, or whose end tag HTML lets a page leave out.
_FLAT_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option thead tbody tfoot colgroup rp rt".split()
)


def read_html(path: Path) -> Read:
    """Text of ``<main>``/``<article>``/``role=main`` if present, else of ``<body>``, one
    paragraph per block element; ``removed`` says which boilerplate was left out."""
    from bs4 import BeautifulSoup

    raw, encoding, warnings = decode(read_bytes(path))
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        warnings.append(f"HTML nested more than {MAX_DEPTH} elements deep; read as flat text, page boilerplate kept")
        return Read(flat_text(raw), encoding, {}, warnings, "")
    soup = BeautifulSoup(raw, "lxml")
    metadata: dict[str, Any] = {}
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = soup.title.get_text(" ", strip=True)
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    body = soup.find("main") or soup.find("article") or soup.find(role="main") or soup.body or soup
    removed = drop_boilerplate(body)
    for tag in body.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    blocks = [" ".join(block.split()) for block in body.get_text().split("\n\n")]
    text = "\n\n".join(block for block in blocks if block)
    return Read(text, encoding, metadata, warnings, removed)


def nesting_depth(html: str, stop: int = MAX_DEPTH) -> int:
    """How deep elements nest, counted from the tags in one pass (elements that cannot hold
    others or may be left open, such as ``<br>`` and ``<p>``, are not counted); counting stops
    a little past ``stop``.

    >>> nesting_depth("<div><div><p>a<br>b</div></div>")
    2
    """
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT_TAGS:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > 2 * stop:
                    break
    return deepest


def flat_text(html: str) -> str:
    """The text of a page in one linear pass (no tree): scripts and styles left out, a blank
    line at each block element.

    >>> flat_text("<div><div>Deep <b>text</b><script>x()</script></div><p>More")
    'Deep text\\n\\nMore'
    """
    from html.parser import HTMLParser

    blocks = frozenset(_BLOCK_TAGS)
    skipped = frozenset(("script", "style", "template", "noscript", "svg"))
    pieces: list[str] = []
    state = {"skip": 0}

    class _Text(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in skipped:
                state["skip"] += 1
            elif tag in blocks:
                pieces.append("\n\n")

        def handle_endtag(self, tag):
            if tag in skipped:
                state["skip"] = max(state["skip"] - 1, 0)
            elif tag in blocks:
                pieces.append("\n\n")

        def handle_data(self, data):
            if not state["skip"]:
                pieces.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    blocks_text = (" ".join(block.split()) for block in "".join(pieces).split("\n\n"))
    return "\n\n".join(block for block in blocks_text if block)


def drop_boilerplate(root) -> str:
    """Remove elements of ``root`` named as boilerplate; say what went (``""`` if nothing).

    An element holding more than half of ``root``'s text, or a ``main``/``article``, stays:
    a wrapper called ``content-with-sidebar`` is the page, not its sidebar.

    >>> from bs4 import BeautifulSoup
    >>> page = BeautifulSoup('<body><div class="menu">Home</div><p>Gardens give rest.</p></body>', "lxml")
    >>> drop_boilerplate(page.body), page.body.get_text()
    ('page boilerplate: menu (4 chars)', 'Gardens give rest.')
    """
    total = _text_length(root)
    names: list[str] = []
    chars = 0
    for tag in root.find_all(True):
        # not ``tag.decomposed``: bs4 looks the unset attribute up as a child tag named
        # '_decomposed', a search of the whole subtree for every tag (quadratic)
        if tag.__dict__.get("_decomposed") or tag.name in _NEVER_DROPPED:
            continue
        name = boilerplate_name(tag)
        if name is None or tag.find(_MAIN_TEXT) is not None:
            continue
        length = _text_length(tag)
        if length > total / 2:
            continue
        if name not in names:
            names.append(name)
        chars += length
        tag.decompose()
    return f"page boilerplate: {', '.join(names)} ({chars:,} chars)" if names else ""


def boilerplate_name(tag) -> str | None:
    """The first boilerplate word in ``tag``'s role, id or class names, else ``None``.

    >>> from bs4 import BeautifulSoup
    >>> boilerplate_name(BeautifulSoup('<div id="cookie-banner">x</div>', "lxml").div)
    'cookie'
    """
    role = str(tag.get("role") or "").lower()
    if role in _BOILERPLATE_ROLES:
        return role
    classes = tag.get("class") or []
    names = [str(tag.get("id") or ""), *(classes if isinstance(classes, list) else [classes])]
    for name in names:
        for word in _NAME_WORDS.findall(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)):
            if word.lower() in _BOILERPLATE_WORDS:
                return word.lower()
    return None


def _text_length(tag) -> int:
    return len(" ".join(tag.get_text(" ").split()))
