"""Run one crawl (爬取) of a source or of ad-hoc URLs, in a child process, and record it.

`admon crawl`, `admon sources crawl` and the nightly scheduler all call `run_crawl`. Scrapy
runs in a fresh process (`python -m crawlers.run`) because Twisted's reactor cannot be
restarted in one process; this side writes the crawl_runs row, prepares the source's JOBDIR
(resume after a clean stop, fresh after anything else — `crawlers.jobdir`), relays progress
lines from the child, forwards Ctrl-C once (Scrapy then stops cleanly and saves its queue),
and records how the run ended.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers import jobdir as jobdirs
from crawlers.browser import ChromiumMissing, find_chromium
from crawlers.render import RENDER_MODES
from monitor.errors import ConfigError, InvalidInput
from monitor.models.base import utcnow
from monitor.models.core import CrawlRun, Source
from monitor.settings import Settings

Progress = Callable[[dict[str, Any]], None]
FINISHED_REASONS = ("finished", "closespider_timeout", "closespider_pagecount",
                    "closespider_itemcount", "closespider_errorcount")


@dataclass(frozen=True)
class CrawlPlan:
    """What to crawl and how. `scrapy_settings` adds Scrapy overrides (tests, benchmarks)."""

    urls: tuple[str, ...]
    source_id: int | None = None
    max_pages: int = 500
    max_depth: int = 5
    render: str = "auto"
    needs_js: bool = False
    screenshots: bool = True
    images: bool = True
    community: str | None = None
    trigger: str = "cli"
    scrapy_settings: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def for_source(cls, source: Source, **overrides: Any) -> CrawlPlan:
        """The plan a configured source asks for; keyword overrides win (CLI options)."""
        values: dict[str, Any] = {
            "urls": tuple(source.start_urls), "source_id": source.id,
            "max_pages": source.max_pages, "max_depth": source.max_depth,
            "render": source.render, "community": source.community,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass
class CrawlSummary:
    """How a crawl ended, as recorded in crawl_runs (plus what the terminal shows)."""

    run_id: int
    status: str  # finished | interrupted | failed
    pages: int = 0
    rendered: int = 0
    leads_new: int = 0
    lead_versions: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    images: int = 0
    screenshots: int = 0
    requests: int = 0
    parsed: int = 0  # pages the spider extracted (counted even with the pipeline off)
    crawl_seconds: float = 0.0  # Scrapy's own elapsed time, without process start-up
    seconds: float = 0.0
    resumed: bool = False
    notes: list[str] = field(default_factory=list)
    log_file: Path | None = None


def validate_urls(urls: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """http(s) URLs with a host, or InvalidInput naming the first bad one."""
    if not urls:
        raise InvalidInput("give at least one URL to crawl (http:// or https://)")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"not an http(s) URL: {url!r}")
    return tuple(urls)


def job_key(plan: CrawlPlan) -> str:
    """JOBDIR name: one per source; ad-hoc URL sets get one per set of URLs."""
    if plan.source_id is not None:
        return f"source-{plan.source_id}"
    digest = hashlib.sha1("\n".join(sorted(plan.urls)).encode()).hexdigest()[:12]
    return f"adhoc-{digest}"


def _browser(settings: Settings, plan: CrawlPlan, notes: list[str]) -> str | None:
    try:
        return str(find_chromium(settings.chromium_path))
    except ChromiumMissing as exc:
        if plan.render != "never":
            raise ConfigError(str(exc)) from exc
        if plan.screenshots:
            notes.append("no Chromium: pages that raise leads get no screenshot")
        return None


#: A "running" row that names no process (written before processes were recorded, or on
#: another host) is taken as orphaned once it is this old: no crawl of ours runs a day.
STALE_AFTER = timedelta(hours=24)


def _process_entry(child_pid: int | None = None) -> dict[str, Any]:
    """The error_log entry naming who records a running crawl (this process) and its child."""
    entry: dict[str, Any] = {"process": {"host": socket.gethostname(), "pid": os.getpid()}}
    if child_pid is not None:
        entry["process"]["child_pid"] = child_pid
    return entry


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _orphan_reason(run: CrawlRun, now: datetime) -> str | None:
    """Why a "running" row can no longer be running, or None while it may be."""
    process = next((e["process"] for e in run.error_log or []
                    if isinstance(e, dict) and isinstance(e.get("process"), dict)), None)
    started = run.started_at
    stale = started is not None and now - started > STALE_AFTER
    if process is None or process.get("host") != socket.gethostname():
        if stale:
            return f"still 'running' after {STALE_AFTER}; no process of ours records it"
        return None
    pid = int(process.get("pid", 0))
    if pid == os.getpid() or _alive(pid):
        return None
    child = process.get("child_pid")
    if child is not None and _alive(int(child)) and not stale:
        return None  # the crawler still works; the row is settled once it exits
    return (f"the process recording it (pid {pid} on {process['host']}) is gone; "
            "the next crawl of these URLs starts afresh")


def mark_orphaned_runs(sessions: sessionmaker[Session]) -> list[int]:
    """Mark crawl_runs rows left "running" by a dead scheduler/parent as "interrupted" (with
    a note); returns their ids. Called when a crawl and when the scheduler starts."""
    marked: list[int] = []
    with sessions() as session:
        now = utcnow()
        for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
            reason = _orphan_reason(run, now)
            if reason is None:
                continue
            run.status = "interrupted"
            run.finished_at = now
            run.error_log = [*(run.error_log or []), {"note": f"marked interrupted: {reason}"}]
            marked.append(int(run.id))
        session.commit()
    return marked


def _start_run(sessions: sessionmaker[Session], plan: CrawlPlan) -> int:
    with sessions() as session:
        run = CrawlRun(source_id=plan.source_id, status="running", trigger=plan.trigger,
                       error_log=[_process_entry()])
        session.add(run)
        session.commit()
        return int(run.id)


def _record_child(sessions: sessionmaker[Session], run_id: int, child_pid: int) -> None:
    with sessions() as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            run.error_log = [_process_entry(child_pid)]
            session.commit()


def _finish_run(sessions: sessionmaker[Session], summary: CrawlSummary) -> None:
    with sessions() as session:
        run = session.get(CrawlRun, summary.run_id)
        if run is None:  # deleted meanwhile; nothing to record into
            return
        run.finished_at = utcnow()
        run.status = summary.status
        run.pages = summary.pages
        run.leads_new = summary.leads_new
        run.errors = summary.errors
        run.error_log = [{"fetch_status": k, "count": v} for k, v in summary.error_kinds.items()]
        run.error_log += [{"note": note} for note in summary.notes]
        session.commit()


@contextlib.contextmanager
def _forward_sigint(child: subprocess.Popen[bytes]) -> Iterator[None]:
    """Ctrl-C in the parent → SIGINT to the child (its own session, so it gets it once).
    Scrapy stops cleanly on the first and forcibly on the second."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGINT, forward)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _config(settings: Settings, plan: CrawlPlan, run_id: int, jobdir: Path, log_file: Path,
            progress_fd: int, browser: str | None) -> dict[str, Any]:
    scrapy_settings: dict[str, Any] = {
        "ADMON_DATABASE_URL": settings.resolved_database_url,
        "ADMON_DATA_DIR": str(settings.data_dir.resolve()),
        "ADMON_RUN_ID": run_id,
        "ADMON_SOURCE_ID": plan.source_id or 0,
        "ADMON_COMMUNITY": plan.community or "",
        "ADMON_PROGRESS_FD": progress_fd,
        "ADMON_OCR_ENGINE": settings.ocr_engine,
        "ADMON_OCR_TIMEOUT": settings.ocr_timeout_seconds,
        "ADMON_IMAGE_MAX_PIXELS": settings.image_max_pixels,
        "JOBDIR": str(jobdir),
        "LOG_FILE": str(log_file),
    }
    scrapy_settings.update(plan.scrapy_settings)
    spider = {
        "urls": list(plan.urls), "max_pages": plan.max_pages, "max_depth": plan.max_depth,
        "render": plan.render, "needs_js": plan.needs_js,
        "screenshots": plan.screenshots and browser is not None, "images": plan.images,
    }
    return {"settings": scrapy_settings, "spider": spider, "browser": browser}


def _apply(summary: CrawlSummary, line: Mapping[str, Any]) -> None:
    summary.pages = int(line.get("pages", summary.pages))
    summary.rendered = int(line.get("rendered", summary.rendered))
    summary.leads_new = int(line.get("leads", summary.leads_new))
    summary.lead_versions = int(line.get("versions", summary.lead_versions))
    summary.errors = int(line.get("errors", summary.errors))
    summary.images = int(line.get("images", summary.images))
    summary.screenshots = int(line.get("screenshots", summary.screenshots))
    summary.requests = int(line.get("requests", summary.requests))
    summary.parsed = int(line.get("parsed", summary.parsed))
    summary.crawl_seconds = float(line.get("elapsed", summary.crawl_seconds))
    summary.error_kinds = dict(line.get("error_kinds", summary.error_kinds))


def run_crawl(
    settings: Settings,
    sessions: sessionmaker[Session],
    plan: CrawlPlan,
    on_progress: Progress | None = None,
) -> CrawlSummary:
    """Crawl `plan` to its end (or to Ctrl-C) and record the run; returns its summary."""
    urls = validate_urls(plan.urls)
    if plan.render not in RENDER_MODES:
        raise InvalidInput(f"render must be one of {', '.join(RENDER_MODES)}, not {plan.render!r}")
    notes: list[str] = []
    browser = _browser(settings, plan, notes)
    jobdir = settings.data_dir / "jobs" / job_key(plan)
    logs = settings.data_dir / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        resumed, why = jobdirs.prepare(jobdir, list(urls))
    except OSError as exc:
        raise ConfigError(f"cannot prepare {jobdir}: {exc.strerror or exc}") from exc
    notes.append(why)
    orphans = mark_orphaned_runs(sessions)
    if orphans:
        notes.append(f"marked earlier runs {', '.join(map(str, orphans))} interrupted "
                     "(their recording process was gone)")
    run_id = _start_run(sessions, plan)
    log_file = logs / f"crawl-{run_id}.log"
    summary = CrawlSummary(run_id=run_id, status="failed", resumed=resumed, notes=notes,
                           log_file=log_file)
    read_fd, write_fd = os.pipe()
    config_file = logs / f"crawl-{run_id}.json"
    config = _config(settings, plan, run_id, jobdir, log_file, write_fd, browser)
    config_file.write_text(json.dumps(config), encoding="utf-8")
    config_file.chmod(0o600)  # it holds the database URL
    started = time.monotonic()
    final: dict[str, Any] = {}
    try:
        with log_file.open("ab") as log:
            child = subprocess.Popen(
                [sys.executable, "-m", "crawlers.run", str(config_file)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(write_fd,), start_new_session=True,
            )
        os.close(write_fd)
        _record_child(sessions, run_id, child.pid)
        with _forward_sigint(child), os.fdopen(read_fd, encoding="utf-8") as progress:
            for raw in progress:
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue
                _apply(summary, line)
                if line.get("done"):
                    final = line
                elif on_progress is not None:
                    on_progress(line)
            returncode = child.wait()
    finally:
        config_file.unlink(missing_ok=True)
    summary.seconds = time.monotonic() - started
    reason = str(final.get("reason", ""))
    if returncode == 0 and reason in FINISHED_REASONS:
        summary.status = "finished"
    elif returncode == 0 and reason == "shutdown":
        summary.status = "interrupted"
        notes.append("stopped by Ctrl-C; the next crawl of these URLs resumes where this stopped")
    else:
        notes.append(f"crawler exited with status {returncode} ({reason or 'no reason'}); "
                     f"see {log_file}")
    jobdirs.finish(jobdir, summary.status, list(urls))
    _finish_run(sessions, summary)
    return summary
