"""What callers hand to intake, and what they get back.

The crawler pipeline builds `PageCapture` / `ImageCapture`, the OCR worker builds
`UploadText`, the tip form builds `TipCapture`. They are plain frozen dataclasses so no
Scrapy or web type crosses into `monitor`, and importing them loads nothing else: the crawl
process builds captures without importing the rest of intake (`monitor.intake` exports its
names lazily).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    """Current time, aware, in UTC (as `monitor.models.base.utcnow`; not imported from there
    so that the crawl process, which builds captures, never loads SQLAlchemy)."""
    return datetime.now(UTC)


#: A detector takes text and returns the `admon detect` JSON object (DEVELOPERS.md, rules):
#: {"violation", "risk", "score", "categories", "annualized_return", "hits": [...]}.
Detector = Callable[[str], Mapping[str, Any]]

#: Vias whose text comes from a crawled page (the rest come from images / people).
PAGE_VIAS = ("html", "js")


@dataclass(frozen=True)
class PageCapture:
    """One fetched page. `texts` maps via ("html", "js") to the visible text extracted that
    way; `nav_text` is navigation/boilerplate text kept as evidence but not scored."""

    url: str
    final_url: str = ""
    status: int | None = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    fetched_at: datetime = field(default_factory=utcnow)
    body: bytes = b""
    encoding: str = ""
    content_type: str = "text/html"
    texts: Mapping[str, str] = field(default_factory=dict)
    nav_text: str = ""
    title: str = ""
    redirect_chain: list[str] = field(default_factory=list)
    source_id: int | None = None
    run_id: int | None = None
    screenshot: bytes | None = None
    fetch_status: str = "ok"  # ok | too_large | timeout | redirect_loop | blocked_… | error
    rendered: bool = False
    community: str | None = None


@dataclass(frozen=True)
class ImageCapture:
    """An image found on a page, with the text OCR read from it (via=image)."""

    page_url: str
    image_url: str
    body: bytes
    text: str
    fetched_at: datetime = field(default_factory=utcnow)
    status: int | None = 200
    content_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    ocr_engine: str = ""
    page_capture_id: int | None = None
    source_id: int | None = None
    run_id: int | None = None
    community: str | None = None


@dataclass(frozen=True)
class UploadText:
    """Text read from a grid worker's poster upload (the `uploads` row already exists and
    its original is already in the evidence store)."""

    upload_id: int
    text: str
    seen_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class TipCapture:
    """A report from the public or a partner unit (举报). `upload_id` links a photo that
    was uploaded with it."""

    text: str
    link: str | None = None
    contact: str | None = None
    upload_id: int | None = None
    received_at: datetime = field(default_factory=utcnow)
    community: str | None = None


@dataclass
class IntakeResult:
    """What one intake call did. `lead_ids` lists every lead touched (new, new version,
    sighting or gone); the counters say how each was touched."""

    capture_id: int | None = None
    upload_id: int | None = None
    tip_id: int | None = None
    lead_ids: list[int] = field(default_factory=list)
    new_leads: int = 0
    new_versions: int = 0
    sightings: int = 0
    gone: int = 0  # known leads whose offending content was no longer there (整改复查)
    suppressed: int = 0  # vias whose hits were all removed by ignore rules
    attempts: int = 1  # >1 when a concurrent writer forced a retry
