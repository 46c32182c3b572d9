"""OCR of grid workers' uploads on RQ (Redis Queue), for deployments with a shared Redis.

The upload row is the source of truth, not the queue: `ocr_status` (`pending`, `running`,
`done`, `timeout`, `failed`) and `monitor.uploads.pending_uploads`. A job only carries the
upload id; its body is `monitor.uploads.read_upload`, which claims the row (one worker wins)
so a job that runs twice reads once, and intake is idempotent, so the result lands once.

Crashes: while a job runs it holds a Redis lease (`admon:ocr:lease:<id>`, refreshed by a
thread every lease/3 s). A worker killed mid-job leaves the row `running` without a lease;
`sweep` (run by every `admon worker ocr` at start and every `sweep_every` seconds) puts such
rows back to `pending` and enqueues every pending/timeout/failed upload that has no live
job. RQ's own `Retry` covers a job that raised (database briefly away).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
import sqlalchemy as sa
from rq import Queue, Retry
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import ConflictError, NotFound
from monitor.settings import Settings, get_settings

QUEUE = "admon-ocr"
LEASE_PREFIX = "admon:ocr:lease:"  # + "<queue>:<upload id>"
DEFAULT_LEASE = 30.0
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}

#: Settings an `admon worker ocr` process runs its jobs with (default: the environment).
_worker_settings: Settings | None = None
_lease_seconds = DEFAULT_LEASE


def configure_worker(settings: Settings, lease: float = DEFAULT_LEASE) -> None:
    global _worker_settings, _lease_seconds
    _worker_settings, _lease_seconds = settings, lease


def lease_key(queue_name: str, upload_id: int) -> str:
    return f"{LEASE_PREFIX}{queue_name}:{upload_id}"


def job_id(upload_id: int) -> str:
    return f"ocr-upload-{upload_id}"


def open_queue(redis_url: str, name: str = QUEUE) -> Queue:
    return Queue(name, connection=redis.Redis.from_url(redis_url))


def enqueue_upload(queue: Queue, upload_id: int, *, job_timeout: float = 300.0,
                   hold: float = 0.0, replace: bool = False) -> bool:
    """Queue the OCR of one upload unless a live job for it exists (`replace`: drop that
    job, whose worker is known dead); True if queued."""
    try:
        existing = Job.fetch(job_id(upload_id), connection=queue.connection)
        if replace:
            existing.delete()
        elif existing.get_status(refresh=True) in LIVE:
            return False
    except Exception:  # rq raises NoSuchJobError, or bad data: enqueue anew
        pass
    queue.enqueue(
        ocr_job, upload_id, hold, job_id=job_id(upload_id), job_timeout=int(job_timeout),
        retry=Retry(max=3, interval=[5, 30, 120]), result_ttl=3600, failure_ttl=7 * 86400,
        description=f"OCR of upload {upload_id}",
    )
    return True


def submit(settings: Settings, upload_id: int) -> bool:
    """The deployment switch for uploads: with `ADMON_REDIS_URL` set, queue the upload's OCR
    for `admon worker ocr` and return True; without it return False (read it in-process,
    as today)."""
    if not settings.redis_url:
        return False
    enqueue_upload(open_queue(settings.redis_url), upload_id,
                   job_timeout=settings.ocr_timeout_seconds + 120)
    return True


@lru_cache(maxsize=4)
def _sessions(url: str) -> sessionmaker[Session]:
    from monitor.db import make_engine, session_factory

    return session_factory(make_engine(url))


class Lease:
    """A Redis key saying "a live worker is reading this upload", refreshed by a thread."""

    def __init__(self, client: redis.Redis, key: str, seconds: float) -> None:
        self.client, self.key, self.seconds = client, key, seconds
        self.token = uuid.uuid4().hex
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._refresh, daemon=True)

    def _refresh(self) -> None:
        while not self.stop.wait(self.seconds / 3):
            self.client.set(self.key, self.token, px=int(self.seconds * 1000))

    def __enter__(self) -> Lease:
        self.client.set(self.key, self.token, px=int(self.seconds * 1000))
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        if self.client.get(self.key) == self.token.encode():
            self.client.delete(self.key)


def ocr_job(upload_id: int, hold: float = 0.0) -> str:
    """The RQ job: read one upload (claiming its row). `hold` sleeps after the claim
    (tests and benchmarks use it to kill a worker mid-job)."""
    from rq.job import get_current_job

    from monitor.evidence import EvidenceStore
    from monitor.uploads import read_upload

    settings = _worker_settings or get_settings()
    current = get_current_job()
    assert current is not None, "ocr_job runs inside an RQ worker"
    client = current.connection
    store = EvidenceStore(settings.evidence_dir)
    key = lease_key(current.origin, upload_id)
    with Lease(client, key, _lease_seconds), _sessions(settings.resolved_database_url)() as s:
        if hold:
            _claim_then_hold(s, upload_id, hold)
            force = True  # we hold the claim ourselves
        else:
            force = False
        try:
            outcome = read_upload(s, store, upload_id, engine=settings.ocr_engine,
                                  timeout=settings.ocr_timeout_seconds, force=force)
        except (ConflictError, NotFound) as exc:
            return f"skipped: {exc}"
        return outcome.status


def _claim_then_hold(session: Session, upload_id: int, hold: float) -> None:
    from monitor.uploads import claim

    claim(session, upload_id)
    time.sleep(hold)


@dataclass
class SweepReport:
    reset: list[int]
    enqueued: list[int]


def sweep(
    sessions: sessionmaker[Session], queue: Queue, *, job_timeout: float = 300.0
) -> SweepReport:
    """Reset `running` uploads nobody holds a lease on, and enqueue every upload waiting
    for OCR that has no live job."""
    from monitor.models.core import Upload
    from monitor.uploads import PENDING, RUNNING, pending_uploads

    client = queue.connection
    reset: list[int] = []
    with sessions() as session:
        running = list(session.scalars(sa.select(Upload.id).where(Upload.ocr_status == RUNNING)))
        for upload_id in running:
            if client.exists(lease_key(queue.name, upload_id)):
                continue
            changed = session.execute(
                sa.update(Upload).where(Upload.id == upload_id, Upload.ocr_status == RUNNING)
                .values(ocr_status=PENDING)
            ).rowcount  # type: ignore[attr-defined]
            if changed:
                reset.append(upload_id)
        session.commit()
        waiting = pending_uploads(session, limit=10_000)
    enqueued = [u for u in waiting
                if enqueue_upload(queue, u, job_timeout=job_timeout, replace=u in reset)]
    return SweepReport(reset, enqueued)


def run_worker(settings: Settings, redis_url: str, *, queue_name: str = QUEUE,
               lease: float = DEFAULT_LEASE,
               sweep_every: float = 30.0, burst: bool = False,
               on_sweep: Callable[[SweepReport], Any] | None = None) -> None:
    """`admon worker ocr`: sweep, then run an RQ worker on the OCR queue (a sweeper thread
    keeps re-enqueuing orphans)."""
    from rq import SimpleWorker

    configure_worker(settings, lease)
    queue = open_queue(redis_url, queue_name)
    sessions = _sessions(settings.resolved_database_url)
    job_timeout = settings.ocr_timeout_seconds + 120
    report = sweep(sessions, queue, job_timeout=job_timeout)
    if on_sweep:
        on_sweep(report)
    stop = threading.Event()

    def sweeper() -> None:
        while not stop.wait(sweep_every):
            try:
                found = sweep(sessions, queue, job_timeout=job_timeout)
                if on_sweep and (found.reset or found.enqueued):
                    on_sweep(found)
            except Exception:  # keep sweeping through a Redis/DB blip
                continue

    thread = threading.Thread(target=sweeper, daemon=True)
    thread.start()
    try:
        # SimpleWorker: jobs run in this process, so the OCR engine stays loaded between
        # jobs (RapidOCR takes seconds to load) and a fork never inherits DB connections.
        SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()
