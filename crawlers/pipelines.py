"""The one item pipeline: hand each capture to `monitor.intake` (入库).

Spiders extract; this pipeline converts items into intake captures and lets the domain code
decide (evidence, rules, leads). The work itself happens in two worker processes
(`crawlers.worker_pools`): intake (`crawlers.workers`), a single writer that keeps captures
in arrival order and SQLite free of lock fights, and OCR (`crawlers.ocr_worker`) at low
priority. Pages are handed over in batches (`ingest_pages`: one round of fsyncs and one
transaction per batch — 29 ms → 6 ms per page measured on the demo town), flushed at
BATCH_SIZE pages or after BATCH_WAIT seconds — or at once when no other page is being
downloaded or waits in the scheduler (the end of a crawl, a slow site): then no page can
join the batch, and waiting would only delay the last leads and the end of the crawl.

Images are de-duplicated by SHA-256 across the crawl: each distinct picture is read once,
even when several copies arrive at the same time, and its text is reused for every page it
appears on. When intake reports a new lead or a new version for a page, the spider is asked
for a full-page screenshot, which comes back as a ScreenshotItem and is attached.

The crawl process imports only intake's types (`monitor.intake.types`, plain dataclasses);
intake itself, SQLAlchemy and the rules load in the worker, not on the crawl's critical path.

Without ADMON_DATABASE_URL (a bare `scrapy crawl site`) the pipeline switches itself off
(NotConfigured) and items go to Scrapy's feed exports instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Self, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawlers import ocr_worker, worker_pools, workers
from crawlers.items import NOT_A_PAGE, FetchErrorItem, ImageItem, PageItem, ScreenshotItem
from monitor.intake.types import ImageCapture, IntakeResult, PageCapture

log = logging.getLogger(__name__)
T = TypeVar("T")
BATCH_SIZE = 32
BATCH_WAIT = 0.25  # seconds a page may wait for its batch to fill
#: When nothing else is downloading: just long enough for pages parsed in the same turn of
#: the event loop (responses that arrived together) to join the batch.
DRAINED_WAIT = 0.005


class IntakePipeline:
    """Items → `monitor.intake`, with counters the progress reporter shows."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.database_url = str(settings.get("ADMON_DATABASE_URL"))
        self.data_dir = Path(worker_pools.data_dir_of(settings.get("ADMON_DATA_DIR")))
        self.run_id = settings.getint("ADMON_RUN_ID") or None
        self.source_id = settings.getint("ADMON_SOURCE_ID") or None
        self.community = settings.get("ADMON_COMMUNITY") or None
        self.ocr_engine = settings.get("ADMON_OCR_ENGINE", "auto")
        self.ocr_timeout = settings.getfloat("ADMON_OCR_TIMEOUT", 60.0)
        self.ocr_threads = settings.getint("ADMON_OCR_THREADS", 1) or None  # 0: every core
        self.max_pixels = settings.getint("ADMON_IMAGE_MAX_PIXELS", 40_000_000)
        self.page_captures: dict[str, int] = {}
        self.pending: list[tuple[PageCapture, asyncio.Future[IntakeResult | str]]] = []
        self.flush_handle: asyncio.TimerHandle | None = None
        # image sha256 -> the OCR read (shared: concurrent copies of one image wait for it)
        self.ocr_reads: dict[str, asyncio.Future[tuple[str, str, str | None]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("ADMON_DATABASE_URL"):
            raise NotConfigured("ADMON_DATABASE_URL not set: not storing captures")
        return cls(crawler)

    def open_spider(self) -> None:
        # Usually started before Scrapy loaded (crawlers.run) and warm by now.
        self.intake = worker_pools.intake_pool(self.database_url, str(self.data_dir))
        # Started with the first image: loading an OCR engine costs a second of CPU that a
        # crawl without images should not pay.
        self.ocr: ProcessPoolExecutor | None = None

    def _ocr_pool(self) -> ProcessPoolExecutor:
        if self.ocr is None:
            self.ocr = worker_pools.ocr_pool(self.ocr_engine, self.ocr_threads)
        return self.ocr

    def close_spider(self) -> None:
        """Stop both workers, side by side (each exit takes a moment); intake finishes
        everything it was given, OCR drops reads nobody waits for any more."""
        stops = [threading.Thread(target=self.intake.shutdown, kwargs={"wait": True})]
        if self.ocr is not None:
            stops.append(threading.Thread(
                target=self.ocr.shutdown, kwargs={"wait": True, "cancel_futures": True}))
        for stop in stops:
            stop.start()
        for stop in stops:
            stop.join()

    async def _call(self, pool: ProcessPoolExecutor, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(pool.submit(func, *args))

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
            outcome = await self._call(self.intake, workers.attach, item.capture_id, item.png)
            self._inc("screenshots" if not outcome.startswith("error") else "intake_errors")
        return item

    # --- pages ----------------------------------------------------------------------------

    def _flush(self) -> None:
        if self.flush_handle is not None:
            self.flush_handle.cancel()
            self.flush_handle = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        done = asyncio.wrap_future(
            self.intake.submit(workers.ingest_batch, [capture for capture, _ in batch])
        )

        def deliver(finished: asyncio.Future[list[IntakeResult | str]]) -> None:
            error = finished.exception()
            for index, (_, waiting) in enumerate(batch):
                if error is not None:
                    waiting.set_result(f"{error.__class__.__name__}: {error}")
                else:
                    waiting.set_result(finished.result()[index])

        done.add_done_callback(deliver)

    async def _ingest_page(self, capture: PageCapture) -> IntakeResult:
        """Queue a page for the next batch and wait for its result."""
        loop = asyncio.get_running_loop()
        waiting: asyncio.Future[IntakeResult | str] = loop.create_future()
        self.pending.append((capture, waiting))
        if len(self.pending) >= BATCH_SIZE:
            self._flush()
        elif self._drained():
            if self.flush_handle is not None:
                self.flush_handle.cancel()
            self.flush_handle = loop.call_later(DRAINED_WAIT, self._flush)
        elif self.flush_handle is None:
            self.flush_handle = loop.call_later(BATCH_WAIT, self._flush)
        result = await waiting
        if isinstance(result, str):
            self._inc("intake_errors")
            raise DropItem(f"intake failed for {capture.url}: {result}")
        return result

    def _drained(self) -> bool:
        """Is no page downloading or waiting in the scheduler? Then none can join the
        batch soon (Scrapy's idle check cannot tell us: pages waiting here keep it busy;
        images and screenshots still downloading are no pages: `NOT_A_PAGE`)."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (yet)
            return False
        scheduler = engine.scheduler
        if scheduler is None or scheduler.has_pending_requests():
            return False
        return all(request.meta.get(NOT_A_PAGE) for request in engine.downloader.active)

    async def _page(self, item: PageItem) -> None:
        spider = self.crawler.spider
        if self.ocr is None and getattr(spider, "fetch_images", False) and b"<img" in item.body:
            # A poster is probably on its way: load the OCR engine (a second of CPU; the
            # worker reads at nice 10) while the image downloads instead of after it arrived.
            self._ocr_pool().submit(ocr_worker.ocr_ready)
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

    async def _image(self, item: ImageItem) -> None:
        digest = hashlib.sha256(item.body).hexdigest()
        reading = self.ocr_reads.get(digest)
        if reading is None:
            reading = self.ocr_reads[digest] = asyncio.ensure_future(self._call(
                self._ocr_pool(), ocr_worker.read_image, item.body, self.ocr_engine,
                self.ocr_timeout, self.max_pixels,
            ))
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
        result = await self._call(self.intake, workers.ingest_one_image, capture)
        if isinstance(result, str):
            self._inc("intake_errors")
            raise DropItem(f"intake failed for image {item.image_url}: {result}")
        self._count(result)
