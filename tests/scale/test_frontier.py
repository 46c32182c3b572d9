"""Crawl workers sharing a Redis frontier write the same leads as one worker; a worker killed
with SIGKILL mid-crawl loses nothing (its in-flight requests go back to the queue)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from crawlers.demo_site import DemoSite
from crawlers.frontier import Frontier
from monitor.db import make_engine, upgrade
from monitor.models.core import Capture, Lead

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.slow]

BULK = 30
ADMON = str(Path(sys.executable).parent / "admon")
FAST = ["DOWNLOAD_TIMEOUT=3", "RETRY_TIMES=1", "RETRY_BACKOFF_BASE=0.2",
        "AUTOTHROTTLE_START_DELAY=0.05", "LOG_LEVEL=INFO"]


@pytest.fixture
def frontier(redis_url: str) -> Iterator[tuple[str, str]]:
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield redis_url, name
    Frontier(redis.Redis.from_url(redis_url), name).clear()


def _migrated(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _seed(redis_url: str, name: str, url: str, tmp: Path, *extra: str) -> None:
    subprocess.run(
        [ADMON, "worker", "seed", "--frontier", redis_url,
         "--name", name, "--render", "never", *extra, url],
        check=True, env=_env("", tmp), capture_output=True,
    )


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMON_")}
    env.update(ADMON_DATA_DIR=str(data_dir))
    if db_url:
        env["ADMON_DATABASE_URL"] = db_url
    return env


def _worker(redis_url: str, name: str, db_url: str, data_dir: Path, log: Path,
            idle: float = 3.0) -> subprocess.Popen[bytes]:
    sets = [arg for pair in FAST for arg in ("--set", pair)]
    with log.open("ab") as out:
        return subprocess.Popen(
            [ADMON, "worker", "crawl", "--frontier", redis_url,
             "--name", name, "--idle", str(idle), "--wait", "20", *sets],
            env=_env(db_url, data_dir), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # SIGKILL of the group takes its intake processes too
        )


def _leads(db_url: str) -> set[tuple[str, str]]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        leads = {(u, v) for u, v in conn.execute(sa.select(Lead.url, Lead.via))}
    engine.dispose()
    return leads


def _captured(db_url: str, part: str = "/") -> set[str]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        urls = set(conn.scalars(sa.select(Capture.url).where(Capture.url.contains(part))))
    engine.dispose()
    return urls


def _crawl(redis_url: str, db_url: str, site: DemoSite, tmp: Path, workers: int) -> None:
    name = f"test-{uuid.uuid4().hex[:10]}"
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        _seed(redis_url, name, site.url, tmp)
        procs = [_worker(redis_url, name, db_url, tmp, tmp / f"w{n}-{name}.log")
                 for n in range(workers)]
        for proc in procs:
            assert proc.wait(timeout=240) == 0
    finally:
        Frontier(redis.Redis.from_url(redis_url), name).clear()


def test_two_workers_give_the_leads_one_worker_gives(
    redis_url: str, postgres_url: str, tmp_path: Path,
) -> None:
    with DemoSite(bulk_pages=BULK) as site, _schemas(postgres_url, 2) as (one, two):
        _crawl(redis_url, _migrated(one), site, tmp_path / "one", workers=1)
        _crawl(redis_url, _migrated(two), site, tmp_path / "two", workers=2)
        single, double = _leads(one), _leads(two)
        assert single and single == double
        assert _captured(one) == _captured(two)


def test_killed_worker_loses_no_page(
    frontier: tuple[str, str], postgres_schema_url: str, tmp_path: Path,
) -> None:
    redis_url, name = frontier
    db_url = _migrated(postgres_schema_url)
    with DemoSite(bulk_pages=BULK, bulk_delay=0.4, sitemap=False) as site:
        _seed(redis_url, name, f"{site.url}bulk/", tmp_path, "--max-depth", "50")
        first = _worker(redis_url, name, db_url, tmp_path, tmp_path / "first.log")
        state = Frontier(redis.Redis.from_url(redis_url), name)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # mid-crawl: bulk pages stored and some in flight
            held = sum(state.status()["inflight"].values())
            if len(_captured(db_url, "/bulk/")) >= 3 and held:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first worker never got going")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        assert len(_captured(db_url, "/bulk/")) < BULK
        second = _worker(redis_url, name, db_url, tmp_path, tmp_path / "second.log")
        assert second.wait(timeout=240) == 0, (tmp_path / "second.log").read_text()[-3000:]
        every = {f"{site.url}bulk/", *(f"{site.url}bulk/{n}.html" for n in range(1, BULK + 1))}
        assert _captured(db_url, "/bulk/") == every  # nothing the killed worker held is lost
        assert sum(state.status()["inflight"].values()) == 0


class _schemas:
    """Private PostgreSQL schemas (as the postgres_schema_url fixture), several at once."""

    def __init__(self, base: str, count: int) -> None:
        self.base, self.count, self.names = base, count, [
            f"t_{uuid.uuid4().hex[:12]}" for _ in range(count)]

    def __enter__(self) -> list[str]:
        engine = sa.create_engine(self.base)
        with engine.begin() as conn:
            for schema in self.names:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        sep = "&" if "?" in self.base else "?"
        return [f"{self.base}{sep}options=-csearch_path%3D{s}" for s in self.names]

    def __exit__(self, *exc: object) -> None:
        engine = sa.create_engine(self.base)
        with engine.begin() as conn:
            for schema in self.names:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
