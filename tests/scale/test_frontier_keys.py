"""The frontier's Redis bookkeeping without a crawl: pop into an in-flight list, recovery of
a dead worker's requests, settings only when a frontier is given, and the OCR switch."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import cast

import pytest
import redis
from scrapy import Request, Spider
from scrapy.settings import Settings as ScrapySettings

from crawlers.frontier import Frontier, ReliableFifoQueue, frontier_settings
from monitor.ocr_queue import submit
from monitor.settings import Settings

pytestmark = [pytest.mark.redis]


@pytest.fixture
def frontier(redis_url: str) -> Iterator[Frontier]:
    state = Frontier(redis.Redis.from_url(redis_url), f"unit-{uuid.uuid4().hex[:10]}")
    yield state
    state.clear()


def _queue(frontier: Frontier, worker: str) -> ReliableFifoQueue:
    settings = ScrapySettings(frontier_settings("redis://unused", frontier.name, worker))
    spider = SimpleNamespace(name="site", settings=settings)
    return ReliableFifoQueue(frontier.client, cast(Spider, spider), frontier.queue)


def test_pop_holds_request_until_ack_and_dead_worker_is_recovered(frontier: Frontier) -> None:
    a, b = _queue(frontier, "a"), _queue(frontier, "b")
    for n in range(3):
        a.push(Request(f"http://x.test/{n}"))
    assert a.pop().url == "http://x.test/0"  # FIFO
    assert a.pop().url == "http://x.test/1"
    assert frontier.status()["inflight"] == {"a": 2}
    frontier.heartbeat("a")
    assert frontier.recover_dead("b") == 0  # a is alive: its requests stay with it
    frontier.client.delete(f"{frontier.base}:alive:a")  # heartbeat expired (SIGKILL)
    assert frontier.recover_dead("b") == 2
    # back at the pop end, in their original order, ahead of what was still queued
    assert [b.pop().url for _ in range(3)] == [
        "http://x.test/0", "http://x.test/1", "http://x.test/2"]
    assert b.pop() is None
    frontier.ack("b")
    assert frontier.status()["inflight"] == {}


def test_seed_and_single_start(frontier: Frontier) -> None:
    frontier.seed({"urls": ["http://x.test/"], "max_pages": 5})
    assert frontier.config() == {"urls": ["http://x.test/"], "max_pages": 5}
    assert frontier.claim_start() is True
    assert frontier.claim_start() is False  # only the first worker yields the start


def test_default_crawl_settings_have_no_frontier() -> None:
    from scrapy.settings import Settings as S

    settings = S()
    settings.setmodule("crawlers.settings")
    assert settings.get("ADMON_FRONTIER_URL") == ""
    assert settings.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"
    shared = frontier_settings("redis://h:6379/0", "n", "w")
    assert shared["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert shared["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert shared["SCHEDULER_PERSIST"] is True
    assert "crawlers.frontier.FrontierWorker" not in settings.getdict("EXTENSIONS")
    assert set(shared["EXTENSIONS"]) == {
        *settings.getdict("EXTENSIONS"), "crawlers.frontier.FrontierWorker"}


def test_ocr_submit_only_with_redis(tmp_path: object) -> None:
    assert submit(Settings(redis_url=None), 1) is False
