"""Editing a monitored source (监测源), and running one crawl at a time per source in the
background for the web page's "run now".

`monitor.crawling` has `add_source`, `find_source`, `list_sources` and
`set_source_enabled`; this module adds `update_source` (the same checks as `add_source`)
and `CrawlLauncher`, which starts `monitor.crawling.run_crawl` in a thread so the request
returns at once, and refuses a second run of a source while one is going.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.crawling import CrawlPlan, run_crawl, validate_urls
from monitor.errors import AdmonError, ConflictError, InvalidInput
from monitor.models.core import SOURCE_KINDS, Source
from monitor.settings import Settings

log = logging.getLogger(__name__)

RENDER_MODES = ("auto", "always", "never")


def check_schedule(schedule: str | None) -> None:
    """A crontab line (`0 2 * * *`) or None; InvalidInput with the parser's reason."""
    if schedule is None:
        return
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(schedule)
    except ValueError as exc:
        raise InvalidInput(f"schedule must be a crontab line like '0 2 * * *': {exc}") from exc


def update_source(
    session: Session,
    source_id: int,
    *,
    name: str,
    urls: list[str],
    kind: str,
    max_pages: int,
    max_depth: int,
    render: str,
    schedule: str | None,
    community: str | None,
    notes: str = "",
) -> Source:
    """Change a source's settings (the checks of `monitor.crawling.add_source`)."""
    source = session.get(Source, source_id)
    if source is None:
        from monitor.errors import NotFound

        raise NotFound(f"no source {source_id}")
    if not name.strip():
        raise InvalidInput("a source needs a name")
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
    if render not in RENDER_MODES:
        raise InvalidInput(f"render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
    if max_pages < 1 or max_depth < 0:
        raise InvalidInput("max pages must be ≥ 1 and max depth ≥ 0")
    validate_urls(urls)
    check_schedule(schedule)
    clash = session.scalar(select(Source.id).where(Source.name == name, Source.id != source_id))
    if clash is not None:
        raise InvalidInput(f"a source named {name!r} already exists")
    source.name, source.kind, source.start_urls = name, kind, list(urls)
    source.max_pages, source.max_depth, source.render = max_pages, max_depth, render
    source.schedule, source.community, source.notes = schedule, community, notes
    session.flush()
    return source


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
