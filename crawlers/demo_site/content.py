"""The demo site's content: pages and images declared in YAML beside this module.

Keeping the texts in data files lets the tests ask "which pages should be flagged?" from
the same place the server reads them, so the site and its expectations cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PAGES_FILE = HERE / "pages.yaml"
IMAGES_FILE = HERE / "images.yaml"
STATIC_DIR = HERE / "static"


@dataclass(frozen=True)
class DemoPage:
    """One page of the demo town and what a correct detector says about it."""

    path: str
    title: str
    body: str
    expect: str  # violation | clean
    via: str | None = None  # html | js | image, for violations
    scripts: tuple[str, ...] = ()
    disallowed: bool = False  # under a robots.txt Disallow: must never be fetched
    sitemap_only: bool = False  # linked from nowhere; found only through sitemap.xml


@dataclass(frozen=True)
class DemoImage:
    """A PNG poster rendered from text lines (the text exists only as pixels)."""

    name: str
    lines: tuple[str, ...]
    expect: str
    extra: dict[str, Any] = field(default_factory=dict)


def _check(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: expected a mapping")
    return value


@lru_cache(maxsize=1)
def load_pages() -> dict[str, DemoPage]:
    """All YAML-declared pages by path."""
    raw = _check(yaml.safe_load(PAGES_FILE.read_text(encoding="utf-8")), str(PAGES_FILE))
    pages: dict[str, DemoPage] = {}
    for path, entry in raw.items():
        entry = _check(entry, f"{PAGES_FILE}: {path}")
        pages[path] = DemoPage(
            path=path,
            title=str(entry["title"]),
            body=str(entry["body"]),
            expect=str(entry["expect"]),
            via=entry.get("via"),
            scripts=tuple(entry.get("scripts", ())),
            disallowed=bool(entry.get("disallowed", False)),
            sitemap_only=bool(entry.get("sitemap_only", False)),
        )
    return pages


@lru_cache(maxsize=1)
def load_images() -> dict[str, DemoImage]:
    """All YAML-declared images by name (served as /images/<name>.png)."""
    raw = _check(yaml.safe_load(IMAGES_FILE.read_text(encoding="utf-8")), str(IMAGES_FILE))
    return {
        name: DemoImage(name=name, lines=tuple(entry["lines"]), expect=str(entry["expect"]))
        for name, entry in raw.items()
    }
