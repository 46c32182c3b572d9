"""The background OCR runner of the web app: poster photos are read outside the request.

A grid worker's upload returns at once (`monitor.uploads.receive_upload` stores it as
`pending`); this worker picks up `monitor.uploads.pending_uploads` and reads each one with
`monitor.uploads.read_upload` in a child process (faults.md row 10).

Why a process, not a thread: a RapidOCR call cannot be interrupted (see DEVELOPERS.md,
`ocr`), so a photo that hangs the engine would hold a thread for ever. The job runs in a
`ProcessPoolExecutor(max_workers=1)`; a watchdog waits `ocr_timeout_seconds` plus a grace
period, then records `timeout` on the row itself, kills the stuck child and starts a new
pool. Failures (`timeout`, `failed`) are retried automatically at most `MAX_AUTO_ATTEMPTS`
times; after that only the page's retry button (`request_retry`) queues the upload again.

Wiring (in `create_app`):

    app.add_event_handler("startup", lambda: ocr_worker.start(app))
    app.add_event_handler("shutdown", lambda: ocr_worker.stop(app))
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from monitor import audit
from monitor.errors import ConflictError, NotFound
from monitor.models.core import Upload
from monitor.settings import Settings
from monitor.uploads import DONE, FAILED, PENDING, RUNNING, TIMEOUT, pending_uploads

log = logging.getLogger(__name__)

#: Automatic attempts for an upload whose reading timed out or failed; a person can always
#: retry from the page. Three covers a busy engine without looping on a poisonous photo.
MAX_AUTO_ATTEMPTS = 3
#: Time on top of the OCR limit before the watchdog declares the child stuck: engine
#: start-up in a fresh process (RapidOCR loads its models, ~2 s) and the database work.
GRACE_SECONDS = 30.0
#: How often the worker looks for work when nobody kicks it (uploads kick it at once).
POLL_SECONDS = 5.0

Job = Callable[[str, str, int, str, float], str]

_child_engines: dict[str, Any] = {}


def read_in_child(
    database_url: str, evidence_dir: str, upload_id: int, engine: str, timeout: float
) -> str:
    """The job run in the child process: its own engine and session, one upload read.
    Returns the upload's OCR status afterwards ("conflict" if another worker holds it)."""
    from monitor.db import make_engine
    from monitor.evidence import EvidenceStore
    from monitor.uploads import read_upload

    db_engine = _child_engines.get(database_url)
    if db_engine is None:
        db_engine = _child_engines[database_url] = make_engine(database_url)
    with Session(db_engine) as session:
        try:
            outcome = read_upload(
                session,
                EvidenceStore(Path(evidence_dir)),
                upload_id,
                engine=engine,
                timeout=timeout,
            )
        except (ConflictError, NotFound):
            return "conflict"
        return outcome.status


@dataclass
class WorkerStats:
    """What the worker did since it started (tests and the benchmark read it)."""

    read: int = 0
    timeouts: int = 0
    pools_replaced: int = 0
    errors: int = 0


class OcrWorker:
    """One thread feeding one OCR child process; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        job: Job = read_in_child,
        poll_seconds: float = POLL_SECONDS,
        grace_seconds: float = GRACE_SECONDS,
        max_auto_attempts: int = MAX_AUTO_ATTEMPTS,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.job = job
        self.poll_seconds = poll_seconds
        self.grace_seconds = grace_seconds
        self.max_auto_attempts = max_auto_attempts
        self.stats = WorkerStats()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pool: ProcessPoolExecutor | None = None
        self._thread = threading.Thread(target=self._run, name="admon-ocr", daemon=True)

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        """Recover rows a crashed server left `running`, then start the thread."""
        self._recover_interrupted()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current job (a stuck child is killed, not waited for)."""
        self._stopping.set()
        self._wake.set()
        self._kill_pool()
        self._thread.join(timeout=timeout)

    def kick(self) -> None:
        """Look for work now (called after an upload or a retry)."""
        self._wake.set()

    # --- the loop ------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = self._one_round()
            except Exception:  # the loop must outlive a database hiccup; logged, retried
                log.exception("OCR worker round failed; retrying in %s s", self.poll_seconds)
                self.stats.errors += 1
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def _due(self) -> list[int]:
        """Pending uploads, and failed/timed-out ones under the automatic attempt cap."""
        with self.sessions() as session:
            ids = pending_uploads(session, limit=50)
            if not ids:
                return []
            rows = session.execute(
                sa.select(Upload.id, Upload.ocr_status, Upload.ocr_attempts).where(
                    Upload.id.in_(ids)
                )
            ).all()
        keep = {
            row.id
            for row in rows
            if row.ocr_status == PENDING or (row.ocr_attempts or 0) < self.max_auto_attempts
        }
        return [i for i in ids if i in keep]

    def _one_round(self) -> bool:
        due = self._due()
        for upload_id in due:
            if self._stopping.is_set():
                break
            self._read_one(upload_id)
        return bool(due)

    def _read_one(self, upload_id: int) -> None:
        limit = self.settings.ocr_timeout_seconds
        future: Future[str] = self._ensure_pool().submit(
            self.job,
            self.settings.resolved_database_url,
            str(self.settings.evidence_dir),
            upload_id,
            self.settings.ocr_engine,
            limit,
        )
        try:
            status = future.result(timeout=limit + self.grace_seconds)
        except FutureTimeout:
            self.stats.timeouts += 1
            self._kill_pool()
            self._record(upload_id, TIMEOUT, f"OCR 超过 {limit:g} 秒未完成，已终止")
            return
        except BrokenProcessPool:
            self._kill_pool()
            self._record(upload_id, FAILED, "OCR 进程意外退出")
            return
        except Exception as exc:  # the job raised (database, evidence): recorded, not lost
            log.exception("OCR job for upload %s failed", upload_id)
            self._record(upload_id, FAILED, f"OCR 任务出错：{type(exc).__name__}: {exc}"[:500])
            return
        if status in (DONE, TIMEOUT, FAILED):
            self.stats.read += 1

    # --- pool and rows ---------------------------------------------------------------

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: the app process has threads (uvicorn, this one); fork would copy locks.
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def _kill_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        self.stats.pools_replaced += 1
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:  # the child is ours; a hung engine never returns
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)

    def _record(self, upload_id: int, status: str, error: str) -> None:
        """The child could not record its own outcome: do it here (still `running`)."""
        with self.sessions() as session:
            session.execute(
                sa.update(Upload)
                .where(Upload.id == upload_id, Upload.ocr_status.in_((RUNNING, PENDING)))
                .values(
                    ocr_status=status,
                    ocr_error=error,
                    ocr_attempts=sa.func.coalesce(Upload.ocr_attempts, 0) + 1,
                )
            )
            audit.record(
                session, None, f"upload.ocr_{status}", None, upload_id=upload_id, error=error
            )
            session.commit()

    def _recover_interrupted(self) -> None:
        """Rows left `running` by a server that stopped mid-read become `failed` (and so
        are retried). admon runs one app process; several would need a claim timestamp."""
        with self.sessions() as session:
            session.execute(
                sa.update(Upload)
                .where(Upload.ocr_status == RUNNING)
                .values(ocr_status=FAILED, ocr_error="服务重启，识别中断")
            )
            session.commit()


def request_retry(session: Session, upload_id: int, actor: audit.Actor) -> bool:
    """Queue a `failed`/`timeout` upload for reading again (the page's retry button).
    Returns False when it is not in a retryable state. The caller commits."""
    changed = session.execute(
        sa.update(Upload)
        .where(Upload.id == upload_id, Upload.ocr_status.in_((FAILED, TIMEOUT)))
        .values(ocr_status=PENDING, ocr_error=None)
    ).rowcount  # type: ignore[attr-defined]
    if changed:
        audit.record(session, actor, "upload.retry", None, upload_id=upload_id)
    return bool(changed)


def start(app: Any, **options: Any) -> OcrWorker | None:
    """Start the worker for `app` (its settings and sessions) and keep it on app.state.

    With a shared Redis (`settings.redis_url`) the RQ workers of `monitor.ocr_queue` read
    the uploads instead (their leases own `running` rows), so nothing starts here."""
    stop(app)  # one worker per app: a restart with other options replaces the running one
    if app.state.settings.redis_url:
        app.state.ocr_worker = None
        return None
    worker = OcrWorker(app.state.settings, app.state.session_factory, **options)
    app.state.ocr_worker = worker
    worker.start()
    return worker


def stop(app: Any) -> None:
    """Stop the app's worker, if it has one."""
    worker: OcrWorker | None = getattr(app.state, "ocr_worker", None)
    if worker is not None:
        worker.stop()
        app.state.ocr_worker = None


def kick(app: Any, upload_id: int | None = None) -> None:
    """Wake the app's worker, or queue `upload_id` on the shared RQ queue when one is
    configured (the request never waits for OCR)."""
    redis_url = app.state.settings.redis_url
    if redis_url and upload_id is not None:
        from monitor.ocr_queue import enqueue_upload, open_queue

        enqueue_upload(open_queue(redis_url), upload_id)  # a sweep re-queues if Redis is down
        return
    worker: OcrWorker | None = getattr(app.state, "ocr_worker", None)
    if worker is not None:
        worker.kick()
