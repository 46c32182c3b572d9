"""Name what went wrong with a request, so it is recorded as data instead of a traceback.

Each failed page becomes a capture with a `fetch_status` (faults.md rows 17–23); the
crawl itself never stops for one bad page.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from scrapy import Request
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import TimeoutError as TwistedTimeout
from twisted.python.failure import Failure

from crawlers.middlewares import RedirectRefused


@dataclass(frozen=True)
class FailureRecord:
    """`fetch_status`, a one-line detail, the HTTP status if any, and the redirect chain."""

    fetch_status: str
    detail: str
    status: int | None = None
    chain: list[str] = field(default_factory=list)


def failed_request(failure: Failure) -> Request:
    """The request a Scrapy errback failure belongs to (Scrapy sets `failure.request`)."""
    request = getattr(failure, "request", None)
    if not isinstance(request, Request):
        raise TypeError(f"not a request failure: {failure!r}")
    return request


def _too_large(message: str) -> bool:
    return "DOWNLOAD_MAXSIZE" in message or "maxsize" in message.lower()


def classify(failure: Failure) -> FailureRecord | None:
    """A record for `failure`, or None when nothing should be recorded (robots.txt said no:
    that page was never ours to fetch)."""
    exc = failure.value
    message = str(exc) or exc.__class__.__name__
    request = getattr(failure, "request", None)
    chain = list(request.meta.get("redirect_urls", [])) if request is not None else []
    if isinstance(exc, RedirectRefused):
        return FailureRecord(exc.fetch_status, message, None, exc.chain)
    if isinstance(exc, HttpError):
        status = exc.response.status
        return FailureRecord("http_error", f"HTTP {status}", status, chain)
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return None
        if _too_large(message):
            return FailureRecord("too_large", message, None, chain)
        return FailureRecord("ignored", message, None, chain)
    if isinstance(exc, DownloadCancelledError | CancelledError) and _too_large(message):
        return FailureRecord("too_large", message, None, chain)
    if isinstance(exc, DownloadCancelledError | CancelledError):
        return FailureRecord("too_large", f"download cancelled: {message}", None, chain)
    if isinstance(exc, DownloadTimeoutError | TwistedTimeout | asyncio.TimeoutError):
        return FailureRecord("timeout", message, None, chain)
    if exc.__class__.__module__.startswith("playwright"):
        return FailureRecord("render_error", message.splitlines()[0][:300], None, chain)
    return FailureRecord("error", f"{exc.__class__.__name__}: {message}"[:300], None, chain)
