"""What the spider yields: typed items (dataclasses, which Scrapy's itemadapter supports).

They carry only what was fetched and extracted; the pipeline turns them into
`monitor.intake` captures. They are picklable, so a page waiting for its rendered half can
sit in a JOBDIR disk queue across a pause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Request meta flag: this request yields no page (an image, a screenshot). The pipeline
#: sends a part-filled batch at once when only such requests are downloading: no page can
#: join it, so waiting for one would only delay the end of the crawl.
NOT_A_PAGE = "admon_not_a_page"


def utc_now() -> datetime:
    """Capture time: timezone-aware UTC (intake refuses naive times)."""
    return datetime.now(UTC)


@dataclass
class PageItem:
    """A fetched HTML page: raw evidence plus the text a reader sees.

    `html_text` is the static page's body text; `js_text` holds only the lines that
    appeared after Chromium ran the page's scripts (None when not rendered).
    """

    url: str  # as first requested (before redirects)
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    encoding: str
    content_type: str
    title: str
    html_text: str
    nav_text: str
    fetched_at: datetime = field(default_factory=utc_now)
    redirect_chain: list[str] = field(default_factory=list)
    js_text: str | None = None
    rendered: bool = False
    render_reason: str = ""
    depth: int = 0


@dataclass
class ImageItem:
    """An image referenced by a page (img src/srcset, CSS background), fetched with a cap."""

    page_url: str
    image_url: str
    body: bytes
    content_type: str
    status: int
    headers: dict[str, str]
    fetched_at: datetime = field(default_factory=utc_now)


@dataclass
class FetchErrorItem:
    """A page that could not be captured, recorded rather than fatal.

    fetch_status: http_error | too_large | timeout | redirect_loop | offsite_redirect |
    blocked_private_target | render_error | error.
    """

    url: str
    fetch_status: str
    detail: str
    status: int | None = None
    redirect_chain: list[str] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=utc_now)


@dataclass
class ScreenshotItem:
    """A full-page Chromium screenshot of a page that raised a lead (evidence)."""

    capture_id: int
    url: str
    png: bytes
