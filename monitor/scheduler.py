"""The nightly crawl schedule (定时巡查): APScheduler 3 with its job store in the project DB.

One job per enabled source, on the source's own crontab line or the default nightly one
(02:00 office time). Jobs are coalesced and may start up to 5 hours late, so a scheduler
that was down at 02:00 and is back at 07:00 runs each missed crawl exactly once
(faults.md row 27); a crawl missed by more than that is logged (EVENT_JOB_MISSED), not run.
Only one scheduler may run against a database: a second one fails to take the lock
(PostgreSQL advisory lock; for SQLite, an flock on a file beside the database).

Sources change while the scheduler runs, so the job list is re-synchronised from the
sources table every few minutes. A daily job at 07:00 writes the semi-monthly report
(半月报) on reporting days (the 15th and the month's last day) into <data dir>/reports.
A daily job at 06:00 re-crawls the pages of rectifications whose re-check date has come
(整改复查, `monitor.workflow.due_rechecks`): exactly those URLs, depth 0, so intake records
each re-check (still present / removed). On start, crawl runs left "running" by a dead
scheduler are marked interrupted (`monitor.crawling.mark_orphaned_runs`).
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobEvent, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawlers.browser import ChromiumMissing, find_chromium
from monitor.crawling import CrawlPlan, mark_orphaned_runs, run_crawl
from monitor.errors import ConflictError, InvalidInput
from monitor.models.core import Lead, Source
from monitor.settings import Settings
from monitor.sources import list_sources

log = logging.getLogger(__name__)

DEFAULT_NIGHTLY = "0 2 * * *"  # 02:00 office time: the sites are quiet, so are we
MISFIRE_GRACE_SECONDS = 5 * 3600  # faults.md row 27: down at 02:00, back at 07:00 → still runs
SYNC_MINUTES = 5
JOB_PREFIX = "crawl-source-"
RECHECK_HOUR = 6  # 06:00 office time: before staff arrive, after the nightly crawls
#: 04:30 office time: after the nightly crawls have written their evidence, before staff
#: arrive to see the result (faults.md row 28).
EVIDENCE_VERIFY_HOUR, EVIDENCE_VERIFY_MINUTE = 4, 30
ADVISORY_LOCK_KEY = 0x61646D6F6E  # "admon"
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1}


@dataclass
class _Context:
    """What a job needs at run time; set once per scheduler process by `configure`."""

    settings: Settings
    sessions: sessionmaker[Session]


_context: _Context | None = None


def configure(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """Tell the job functions which database and data directory this scheduler serves."""
    global _context
    _context = _Context(settings, sessions)


def crawl_source_job(source_id: int) -> str:
    """Scheduled job: crawl one source (stored by reference, so the job store stays small)."""
    if _context is None:
        raise RuntimeError("scheduler not configured")
    with _context.sessions() as session:
        source = session.get(Source, source_id)
        if source is None or not source.enabled:
            return f"source {source_id} gone or disabled; skipped"
        plan = CrawlPlan.for_source(source, trigger="schedule")
    summary = run_crawl(_context.settings, _context.sessions, plan)
    message = (f"source {source_id}: run {summary.run_id} {summary.status}, "
               f"{summary.pages} pages, {summary.leads_new} new leads, {summary.errors} errors")
    log.info(message)
    return message


def report_job() -> str:
    """Scheduled daily: on a reporting day, write the semi-monthly report once."""
    if _context is None:
        raise RuntimeError("scheduler not configured")
    from monitor.reports import default_path, is_report_day, write_report

    settings = _context.settings
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    if not is_report_day(today):
        return f"{today}: not a reporting day"
    out = default_path(settings.data_dir / "reports", today, "xlsx")
    if out.exists():
        return f"{out} already written"
    out.parent.mkdir(parents=True, exist_ok=True)
    with _context.sessions() as session:
        write_report(session, today, out, fmt="xlsx", timezone=settings.timezone)
    log.info("semi-monthly report written to %s", out)
    return str(out)


def recheck_urls(session: Session, as_of: date) -> list[str]:
    """The crawled pages (http/https) of the rectifications due for a re-check on `as_of`,
    once each, in due order; posters and tips have no page to fetch."""
    from monitor.workflow import due_rechecks

    urls: list[str] = []
    for rectification in due_rechecks(session, as_of):
        lead = session.get(Lead, rectification.lead_id)
        if lead is None or lead.source_kind != "web":
            continue
        if lead.url.startswith(("http://", "https://")) and lead.url not in urls:
            urls.append(lead.url)
    return urls


def recheck_plan(session: Session, as_of: date, *, render: str = "auto",
                 scrapy_settings: dict[str, Any] | None = None) -> CrawlPlan | None:
    """The re-check crawl for `as_of`: exactly the due pages, no links followed (depth 0),
    trigger "schedule"; None when nothing is due."""
    urls = recheck_urls(session, as_of)
    if not urls:
        return None
    return CrawlPlan(urls=tuple(urls), max_pages=len(urls), max_depth=0, render=render,
                     trigger="schedule", scrapy_settings=dict(scrapy_settings or {}))


def recheck_job(as_of: date | None = None, render: str | None = None,
                scrapy_settings: dict[str, Any] | None = None) -> str:
    """Scheduled daily: re-crawl the pages under rectification whose re-check date has come,
    so intake records 整改复查 (still present / removed) for each. The arguments are for
    tests (the scheduler passes none): the office-local day, render mode, Scrapy overrides."""
    if _context is None:
        raise RuntimeError("scheduler not configured")
    settings = _context.settings
    day = as_of or datetime.now(ZoneInfo(settings.timezone)).date()
    if render is None:
        try:
            find_chromium(settings.chromium_path)
            render = "auto"
        except ChromiumMissing:
            render = "never"  # a re-check without rendering beats none
    with _context.sessions() as session:
        plan = recheck_plan(session, day, render=render, scrapy_settings=scrapy_settings)
    if plan is None:
        return f"{day}: no re-checks due"
    summary = run_crawl(settings, _context.sessions, plan)
    message = (f"{day}: re-checked {len(plan.urls)} pages under rectification: run "
               f"{summary.run_id} {summary.status}, {summary.pages} pages, "
               f"{summary.errors} errors")
    log.info(message)
    return message


def verify_evidence_job() -> str:
    """Scheduled nightly: re-hash every evidence file and record the outcome in the audit
    log, where the review queue picks up a failing check (`monitor.evidence_checks`)."""
    if _context is None:
        raise RuntimeError("scheduler not configured")
    from monitor.evidence import EvidenceStore
    from monitor.evidence_checks import verify_and_record

    with _context.sessions() as session:
        report = verify_and_record(
            session, EvidenceStore(_context.settings.evidence_dir), "scheduler"
        )
    for problem in report.problems:
        log.error("evidence %s", problem)
    message = f"evidence: checked {report.checked} files, {len(report.problems)} problems"
    (log.info if report.ok else log.error)(message)
    return message


def trigger_for(source: Source, timezone: str) -> CronTrigger:
    """The source's crontab line (or the nightly default) in the office time zone."""
    expression = source.schedule or DEFAULT_NIGHTLY
    try:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    except ValueError as exc:
        raise InvalidInput(f"source {source.id}: bad schedule {expression!r}: {exc}") from exc


def sync_jobs(scheduler: BaseScheduler, sessions: sessionmaker[Session], timezone: str) -> int:
    """Make the scheduled jobs match the enabled sources; returns how many are scheduled."""
    with sessions() as session:
        sources = list_sources(session, enabled_only=True)
    wanted = {f"{JOB_PREFIX}{s.id}": s for s in sources}
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id)
    for job_id, source in wanted.items():
        try:
            trigger = trigger_for(source, timezone)
        except InvalidInput as exc:
            log.warning("%s", exc)
            continue
        existing = scheduler.get_job(job_id)
        if existing is not None and str(existing.trigger) == str(trigger):
            continue  # keep its next run time (and any pending misfire) as it is
        scheduler.add_job(
            "monitor.scheduler:crawl_source_job", trigger=trigger, args=[source.id],
            id=job_id, name=f"crawl {source.name}", replace_existing=True,
        )
    return len(wanted)


def _on_event(event: JobEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        log.warning("job %s missed its %s run (over the %d s grace time); next run as scheduled",
                    event.job_id, getattr(event, "scheduled_run_time", "?"),
                    MISFIRE_GRACE_SECONDS)
    elif isinstance(event, JobExecutionEvent) and event.exception is not None:
        log.error("job %s failed: %s", event.job_id, event.exception)


def build(scheduler: BaseScheduler, engine: Engine, settings: Settings,
          sessions: sessionmaker[Session]) -> BaseScheduler:
    """Configure `scheduler` (Blocking in production, Background in tests) for this DB."""
    configure(settings, sessions)
    scheduler.configure(
        # crawls persist in the project DB; the sync job holds live objects, so in memory
        jobstores={"default": SQLAlchemyJobStore(engine=engine), "memory": MemoryJobStore()},
        job_defaults=dict(JOB_DEFAULTS), timezone=settings.timezone,
    )
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    return scheduler


def start(scheduler: BaseScheduler, sessions: sessionmaker[Session], timezone: str) -> None:
    """Start (paused), sync jobs from the sources table, keep them synced, then run."""
    orphans = mark_orphaned_runs(sessions)
    if orphans:
        log.warning("crawl runs %s were left running by a process that is gone; "
                    "marked interrupted", ", ".join(map(str, orphans)))
    scheduler.start(paused=True)
    sync_jobs(scheduler, sessions, timezone)
    scheduler.add_job(sync_jobs, "interval", minutes=SYNC_MINUTES, id="sync-sources",
                      args=[scheduler, sessions, timezone], replace_existing=True,
                      jobstore="memory")
    scheduler.add_job("monitor.scheduler:report_job", CronTrigger(hour=7, timezone=timezone),
                      id="semi-monthly-report", name="semi-monthly report",
                      replace_existing=True)
    scheduler.add_job("monitor.scheduler:recheck_job",
                      CronTrigger(hour=RECHECK_HOUR, timezone=timezone),
                      id="rectification-rechecks", name="re-crawl pages under rectification",
                      replace_existing=True)
    scheduler.add_job("monitor.scheduler:verify_evidence_job",
                      CronTrigger(hour=EVIDENCE_VERIFY_HOUR, minute=EVIDENCE_VERIFY_MINUTE,
                                  timezone=timezone),
                      id="evidence-verify", name="re-verify evidence hashes",
                      replace_existing=True)
    scheduler.resume()


@contextmanager
def single_instance(engine: Engine, data_dir: Path) -> Iterator[None]:
    """Hold the one-scheduler-per-database lock, or raise ConflictError."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"),
                               {"k": ADVISORY_LOCK_KEY}).scalar()
            if not got:
                raise ConflictError("another admon scheduler already runs for this database")
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "scheduler.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise ConflictError(
                f"another admon scheduler already runs for this data directory (pid {holder}); "
                f"lock file {path}"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def describe_jobs(scheduler: BaseScheduler) -> list[dict[str, Any]]:
    """Scheduled crawls with their next run time (for `admon schedule --list`)."""
    return [
        {"id": job.id, "name": job.name, "trigger": str(job.trigger),
         "next_run": job.next_run_time.isoformat() if job.next_run_time else None}
        for job in scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)
    ]

