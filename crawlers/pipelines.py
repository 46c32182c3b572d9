"""The one item pipeline: hand each capture to `monitor.intake` (入库).

Spiders extract; this pipeline converts items into intake captures and lets the domain code
decide (evidence, rules, leads). Blocking work runs off the reactor thread:

* intake (SQLAlchemy, evidence files, rules) on one dedicated DB thread — one writer keeps
  SQLite free of lock fights and keeps captures in arrival order. Pages are buffered and
  handed over in batches (`ingest_pages`: one round of fsyncs and one transaction per
  batch — 29 ms → 6 ms per page measured on the demo town), flushed at BATCH_SIZE pages or
  after BATCH_WAIT seconds, whichever comes first;
* OCR (`ocr.read`) in a worker *process* at lower CPU priority (nice 10): reading one
  poster costs ~2 s of CPU (RapidOCR), which in a thread would hold the GIL against the
  reactor and, on a 2-core office PC, halve the crawl rate; niced in its own process it
  uses what the crawl leaves over.

Images are de-duplicated by SHA-256 across the crawl: each distinct picture is read once,
and its text is reused for every page it appears on. When intake reports a new lead or a
new version for a page, the spider is asked for a full-page screenshot, which comes back as
a ScreenshotItem and is attached to that capture.

Without ADMON_DATABASE_URL (a bare `scrapy crawl site`) the pipeline switches itself off
(NotConfigured) and items go to Scrapy's feed exports instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Self, TypeVar, cast

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import reactor
from twisted.internet.base import DelayedCall
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from crawlers.items import FetchErrorItem, ImageItem, PageItem, ScreenshotItem
from monitor.db import make_engine, session_factory
from monitor.errors import AdmonError
from monitor.evidence import EvidenceStore, sha256_hex
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
T = TypeVar("T")
BATCH_SIZE = 32
BATCH_WAIT = 0.25  # seconds a page may wait for its batch to fill
INTAKE_ERRORS = (AdmonError, SQLAlchemyError, OSError)


class IntakePipeline:
    """Items → `monitor.intake`, with counters the progress reporter shows."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.database_url = settings.get("ADMON_DATABASE_URL")
        self.data_dir = Path(settings.get("ADMON_DATA_DIR") or "./var")
        self.run_id = settings.getint("ADMON_RUN_ID") or None
        self.source_id = settings.getint("ADMON_SOURCE_ID") or None
        self.community = settings.get("ADMON_COMMUNITY") or None
        self.ocr_engine = settings.get("ADMON_OCR_ENGINE", "auto")
        self.ocr_timeout = settings.getfloat("ADMON_OCR_TIMEOUT", 60.0)
        self.max_pixels = settings.getint("ADMON_IMAGE_MAX_PIXELS", 40_000_000)
        self.page_captures: dict[str, int] = {}
        self.pending: list[tuple[PageCapture, Deferred[IntakeResult | Exception]]] = []
        self.flush_call: DelayedCall | None = None
        # image sha256 -> the OCR read (shared: concurrent copies of one image wait for it)
        self.ocr_reads: dict[str, asyncio.Future[tuple[str, str, str | None]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("ADMON_DATABASE_URL"):
            raise NotConfigured("ADMON_DATABASE_URL not set: not storing captures")
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = make_engine(self.database_url)
        self.sessions = session_factory(self.engine)
        self.store = EvidenceStore(self.data_dir / "evidence")
        self.db_pool = ThreadPool(minthreads=1, maxthreads=1, name="admon-intake")
        self.db_pool.start()
        # Started now and warmed (imports, model load) at low priority while the first
        # pages are fetched, so the first poster does not wait for it.
        self.ocr_pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_ocr_worker, initargs=(self.ocr_engine,),
        )

    def close_spider(self) -> None:
        self.db_pool.stop()
        self.ocr_pool.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()

    async def _on(self, pool: ThreadPool, func: Callable[..., T], *args: Any) -> T:
        deferred = deferToThreadPool(reactor, pool, func, *args)
        result: T = await maybe_deferred_to_future(deferred)
        return result

    def _inc(self, key: str, count: int = 1) -> None:
        if count and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"admon/{key}", count)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            await self._page(item)
        elif isinstance(item, FetchErrorItem):
            await self._error(item)
        elif isinstance(item, ImageItem):
            await self._image(item)
        elif isinstance(item, ScreenshotItem):
            await self._on(self.db_pool, self._attach, item)
            self._inc("screenshots")
        return item

    # --- pages ----------------------------------------------------------------------------

    def _ingest_batch(self, captures: list[PageCapture]) -> list[IntakeResult | Exception]:
        """One batch in one go; if it fails, each capture alone (intake is idempotent), so
        one bad capture costs only itself."""
        try:
            with self.sessions() as session:
                return list(ingest_pages(session, self.store, captures,
                                         per_transaction=len(captures)))
        except INTAKE_ERRORS as exc:
            log.warning("batch of %d pages failed (%s); ingesting one by one", len(captures), exc)
        results: list[IntakeResult | Exception] = []
        for capture in captures:
            try:
                with self.sessions() as session:
                    results.append(ingest_page(session, self.store, capture))
            except INTAKE_ERRORS as exc:
                results.append(exc)
        return results

    def _flush(self) -> None:
        if self.flush_call is not None and self.flush_call.active():
            self.flush_call.cancel()
        self.flush_call = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        done = deferToThreadPool(reactor, self.db_pool, self._ingest_batch, [c for c, _ in batch])

        def deliver(results: list[IntakeResult | Exception]) -> None:
            for (_, waiting), result in zip(batch, results, strict=True):
                waiting.callback(result)

        def fail(failure: Failure) -> None:
            for _, waiting in batch:
                waiting.callback(failure.value if isinstance(failure.value, Exception)
                                 else RuntimeError(str(failure.value)))

        done.addCallbacks(deliver, fail)

    async def _ingest_page(self, capture: PageCapture) -> IntakeResult:
        """Queue a page for the next batch and wait for its result."""
        waiting: Deferred[IntakeResult | Exception] = Deferred()
        self.pending.append((capture, waiting))
        if len(self.pending) >= BATCH_SIZE:
            self._flush()
        elif self.flush_call is None:
            self.flush_call = cast(Any, reactor).callLater(BATCH_WAIT, self._flush)
        result = await maybe_deferred_to_future(waiting)
        if isinstance(result, Exception):
            self._inc("intake_errors")
            raise DropItem(f"intake failed for {capture.url}: {result}")
        return result

    def _ingest_image(self, capture: ImageCapture) -> IntakeResult:
        with self.sessions() as session:
            return ingest_image(session, self.store, capture)

    def _attach(self, item: ScreenshotItem) -> str:
        with self.sessions() as session:
            return attach_screenshot(session, self.store, item.capture_id, item.png)

    async def _page(self, item: PageItem) -> None:
        texts = {"html": item.html_text}
        if item.js_text is not None:
            texts["js"] = item.js_text
        capture = PageCapture(
            url=item.url, final_url=item.final_url, status=item.status, headers=item.headers,
            fetched_at=item.fetched_at, body=item.body, encoding=item.encoding,
            content_type=item.content_type, texts=texts, nav_text=item.nav_text,
            title=item.title, redirect_chain=item.redirect_chain, source_id=self.source_id,
            run_id=self.run_id, rendered=item.rendered, community=self.community,
        )
        result = await self._ingest_page(capture)
        self._count(result)
        self._inc("pages")
        if item.rendered:
            self._inc("pages_rendered")
        if result.capture_id is not None:
            self.page_captures[item.final_url] = result.capture_id
            if result.new_leads or result.new_versions:
                spider = self.crawler.spider
                if spider is not None and hasattr(spider, "request_screenshot"):
                    spider.request_screenshot(item.final_url, result.capture_id)

    async def _error(self, item: FetchErrorItem) -> None:
        capture = PageCapture(
            url=item.url, final_url=item.redirect_chain[-1] if item.redirect_chain else item.url,
            status=item.status, fetched_at=item.fetched_at, body=b"", content_type="",
            redirect_chain=item.redirect_chain, source_id=self.source_id, run_id=self.run_id,
            fetch_status=item.fetch_status, title=item.detail[:200], community=self.community,
        )
        await self._ingest_page(capture)
        self._inc("errors")
        self._inc(f"errors/{item.fetch_status}")

    def _count(self, result: IntakeResult) -> None:
        self._inc("leads_new", result.new_leads)
        self._inc("lead_versions", result.new_versions)
        self._inc("sightings", result.sightings)

    # --- images ---------------------------------------------------------------------------

    async def _read(self, body: bytes) -> tuple[str, str, str | None]:
        future = self.ocr_pool.submit(
            read_image, body, self.ocr_engine, self.ocr_timeout, self.max_pixels
        )
        return await asyncio.wrap_future(future)

    async def _image(self, item: ImageItem) -> None:
        digest = sha256_hex(item.body)
        reading = self.ocr_reads.get(digest)
        if reading is None:
            reading = self.ocr_reads[digest] = asyncio.ensure_future(self._read(item.body))
            text, engine, error = await reading
            if error is None:
                self._inc("images_read")
            else:
                self._inc("images_unreadable")
                log.info("image %s not read: %s", item.image_url, error)
        else:
            self._inc("images_duplicate")
            text, engine, _ = await reading
        if not text.strip():
            raise DropItem(f"no text in image {item.image_url}")
        capture = ImageCapture(
            page_url=item.page_url, image_url=item.image_url, body=item.body, text=text,
            fetched_at=item.fetched_at, status=item.status, content_type=item.content_type,
            headers=item.headers, ocr_engine=engine,
            page_capture_id=self.page_captures.get(item.page_url),
            source_id=self.source_id, run_id=self.run_id, community=self.community,
        )
        self._count(await self._on(self.db_pool, self._ingest_image, capture))


def _start_ocr_worker(engine: str) -> None:
    """OCR worker initialiser (a spawned process: forking one that runs a reactor is unsafe).
    Yields the CPU to the crawl, then loads the engine so the first image is read at once."""
    os.nice(10)
    from ocr import OcrError
    from ocr.engines import get_engine

    try:
        get_engine(engine)
    except OcrError as exc:  # reported per image by read_image
        log.warning("OCR engine %s unavailable: %s", engine, exc)


def read_image(
    body: bytes, engine: str, timeout: float, max_pixels: int
) -> tuple[str, str, str | None]:
    """`ocr.read` in the OCR worker process: (text, engine name, error or None).

    Errors travel back as text: OCR exceptions carry constructor arguments that do not
    survive pickling across the process boundary.
    """
    from ocr import OcrError, read  # in the worker: engines load their models on first use

    try:
        result = read(body, engine=engine, timeout=timeout, max_pixels=max_pixels)
    except OcrError as exc:
        return "", "", f"{getattr(exc, 'code', 'error')}: {exc}"
    return result.text, result.engine, None
