"""Downloader middlewares: redirect guard, and retries that back off and honour Retry-After.

Both extend Scrapy's own machinery instead of replacing it: Scrapy still follows redirects
(RedirectMiddleware, MetaRefreshMiddleware) and decides what to retry (RetryMiddleware);
these add the checks and delays a public-sector crawler needs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Self
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import get_meta_refresh

from crawlers.links import Origin, classify_target

log = logging.getLogger(__name__)


class RedirectRefused(IgnoreRequest):
    """A redirect the crawl will not follow; the errback records it with its chain."""

    def __init__(self, fetch_status: str, chain: list[str], target: str) -> None:
        super().__init__(f"{fetch_status}: {' -> '.join([*chain, target])}")
        self.fetch_status = fetch_status
        self.chain = [*chain, target]
        self.target = target


class RedirectGuardMiddleware:
    """Refuse redirect loops and redirects off the crawl's origin, before Scrapy follows them.

    Sits closer to the downloader than RedirectMiddleware (priority 650 > 600), so it sees
    the 3xx / meta-refresh response first. Scrapy alone would drop the second visit to /a
    in /a → /b → /a as a duplicate, silently; here it becomes a `redirect_loop` record.
    A jump into private address space is refused without any request being made
    (`blocked_private_target`, faults.md row 19).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.meta_refresh_maxdelay = crawler.settings.getfloat("METAREFRESH_MAXDELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _target(self, request: Request, response: Response) -> str | None:
        if 300 <= response.status < 400 and b"Location" in response.headers:
            location = response.headers[b"Location"] or b""
            return urljoin(request.url, location.decode("latin1"))
        if isinstance(response, HtmlResponse) and not request.meta.get("playwright"):
            interval, url = get_meta_refresh(response)
            if url and interval is not None and interval < self.meta_refresh_maxdelay:
                return str(url)
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        target = self._target(request, response)
        if target is None:
            return response
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target.split("#", 1)[0] in chain:
            raise RedirectRefused("redirect_loop", chain, target)
        origins: list[Origin] = getattr(self.crawler.spider, "origins", [])
        reasons = [classify_target(target, origin) for origin in origins]
        if origins and None not in reasons:
            refusal = "blocked_private_target" if "blocked_private_target" in reasons else (
                "offsite_redirect"
            )
            raise RedirectRefused(refusal, chain, target)
        return response


def retry_after_seconds(value: bytes | str | None, cap: float) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped at `cap`."""
    if not value:
        return None
    text = value.decode("latin1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return min(float(text), cap)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    from crawlers.items import utc_now

    return max(0.0, min((when - utc_now()).total_seconds(), cap))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, plus a wait before each retry.

    The wait is exponential (RETRY_BACKOFF_BASE × 2^(n-1), capped by RETRY_BACKOFF_MAX) or,
    for a 429/503 with Retry-After, what the server asked for (capped by
    RETRY_AFTER_MAX) — a crawler of a government office must not hammer a small merchant's
    site. The wait happens in `process_request` of the retried request, without blocking
    the reactor or the other requests.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.max_wait = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = request.meta.pop("retry_wait", None)
        if delay:
            log.debug("waiting %.1fs before retrying %s", delay, request.url)
            await asyncio.sleep(float(delay))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"), self.retry_after_max)
            self._set_wait(result, wait)
        return result

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._set_wait(result, None)
        return result

    def _set_wait(self, retry: Request, server_wait: float | None) -> None:
        attempt = int(retry.meta.get("retry_times", 1))
        backoff = min(self.base * 2 ** (attempt - 1), self.max_wait)
        retry.meta["retry_wait"] = max(backoff, server_wait or 0.0)
        retry.meta["retry_waited"] = retry.meta["retry_wait"]


def describe(meta: dict[str, Any]) -> str:
    """`retry 2 after 4.0s` for logs and error records, or ''."""
    if "retry_times" not in meta:
        return ""
    return f"retry {meta['retry_times']} after {meta.get('retry_waited', 0):.1f}s"
