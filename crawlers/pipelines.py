"""The one item pipeline: hand each capture to `monitor.intake` (入库).

Spiders extract; this pipeline converts items into intake captures and lets the domain code
decide (evidence, rules, leads). Blocking work runs off the reactor thread:

* intake (SQLAlchemy, evidence files, rules) on one dedicated DB thread — one writer keeps
  SQLite free of lock fights and keeps captures in arrival order;
* OCR (`ocr.read`) on its own thread, so a slow poster never stalls page intake.

Images are de-duplicated by SHA-256 across the crawl: each distinct picture is read once,
and its text is reused for every page it appears on. When intake reports a new lead or a
new version for a page, the spider is asked for a full-page screenshot, which comes back as
a ScreenshotItem and is attached to that capture.

Without ADMON_DATABASE_URL (a bare `scrapy crawl site`) the pipeline switches itself off
(NotConfigured) and items go to Scrapy's feed exports instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from crawlers.items import FetchErrorItem, ImageItem, PageItem, ScreenshotItem
from monitor.db import make_engine, session_factory
from monitor.evidence import EvidenceStore, sha256_hex
from monitor.intake import (
    ImageCapture,
    IntakeResult,
    PageCapture,
    attach_screenshot,
    ingest_image,
    ingest_page,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


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
        self.ocr_texts: dict[str, tuple[str, str]] = {}  # image sha256 -> (text, engine)

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
        self.ocr_pool = ThreadPool(minthreads=1, maxthreads=1, name="admon-ocr")
        self.db_pool.start()
        self.ocr_pool.start()

    def close_spider(self) -> None:
        self.db_pool.stop()
        self.ocr_pool.stop()
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

    def _ingest_page(self, capture: PageCapture) -> IntakeResult:
        with self.sessions() as session:
            return ingest_page(session, self.store, capture)

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
        result = await self._on(self.db_pool, self._ingest_page, capture)
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
        await self._on(self.db_pool, self._ingest_page, capture)
        self._inc("errors")
        self._inc(f"errors/{item.fetch_status}")

    def _count(self, result: IntakeResult) -> None:
        self._inc("leads_new", result.new_leads)
        self._inc("lead_versions", result.new_versions)
        self._inc("sightings", result.sightings)

    # --- images ---------------------------------------------------------------------------

    def _read(self, body: bytes) -> tuple[str, str]:
        from ocr import read  # imported here: OCR engines load models on first use

        result = read(
            body, engine=self.ocr_engine, timeout=self.ocr_timeout, max_pixels=self.max_pixels
        )
        return result.text, result.engine

    async def _image(self, item: ImageItem) -> None:
        from ocr import OcrError

        digest = sha256_hex(item.body)
        if digest not in self.ocr_texts:
            try:
                self.ocr_texts[digest] = await self._on(self.ocr_pool, self._read, item.body)
                self._inc("images_read")
            except OcrError as exc:
                self.ocr_texts[digest] = ("", "")
                self._inc("images_unreadable")
                log.info("image %s not read: %s", item.image_url, exc)
        else:
            self._inc("images_duplicate")
        text, engine = self.ocr_texts[digest]
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
