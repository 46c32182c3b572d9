"""Chromium pages and contexts for rendered requests, recycled so memory stays bounded.

scrapy-playwright keeps a browser context alive until someone closes it; a 1,000-page
crawl through one context accumulates cache, cookies and renderer memory. Rendered
requests here name a context generation (`render-0`, `render-1`, …); after
PAGES_PER_CONTEXT pages the next generation starts, and the old context is closed once
its last page is closed. Pages are always closed by the callback or errback
(`playwright_include_page`), never left to the garbage collector. A crashed browser is
relaunched by scrapy-playwright itself (PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from playwright.async_api import Error as PlaywrightError

log = logging.getLogger(__name__)

PAGES_PER_CONTEXT = 40
NAVIGATION = {"wait_until": "networkidle", "timeout": 20_000}
# Closing a page or context of a browser that just died can wait forever on a lost reply;
# after this long we give up on it (the relaunched browser does not know it anyway).
CLOSE_TIMEOUT = 5.0


class RenderPool:
    """Hands out Playwright request meta and closes pages and retired contexts."""

    def __init__(self, pages_per_context: int = PAGES_PER_CONTEXT) -> None:
        self.pages_per_context = pages_per_context
        self.generation = 0
        self.handed_out = 0
        self.open_pages: Counter[str] = Counter()

    @property
    def current(self) -> str:
        return f"render-{self.generation}"

    def meta(self) -> dict[str, Any]:
        """Meta for one rendered request (the caller must later call `release`)."""
        name = self.current
        self.handed_out += 1
        if self.handed_out >= self.pages_per_context:
            self.generation += 1
            self.handed_out = 0
        self.open_pages[name] += 1
        return {
            "playwright": True,
            "playwright_include_page": True,
            "playwright_context": name,
            "playwright_page_goto_kwargs": dict(NAVIGATION),
        }

    async def release(self, meta: dict[str, Any]) -> None:
        """Close the request's page; close its context if it is retired and now empty."""
        name = str(meta.get("playwright_context", ""))
        page = meta.pop("playwright_page", None)
        if self.open_pages[name] > 0:
            self.open_pages[name] -= 1
        context = None
        if page is not None:
            context = page.context
            if not page.is_closed():
                await self._close(page.close(), f"page of {name}")
        if context is not None and name != self.current and self.open_pages[name] == 0:
            del self.open_pages[name]
            log.debug("closing retired browser context %s", name)
            await self._close(context.close(), f"context {name}")

    @staticmethod
    async def _close(closing: Awaitable[None], what: str) -> None:
        try:
            await asyncio.wait_for(closing, CLOSE_TIMEOUT)
        except (PlaywrightError, TimeoutError) as exc:  # the browser died under it
            log.info("%s not closed cleanly: %s", what, exc.__class__.__name__)
