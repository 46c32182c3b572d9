"""scrapy-playwright's download handler with a hard time limit on rendered requests.

With scrapy-playwright 0.0.48, a request whose Chromium was killed mid-render can wait
forever for a reply that never comes (seen in tests/crawlers/test_browser_crash.py): the
crawl then never finishes, not even on CLOSESPIDER_TIMEOUT, because Scrapy waits for
in-flight downloads. Scrapy's DOWNLOAD_TIMEOUT does not reach inside the handler, so the
limit is applied here; a render that exceeds it fails with DownloadTimeoutError, and the
spider records the page's static capture plus a `render_error`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

DEFAULT_RENDER_TIMEOUT = 60.0  # seconds: navigation (20 s) + scripts + page content


class BoundedPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """Rendered requests end within ADMON_RENDER_TIMEOUT seconds, one way or the other."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.render_timeout = crawler.settings.getfloat(
            "ADMON_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT
        )

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            response: Response = await super().download_request(request)
            return response
        try:
            rendered: Response = await asyncio.wait_for(
                super().download_request(request), self.render_timeout
            )
        except TimeoutError as exc:
            raise DownloadTimeoutError(
                f"rendering {request.url} took longer than {self.render_timeout:.0f} s"
            ) from exc
        return rendered
