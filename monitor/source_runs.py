"""Running one crawl at a time per monitored source (监测源) in the background, for the web
page's "run now": `CrawlLauncher` starts `monitor.crawling.run_crawl` in a thread so the
request returns at once, and refuses a second run of a source while one is going. The
sources themselves are `monitor.sources`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from monitor.crawling import CrawlPlan, run_crawl
from monitor.errors import AdmonError, ConflictError
from monitor.models.core import Source
from monitor.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class LiveRun:
    """A crawl started from the web page: its latest progress line, then its outcome."""

    source_id: int
    progress: dict[str, Any] = field(default_factory=dict)
    status: str = "running"
    run_id: int | None = None
    error: str = ""
    thread: threading.Thread | None = None


class CrawlLauncher:
    """At most one running crawl per source, each in its own thread (the crawl itself is a
    Scrapy subprocess started by `run_crawl`)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self._runs: dict[int, LiveRun] = {}
        self._lock = threading.Lock()

    def start(self, source: Source) -> LiveRun:
        """Start crawling `source`; ConflictError if it is already being crawled."""
        plan = CrawlPlan.for_source(source, trigger="web")
        with self._lock:
            current = self._runs.get(source.id)
            if current is not None and current.status == "running":
                raise ConflictError(f"监测源「{source.name}」正在抓取中，请等本次结束后再运行")
            live = LiveRun(source.id)
            live.thread = threading.Thread(
                target=self._run, args=(live, plan), name=f"crawl-{source.id}", daemon=True
            )
            self._runs[source.id] = live
        live.thread.start()
        return live

    def _run(self, live: LiveRun, plan: CrawlPlan) -> None:
        try:
            summary = run_crawl(
                self.settings, self.sessions, plan, on_progress=live.progress.update
            )
            live.run_id, live.status = summary.run_id, summary.status
        except AdmonError as exc:
            live.status, live.error = "failed", str(exc)
        except Exception as exc:  # a thread's failure must reach the page, not vanish
            log.exception("crawl of source %s failed", live.source_id)
            live.status, live.error = "failed", f"{type(exc).__name__}: {exc}"

    def live(self, source_id: int) -> LiveRun | None:
        """The latest web-started run of a source (running or finished), if any."""
        return self._runs.get(source_id)

    def wait(self, source_id: int, timeout: float) -> None:
        """Wait for a source's run to end (tests, shutdown)."""
        live = self._runs.get(source_id)
        if live is not None and live.thread is not None:
            live.thread.join(timeout)
