"""Visible text of an HTML page, with navigation and footers kept apart from the body.

The rules must judge what a merchant *says* on a page, not the site's menu repeated on every
page (a portal's nav reading "投资理财" would otherwise touch every capture). So text inside
`<nav>`, `<header>`, `<footer>`, `<aside>` and elements whose role/id/class marks them as
navigation goes to `nav_text`; everything else visible goes to `body_text`. Scripts, styles,
templates and hidden elements are dropped. lxml parses (fast, forgiving); BeautifulSoup
gives the tree walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

INVISIBLE = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg"}
NAV_TAGS = {"nav", "header", "footer", "aside"}
NAV_ROLES = {"navigation", "banner", "contentinfo", "menu", "menubar"}
NAV_WORDS = re.compile(r"(^|[-_ ])(nav|navbar|menu|breadcrumb|footer|sidebar)([-_ ]|$)", re.I)
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article", "main",
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "dt", "dd", "blockquote", "pre", "form",
    "label", "option", "figcaption", "caption", "body", "html", *NAV_TAGS,
}
SPACED_TAGS = {"a", "button", "img", "input", "select"}  # keep neighbours apart
# Script text that means "content arrives after load" (one of the render-auto signals).
FETCH_CALLS = re.compile(r"\bfetch\s*\(|XMLHttpRequest|\$\.(ajax|get|getJSON|post)\b|axios\.")
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


@dataclass
class PageText:
    """What a page shows a reader, and the script facts the render decision needs."""

    title: str = ""
    body_text: str = ""
    nav_text: str = ""
    script_count: int = 0
    inline_fetch: bool = False  # an inline script calls fetch/XHR
    script_srcs: list[str] = field(default_factory=list)


def _is_hidden(tag: Tag) -> bool:
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden") or "") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _is_nav(tag: Tag) -> bool:
    if tag.name in NAV_TAGS or str(tag.get("role") or "").lower() in NAV_ROLES:
        return True
    classes: Any = tag.get("class") or []
    names = classes if isinstance(classes, list) else [classes]
    words = " ".join([*names, str(tag.get("id") or "")])
    return bool(NAV_WORDS.search(words))


def _walk(node: Tag, in_nav: bool, body: list[str], nav: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            text = SPACES.sub(" ", str(child))
            if text.strip():
                (nav if in_nav else body).append(text)
            continue
        if not isinstance(child, Tag) or child.name in INVISIBLE or _is_hidden(child):
            continue
        nav_here = in_nav or _is_nav(child)
        target = nav if nav_here else body
        sep = "\n" if child.name in BLOCK_TAGS else " " if child.name in SPACED_TAGS else ""
        target.append(sep)
        _walk(child, nav_here, body, nav)  # <img alt> is not shown: OCR reads the picture
        target.append(sep)


def _join(parts: list[str]) -> str:
    lines = (SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def extract_text(html: str) -> PageText:
    """Split `html` into title, body text and nav text; note what its scripts do."""
    soup = BeautifulSoup(html, "lxml")
    result = PageText()
    title = soup.find("title")
    if title is not None:
        result.title = SPACES.sub(" ", title.get_text()).strip()
    for script in soup.find_all("script"):
        result.script_count += 1
        src = script.get("src")
        if src:
            result.script_srcs.append(str(src))
        elif FETCH_CALLS.search(script.get_text()):
            result.inline_fetch = True
    root = soup.body or soup
    body: list[str] = []
    nav: list[str] = []
    _walk(root, False, body, nav)
    result.body_text = _join(body)
    result.nav_text = _join(nav)
    return result


def new_lines(rendered: str, static: str) -> str:
    """Lines of the rendered text that the static HTML did not already show.

    A JavaScript-rendered page repeats everything the server sent; keeping only the new
    lines makes `via=js` mean "only visible after scripts ran".
    """
    seen = set(static.splitlines())
    return "\n".join(line for line in rendered.splitlines() if line not in seen)
