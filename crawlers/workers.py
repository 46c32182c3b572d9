"""What runs inside the pipeline's intake worker process (入库进程): one writer.

Why a process, not a thread: the spider's own work (parsing HTML, extracting links) and
intake's (rules, evidence hashing, SQL) are both CPU-bound Python. In threads they share
one GIL, so every millisecond of intake is a millisecond the crawl stands still — measured
on the demo town, a thread-based pipeline cost more than half the crawl rate. In a process
of its own, intake runs beside the crawl on the second core. One process, so captures are
written in arrival order and SQLite sees no lock fights. (OCR has its own niced process:
`crawlers.ocr_worker`; `crawlers.worker_pools` starts both.)

Everything crossing the boundary is plain data: captures and IntakeResult dataclasses in,
results or error strings out (some exceptions do not survive pickling).

This module imports nothing heavy at import time: the crawl process references these
functions (to pickle them by name) before Scrapy has even loaded, and the worker pays for
`monitor.intake`, SQLAlchemy and the rules engine once, in `start_intake_worker` and
`warm_up_intake`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crawlers.process_exit import exit_without_teardown

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.evidence import EvidenceStore
    from monitor.intake import ImageCapture, IntakeResult, PageCapture

log = logging.getLogger(__name__)


@dataclass
class _Intake:
    engine: Engine
    sessions: sessionmaker[Session]
    store: EvidenceStore
    errors: tuple[type[Exception], ...]


_intake: _Intake | None = None


def start_intake_worker(database_url: str, data_dir: str) -> None:
    """Intake worker initialiser: one engine and evidence store for the worker's life; at
    exit, close the database connections and skip the interpreter's teardown."""
    global _intake
    from sqlalchemy.exc import SQLAlchemyError

    from monitor.db import make_engine, session_factory
    from monitor.errors import AdmonError
    from monitor.evidence import EvidenceStore

    engine = make_engine(database_url)
    _intake = _Intake(
        engine, session_factory(engine), EvidenceStore(Path(data_dir) / "evidence"),
        (AdmonError, SQLAlchemyError, OSError),
    )
    exit_without_teardown(before=engine.dispose)


def warm_up_intake() -> float:
    """Load what the first batch would otherwise load (intake's code, the rules engine:
    lexicon, jieba's dictionary — 1.5–2 s of CPU); returns the seconds it took. It is
    submitted as soon as the worker starts (`crawlers.worker_pools`), so it runs while
    Scrapy starts up and the first pages download instead of holding up the first batch."""
    started = time.perf_counter()
    import monitor.intake.pages  # noqa: F401  (the batch code and its SQL statements)
    from rules.detector import engine_for

    engine_for().warm_up()
    return time.perf_counter() - started


def _ready() -> _Intake:
    if _intake is None:
        raise RuntimeError("intake worker not started")
    return _intake


def ingest_batch(captures: list[PageCapture]) -> list[IntakeResult | str]:
    """Pages in one go (`ingest_pages`: one fsync round, one transaction); if that fails,
    each page alone (intake is idempotent), so one bad capture costs only itself."""
    from monitor.intake import ingest_page, ingest_pages

    intake = _ready()
    try:
        with intake.sessions() as session:
            return list(ingest_pages(session, intake.store, captures,
                                     per_transaction=len(captures)))
    except intake.errors as exc:
        log.warning("batch of %d pages failed (%s); ingesting one by one", len(captures), exc)
    results: list[IntakeResult | str] = []
    for capture in captures:
        try:
            with intake.sessions() as session:
                results.append(ingest_page(session, intake.store, capture))
        except intake.errors as exc:
            results.append(f"{exc.__class__.__name__}: {exc}")
    return results


def ingest_one_image(capture: ImageCapture) -> IntakeResult | str:
    """One image with its OCR text (via=image)."""
    from monitor.intake import ingest_image

    intake = _ready()
    try:
        with intake.sessions() as session:
            return ingest_image(session, intake.store, capture)
    except intake.errors as exc:
        return f"{exc.__class__.__name__}: {exc}"


def attach(capture_id: int, png: bytes) -> str:
    """Attach a screenshot to a page capture; returns its SHA-256 or an error string."""
    from monitor.intake import attach_screenshot

    intake = _ready()
    try:
        with intake.sessions() as session:
            return attach_screenshot(session, intake.store, capture_id, png)
    except intake.errors as exc:
        return f"error: {exc.__class__.__name__}: {exc}"
