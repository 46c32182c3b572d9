"""The pipeline's two worker processes: intake (one writer) and OCR (niced).

Why processes, not threads: the spider's own work (parsing HTML, extracting links) and
intake's (rules, evidence hashing, SQL) are both CPU-bound Python. In threads they share
one GIL, so every millisecond of intake is a millisecond the crawl stands still — measured
on the demo town, a thread-based pipeline cost more than half the crawl rate. In a process
of its own, intake runs beside the crawl on the second core. OCR (~2 s of CPU per poster)
gets its own process too, at nice 10, so it uses what the crawl leaves over.

Both are started with `spawn` (forking a process that runs a Twisted/asyncio reactor is
unsafe). Everything crossing the boundary is plain data: captures and IntakeResult
dataclasses in, results or error strings out (some exceptions do not survive pickling).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import AdmonError
from monitor.evidence import EvidenceStore
from monitor.intake import (
    ImageCapture,
    IntakeResult,
    PageCapture,
    attach_screenshot,
    ingest_image,
    ingest_page,
    ingest_pages,
)

log = logging.getLogger(__name__)
INTAKE_ERRORS = (AdmonError, SQLAlchemyError, OSError)


@dataclass
class _Intake:
    sessions: sessionmaker[Session]
    store: EvidenceStore


_intake: _Intake | None = None


def start_intake_worker(database_url: str, data_dir: str) -> None:
    """Intake worker initialiser: one engine and evidence store for the worker's life."""
    global _intake
    from monitor.db import make_engine, session_factory

    engine = make_engine(database_url)
    _intake = _Intake(session_factory(engine), EvidenceStore(Path(data_dir) / "evidence"))


def warm_up_intake() -> float:
    """Load what the first batch would otherwise load (the rules engine: lexicon, jieba's
    dictionary — about 2 s of CPU); returns the seconds it took. The pipeline submits it
    when the spider opens, so the worker process starts and warms up while the crawl
    fetches its first pages instead of holding up the first batch."""
    started = time.perf_counter()
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
    intake = _ready()
    try:
        with intake.sessions() as session:
            return list(ingest_pages(session, intake.store, captures,
                                     per_transaction=len(captures)))
    except INTAKE_ERRORS as exc:
        log.warning("batch of %d pages failed (%s); ingesting one by one", len(captures), exc)
    results: list[IntakeResult | str] = []
    for capture in captures:
        try:
            with intake.sessions() as session:
                results.append(ingest_page(session, intake.store, capture))
        except INTAKE_ERRORS as exc:
            results.append(f"{exc.__class__.__name__}: {exc}")
    return results


def ingest_one_image(capture: ImageCapture) -> IntakeResult | str:
    """One image with its OCR text (via=image)."""
    intake = _ready()
    try:
        with intake.sessions() as session:
            return ingest_image(session, intake.store, capture)
    except INTAKE_ERRORS as exc:
        return f"{exc.__class__.__name__}: {exc}"


def attach(capture_id: int, png: bytes) -> str:
    """Attach a screenshot to a page capture; returns its SHA-256 or an error string."""
    intake = _ready()
    try:
        with intake.sessions() as session:
            return attach_screenshot(session, intake.store, capture_id, png)
    except INTAKE_ERRORS as exc:
        return f"error: {exc.__class__.__name__}: {exc}"


def start_ocr_worker(engine: str) -> None:
    """OCR worker initialiser: yield the CPU to the crawl, then load the engine so the
    first image is read at once."""
    os.nice(10)
    from ocr import OcrError
    from ocr.engines import get_engine

    try:
        get_engine(engine)
    except OcrError as exc:  # reported per image by read_image
        log.warning("OCR engine %s unavailable: %s", engine, exc)


def ocr_ready() -> bool:
    """A no-op task: submitting it starts the OCR worker (whose initialiser loads the
    engine) before the first image arrives."""
    return True


def read_image(
    body: bytes, engine: str, timeout: float, max_pixels: int
) -> tuple[str, str, str | None]:
    """`ocr.read` in the OCR worker: (text, engine name, error or None)."""
    from ocr import OcrError, read

    try:
        result = read(body, engine=engine, timeout=timeout, max_pixels=max_pixels)
    except OcrError as exc:
        return "", "", f"{getattr(exc, 'code', 'error')}: {exc}"
    return result.text, result.engine, None
