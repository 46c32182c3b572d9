"""Fixtures for crawler tests: the demo town on loopback and crawl environments."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawlers.demo_site import DemoSite

#: Scrapy overrides that keep crawls of the demo town quick: the slow route gives up after
#: 3 s, one retry, short backoff. Retry-After (2 s on /faults/busy) is still honoured.
FAST: dict[str, Any] = {
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.2,
    "AUTOTHROTTLE_START_DELAY": 0.05,
}


@dataclass
class CrawlEnv:
    """Settings, engine and session factory for crawls into one database."""

    settings: Any
    engine: Engine
    sessions: sessionmaker[Session]


EnvMaker = Callable[[str, Path], CrawlEnv]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    """The demo town on 127.0.0.1 (a fresh server per test module)."""
    with DemoSite(bulk_pages=400) as site:
        yield site


@pytest.fixture(scope="session")
def fast() -> dict[str, Any]:
    return dict(FAST)


@pytest.fixture(scope="session")
def make_env() -> Iterator[EnvMaker]:
    """A factory: migrated database at `db_url`, Settings pointing at it and `data_dir`."""
    from monitor.db import make_engine, session_factory, upgrade
    from monitor.settings import Settings

    made: list[CrawlEnv] = []

    def factory(db_url: str, data_dir: Path) -> CrawlEnv:
        engine = make_engine(db_url)
        upgrade(engine)
        settings = Settings(data_dir=data_dir, database_url=db_url)
        env = CrawlEnv(settings=settings, engine=engine, sessions=session_factory(engine))
        made.append(env)
        return env

    yield factory
    for env in made:
        env.engine.dispose()
