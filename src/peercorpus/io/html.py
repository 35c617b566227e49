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


def read_html(path: Path) -> Read:
    """Text of ``<main>``/``<article>``/``role=main`` if present, else of ``<body>``, one
    paragraph per block element; ``removed`` says which boilerplate was left out."""
    from bs4 import BeautifulSoup

    raw, encoding, warnings = decode(read_bytes(path))
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
        if tag.decomposed or tag.name in _NEVER_DROPPED:
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
