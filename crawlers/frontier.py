"""A shared crawl frontier in Redis (scrapy-redis), for crawling one site from several hosts.

Off unless a crawl is given `ADMON_FRONTIER_URL` (then `frontier_settings` switches Scrapy to
scrapy-redis's Scheduler and RFPDupeFilter; the default single-machine crawl is unchanged).

Keys, all under `admon:frontier:<name>`:

| key | what |
| --- | --- |
| `:config` | JSON spider arguments written by the seeder (urls, max_pages, …) |
| `:start` | present until one worker has yielded the start requests |
| `:requests` | the shared FIFO queue (scrapy-redis `FifoQueue` layout: LPUSH / RPOP end) |
| `:dupefilter` | the shared request fingerprints (scrapy-redis `RFPDupeFilter`) |
| `:inflight:<worker>` | requests a worker has popped (atomically, LMOVE) and not yet acked |
| `:alive:<worker>` | heartbeat, expires `HEARTBEAT_TTL` s after the worker stops refreshing it |

At-least-once delivery: a worker pops with LMOVE into its own in-flight list and clears
the list when Scrapy reports it idle (every popped request downloaded, parsed and its items
through the pipeline, i.e. stored by intake) or when it finishes cleanly. Intake is
idempotent by page key, so a page read twice adds a sighting, never a second lead. Any live
worker moves the in-flight list of a worker whose heartbeat has expired (SIGKILL, power
loss) back onto the queue: at its start, every `HEARTBEAT` seconds, and while idle. An idle
worker finishes only when the queue and every other worker's in-flight list have stayed
empty for `ADMON_FRONTIER_IDLE` seconds.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from typing import Any

import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.queue import FifoQueue
from twisted.internet import task

PREFIX = "admon:frontier"
HEARTBEAT = 2.0  # seconds between heartbeats
HEARTBEAT_TTL = 10  # a worker silent this long is dead; its in-flight requests go back
DEFAULT_IDLE = 15.0  # seconds a worker waits on an empty frontier before it finishes


def base_key(name: str) -> str:
    return f"{PREFIX}:{name}"


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def frontier_settings(
    url: str, name: str, worker: str, idle: float = DEFAULT_IDLE
) -> dict[str, Any]:
    """Scrapy settings that make one crawl process a worker of the frontier `name`."""
    from crawlers import settings as project

    base = base_key(name)
    return {
        "EXTENSIONS": {**project.EXTENSIONS, "crawlers.frontier.FrontierWorker": 510},
        "ADMON_FRONTIER_URL": url,
        "ADMON_FRONTIER_NAME": name,
        "ADMON_FRONTIER_WORKER": worker,
        "ADMON_FRONTIER_IDLE": idle,
        "REDIS_URL": url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "crawlers.frontier.ReliableFifoQueue",
        "SCHEDULER_QUEUE_KEY": f"{base}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{base}:dupefilter",
        "SCHEDULER_PERSIST": True,  # one worker finishing must not flush the others' queue
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never block the reactor in BRPOP
        "JOBDIR": None,  # the frontier is the job state
    }


class Frontier:
    """The Redis side of one named frontier (seeding, status, recovery)."""

    def __init__(self, client: redis.Redis, name: str) -> None:
        self.client = client
        self.name = name
        self.base = base_key(name)
        self.queue = f"{self.base}:requests"

    @classmethod
    def from_url(cls, url: str, name: str) -> Frontier:
        return cls(redis.Redis.from_url(url), name)

    def seed(self, spider_args: dict[str, Any], *, reset: bool = False) -> None:
        """Publish the crawl (spider arguments) and let the first worker yield its start."""
        if reset:
            self.clear()
        pipe = self.client.pipeline()
        pipe.set(f"{self.base}:config", json.dumps(spider_args))
        pipe.set(f"{self.base}:start", "1")
        pipe.execute()

    def config(self) -> dict[str, Any] | None:
        raw = self.client.get(f"{self.base}:config")
        return json.loads(raw) if raw else None

    def claim_start(self) -> bool:
        """True for exactly one worker: the one that yields the start requests."""
        return bool(self.client.delete(f"{self.base}:start"))

    def inflight_key(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def heartbeat(self, worker: str) -> None:
        self.client.set(f"{self.base}:alive:{worker}", str(time.time()), ex=HEARTBEAT_TTL)

    def workers(self) -> dict[str, bool]:
        """Workers holding in-flight requests, and whether each is alive."""
        prefix = f"{self.base}:inflight:"
        found: dict[str, bool] = {}
        for key in self.client.scan_iter(match=prefix + "*"):
            worker = key.decode()[len(prefix):]
            found[worker] = bool(self.client.exists(f"{self.base}:alive:{worker}"))
        return found

    def requeue(self, worker: str) -> int:
        """Move a worker's in-flight requests back to the pop end of the queue."""
        moved = 0
        while self.client.lmove(self.inflight_key(worker), self.queue, "LEFT", "RIGHT"):
            moved += 1
        return moved

    def recover_dead(self, me: str = "") -> int:
        """Requeue the in-flight requests of every worker whose heartbeat has expired."""
        return sum(self.requeue(w) for w, alive in self.workers().items()
                   if not alive and w != me)

    def ack(self, worker: str) -> None:
        self.client.delete(self.inflight_key(worker), f"{self.base}:alive:{worker}")

    def status(self) -> dict[str, Any]:
        workers = self.workers()
        return {
            "name": self.name,
            "queued": int(self.client.llen(self.queue)),
            "seen": int(self.client.scard(f"{self.base}:dupefilter")),
            "inflight": {w: int(self.client.llen(self.inflight_key(w))) for w in workers},
            "alive": sorted(w for w, alive in workers.items() if alive),
            "seeded": self.config() is not None,
        }

    def clear(self) -> None:
        keys = list(self.client.scan_iter(match=f"{self.base}:*"))
        if keys:
            self.client.delete(*keys)


class ReliableFifoQueue(FifoQueue):
    """scrapy-redis FifoQueue whose pop moves the request into this worker's in-flight list."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        name = spider.settings.get("ADMON_FRONTIER_NAME")
        worker = spider.settings.get("ADMON_FRONTIER_WORKER")
        self.inflight = f"{base_key(name)}:inflight:{worker}"

    def pop(self, timeout: int = 0) -> Any:
        data = self.server.lmove(self.key, self.inflight, "RIGHT", "LEFT")
        return self._decode_request(data) if data else None


class FrontierWorker:
    """Extension: heartbeat, recovery of dead workers' requests, idle wait, ack on finish."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.worker = str(settings.get("ADMON_FRONTIER_WORKER"))
        self.idle = settings.getfloat("ADMON_FRONTIER_IDLE", DEFAULT_IDLE)
        self.frontier = Frontier.from_url(
            str(settings.get("ADMON_FRONTIER_URL")), str(settings.get("ADMON_FRONTIER_NAME")))
        self.idle_since: float | None = None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierWorker:
        if not crawler.settings.get("ADMON_FRONTIER_URL"):
            raise NotConfigured("no frontier")
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle_check, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def beat(self) -> None:
        self.frontier.heartbeat(self.worker)
        moved = self.frontier.recover_dead(self.worker)
        if moved and self.crawler.stats is not None:
            self.crawler.stats.inc_value("admon/frontier_recovered", moved)

    def opened(self, spider: Spider) -> None:
        self.beat()
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(HEARTBEAT, now=False)

    def idle_check(self, spider: Spider) -> None:
        # Scrapy calls this only when nothing is downloading or in the item pipeline, so
        # everything this worker popped has been stored: ack it (keeps the list short).
        self.frontier.client.delete(self.frontier.inflight_key(self.worker))
        self.beat()
        busy = self.frontier.client.llen(self.frontier.queue) or any(
            self.frontier.client.llen(self.frontier.inflight_key(w))
            for w in self.frontier.workers() if w != self.worker)
        now = time.monotonic()
        if busy:  # work queued, or another worker may still add some (or die holding it)
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle:
            raise DontCloseSpider

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if reason == "finished":
            self.frontier.ack(self.worker)
        else:  # stopped early (Ctrl-C, errors): hand what it held back to the others
            self.frontier.requeue(self.worker)
            self.frontier.ack(self.worker)
