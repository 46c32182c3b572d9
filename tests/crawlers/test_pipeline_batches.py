"""When the pipeline sends a part-filled batch: after BATCH_WAIT while pages keep coming, at
once when none can (the end of a crawl) — the wait was pure tail on every crawl."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawlers import pipelines, workers
from crawlers.items import NOT_A_PAGE
from crawlers.pipelines import IntakePipeline
from crawlers.spiders.site import SiteSpider
from monitor.intake.types import IntakeResult, PageCapture

START = "http://town.example/"


class InlineIntake:
    """Stands in for the intake worker: records each batch and answers at once."""

    def __init__(self) -> None:
        self.batches: list[list[PageCapture]] = []

    def submit(self, func: Any, *args: Any) -> Future[Any]:
        assert func is workers.ingest_batch
        self.batches.append(list(args[0]))
        done: Future[Any] = Future()
        done.set_result([IntakeResult(capture_id=n) for n in range(len(args[0]))])
        return done


class Scheduler:
    def __init__(self, pending: bool) -> None:
        self.pending = pending

    def has_pending_requests(self) -> bool:
        return self.pending


def _pipeline(active: list[Request], pending: bool = False) -> tuple[IntakePipeline, InlineIntake]:
    crawler = get_crawler(SiteSpider, settings_dict={"ADMON_DATABASE_URL": "sqlite://"})
    crawler.engine = SimpleNamespace(  # type: ignore[assignment]
        scheduler=Scheduler(pending), downloader=SimpleNamespace(active=set(active)))
    pipeline = IntakePipeline.from_crawler(crawler)
    intake = InlineIntake()
    pipeline.intake = intake  # type: ignore[assignment]
    return pipeline, intake


def _pages(pipeline: IntakePipeline, count: int, within: float) -> list[IntakeResult]:
    async def ingest() -> list[IntakeResult]:
        pages = [PageCapture(url=f"{START}{n}.html") for n in range(count)]
        return await asyncio.wait_for(
            asyncio.gather(*(pipeline._ingest_page(page) for page in pages)), within)

    return asyncio.run(ingest())


@pytest.fixture(autouse=True)
def long_batch_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipelines, "BATCH_WAIT", 30.0)  # a test that waits for it times out


def test_nothing_downloading_sends_the_batch_at_once() -> None:
    pipeline, intake = _pipeline(active=[])
    results = _pages(pipeline, 3, within=2.0)
    assert [r.capture_id for r in results] == [0, 1, 2]
    assert [len(batch) for batch in intake.batches] == [3]  # one batch, not one per page


def test_only_images_and_screenshots_downloading_sends_the_batch_at_once() -> None:
    active = [Request(START + "poster.png", meta={NOT_A_PAGE: True}),
              Request(START + "shot", meta={NOT_A_PAGE: True, "playwright": True})]
    pipeline, intake = _pipeline(active=active)
    _pages(pipeline, 2, within=2.0)
    assert [len(batch) for batch in intake.batches] == [2]


@pytest.mark.parametrize("active, pending", [
    ([Request(START + "next.html")], False),  # a page is downloading: it may join
    ([], True),  # requests wait in the scheduler
])
def test_pages_still_coming_wait_for_the_batch(active: list[Request], pending: bool) -> None:
    pipeline, intake = _pipeline(active=active, pending=pending)
    with pytest.raises(TimeoutError):
        _pages(pipeline, 2, within=0.5)
    assert intake.batches == []


def test_a_full_batch_goes_at_once_even_while_pages_come() -> None:
    pipeline, intake = _pipeline(active=[Request(START + "next.html")])
    _pages(pipeline, pipelines.BATCH_SIZE, within=2.0)
    assert [len(batch) for batch in intake.batches] == [pipelines.BATCH_SIZE]


def test_spider_marks_image_requests_as_not_pages() -> None:
    from scrapy.http import HtmlResponse

    crawler = get_crawler(SiteSpider)
    spider = SiteSpider.from_crawler(crawler, urls=START)
    html = HtmlResponse(START, body=b'<img src="/poster.png"><a href="/a.html">a</a>',
                        encoding="utf-8")
    requests = list(spider._follow(html, 0))
    by_url = {r.url: r for r in requests}
    assert by_url[START + "poster.png"].meta.get(NOT_A_PAGE) is True
    assert not by_url[START + "a.html"].meta.get(NOT_A_PAGE)
