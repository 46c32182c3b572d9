"""Progress of a running crawl, written as JSON lines to a pipe the parent process reads.

`admon crawl` runs Scrapy in a child process; the parent draws the progress line on the
terminal and records the run. This extension is the child's side: once a second (and once
at the end) it writes `{"pages", "queued", "leads", "errors", ...}` to the file descriptor
in ADMON_PROGRESS_FD. Without that setting it is off (NotConfigured).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawlers.items import utc_now

INTERVAL_SECONDS = 1.0


def snapshot(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures the progress line and the run record need, from Scrapy's stats."""
    enqueued = int(stats.get("scheduler/enqueued", 0))
    dequeued = int(stats.get("scheduler/dequeued", 0))
    started = stats.get("start_time")
    elapsed = (utc_now() - started).total_seconds() if isinstance(started, datetime) else 0.0
    return {
        "pages": int(stats.get("admon/pages", 0)),
        "parsed": int(stats.get("admon/parsed", 0)),
        "elapsed": round(elapsed, 3),
        "rendered": int(stats.get("admon/pages_rendered", 0)),
        "queued": max(0, enqueued - dequeued),
        "leads": int(stats.get("admon/leads_new", 0)),
        "versions": int(stats.get("admon/lead_versions", 0)),
        "errors": int(stats.get("admon/errors", 0)),
        "images": int(stats.get("admon/images_read", 0)),
        "screenshots": int(stats.get("admon/screenshots", 0)),
        "requests": int(stats.get("downloader/request_count", 0)),
        "error_kinds": {
            key.removeprefix("admon/errors/"): int(value)
            for key, value in stats.items()
            if key.startswith("admon/errors/")
        },
    }


class ProgressReporter:
    """Periodic JSON progress lines; a final `{"done": true, "reason": ...}` line."""

    def __init__(self, crawler: Crawler, fd: int) -> None:
        self.crawler = crawler
        self.out = os.fdopen(fd, "w", buffering=1, encoding="utf-8", closefd=False)
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        fd = crawler.settings.getint("ADMON_PROGRESS_FD", -1)
        if fd < 0:
            raise NotConfigured("no progress pipe")
        reporter = cls(crawler, fd)
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        return reporter

    def _write(self, extra: dict[str, Any] | None = None) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        line = snapshot(stats) | (extra or {})
        try:
            self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
        except (BrokenPipeError, ValueError):
            self.stop()  # the parent went away; the crawl still finishes and records itself

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self._write)
        self.loop.start(INTERVAL_SECONDS, now=True)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def spider_closed(self, reason: str) -> None:
        self.stop()
        self._write({"done": True, "reason": reason})
