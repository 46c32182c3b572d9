"""Starting the pipeline's worker processes (`crawlers.workers`, `crawlers.ocr_worker`).

The intake worker is started first thing in the crawl process (`crawlers.run`, before
Scrapy is even imported) and handed to the pipeline when the spider opens. Why: its
start-up — a fresh interpreter (spawn), intake's modules, the rules engine's lexicon and
jieba's dictionary — costs 1.5–2 s of CPU. Scrapy's own start-up (imports, settings,
spider, reactor: about a second) runs on one core and leaves the other idle, so a worker
started there is warm when the first pages arrive, instead of warming up in competition
with the crawl and holding back the first batches.

The OCR worker starts with the first page that carries an image (`IntakePipeline`): its
engine costs a second of CPU that a crawl without images should not pay.

Both are started with `spawn` (forking a process that runs a Twisted/asyncio reactor is
unsafe). This module imports neither Scrapy nor intake, so starting the worker costs the
crawl process nothing.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from crawlers import ocr_worker, workers

log = logging.getLogger(__name__)

PIPELINE = "crawlers.pipelines.IntakePipeline"

#: Intake workers started before Scrapy, by (database URL, data dir), until the
#: pipeline takes one.
_early: dict[tuple[str, str], ProcessPoolExecutor] = {}


def data_dir_of(value: str | None) -> str:
    """The data directory as the pipeline resolves ADMON_DATA_DIR."""
    return str(Path(value or "./var").resolve())


def _log_warm_up(done: Future[float]) -> None:
    error = done.exception()
    if error is not None:  # the first batch will load the rules itself (and say why not)
        log.warning("intake worker warm-up failed: %s", error)
    else:
        log.debug("intake worker warmed up in %.2f s", done.result())


def start_intake(database_url: str, data_dir: str) -> ProcessPoolExecutor:
    """A one-process pool running `crawlers.workers`, warming up from the start."""
    pool = ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"),
        initializer=workers.start_intake_worker, initargs=(database_url, data_dir),
    )
    # Submitting starts the process now; it warms up while the crawl starts and fetches.
    pool.submit(workers.warm_up_intake).add_done_callback(_log_warm_up)
    return pool


def wants_intake(overrides: Mapping[str, Any]) -> bool:
    """Will this run's pipeline store captures? (It does unless the run's settings turn
    the pipeline off or give no database — see `IntakePipeline.from_crawler`.)"""
    from crawlers import settings as project  # constants only; no Scrapy import

    pipelines = overrides.get("ITEM_PIPELINES", project.ITEM_PIPELINES) or {}
    return bool(overrides.get("ADMON_DATABASE_URL")) and pipelines.get(PIPELINE) is not None


def start_early(overrides: Mapping[str, Any]) -> bool:
    """Start the intake worker for a run with these Scrapy setting overrides, if its
    pipeline will want one; True if started."""
    if not wants_intake(overrides):
        return False
    key = (str(overrides["ADMON_DATABASE_URL"]), data_dir_of(overrides.get("ADMON_DATA_DIR")))
    if key not in _early:
        _early[key] = start_intake(*key)
    return True


def intake_pool(database_url: str, data_dir: str) -> ProcessPoolExecutor:
    """The intake worker for the pipeline: the one started early for this database and data
    dir if there is one, else a new one."""
    pool = _early.pop((database_url, data_dir), None)
    return pool if pool is not None else start_intake(database_url, data_dir)


def discard_early() -> None:
    """Stop early workers no pipeline took (the crawl failed before its spider opened)."""
    while _early:
        _, pool = _early.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


def ocr_pool(engine: str, threads: int | None) -> ProcessPoolExecutor:
    """A one-process pool running `crawlers.ocr_worker`, its engine loaded at start."""
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"),
        initializer=ocr_worker.start_ocr_worker, initargs=(engine, threads),
    )
