"""Crawling one site from several hosts through a shared Redis frontier (crawlers.frontier).

`seed` publishes a crawl (spider arguments) to the frontier; `run_worker` runs one crawler
process that pulls requests from it and writes through the usual pipeline and intake into
the shared database. Intake is idempotent by page key, so one worker or several give the
same leads, and a page read twice (after a worker died holding it) is a sighting, not a
second lead.
"""

from __future__ import annotations

import time
from typing import Any

from crawlers.frontier import DEFAULT_IDLE, Frontier, frontier_settings, new_worker_id
from crawlers.render import RENDER_MODES
from monitor.errors import ConfigError, InvalidInput
from monitor.settings import Settings

DEFAULT_NAME = "default"


def seed(frontier_url: str, urls: list[str] | tuple[str, ...], *, name: str = DEFAULT_NAME,
         max_pages: int = 500, max_depth: int = 5, render: str = "never",
         images: bool = True, reset: bool = False) -> dict[str, Any]:
    """Publish a crawl of `urls` on the frontier `name`; returns the spider arguments."""
    from monitor.crawling import validate_urls

    if render not in RENDER_MODES:
        raise InvalidInput(f"render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
    args: dict[str, Any] = {
        "urls": list(validate_urls(list(urls))), "max_pages": max_pages,
        "max_depth": max_depth, "render": render, "images": images,
    }
    Frontier.from_url(frontier_url, name).seed(args, reset=reset)
    return args


def worker_config(settings: Settings, frontier_url: str, spider_args: dict[str, Any], *,
                  name: str = DEFAULT_NAME, worker: str | None = None,
                  idle: float = DEFAULT_IDLE, browser: str | None = None,
                  extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `crawlers.run` configuration of one frontier worker."""
    scrapy_settings: dict[str, Any] = {
        "ADMON_DATABASE_URL": settings.resolved_database_url,
        "ADMON_DATA_DIR": str(settings.data_dir.resolve()),
        "ADMON_OCR_ENGINE": settings.ocr_engine,
        "ADMON_OCR_TIMEOUT": settings.ocr_timeout_seconds,
        "ADMON_IMAGE_MAX_PIXELS": settings.image_max_pixels,
        **frontier_settings(frontier_url, name, worker or new_worker_id(), idle),
        **(extra or {}),
    }
    spider = dict(spider_args)
    spider["screenshots"] = bool(spider.get("screenshots", True)) and browser is not None
    return {"settings": scrapy_settings, "spider": spider, "browser": browser}


def wait_for_config(frontier: Frontier, wait: float) -> dict[str, Any]:
    deadline = time.monotonic() + wait
    while True:
        config = frontier.config()
        if config is not None:
            return config
        if time.monotonic() >= deadline:
            raise ConfigError(f"frontier {frontier.name!r} has not been seeded "
                              "(admon worker seed --frontier URL URL...)")
        time.sleep(0.5)


def run_worker(settings: Settings, frontier_url: str, *, name: str = DEFAULT_NAME,
               idle: float = DEFAULT_IDLE, wait: float = 60.0,
               extra: dict[str, Any] | None = None) -> int:
    """Run one crawl worker in this process until the frontier stays empty for `idle` s."""
    from crawlers.browser import ChromiumMissing, find_chromium
    from crawlers.run import run

    frontier = Frontier.from_url(frontier_url, name)
    spider_args = wait_for_config(frontier, wait)
    browser: str | None = None
    try:
        browser = str(find_chromium(settings.chromium_path))
    except ChromiumMissing as exc:
        if spider_args.get("render", "never") != "never":
            raise ConfigError(str(exc)) from exc
    config = worker_config(settings, frontier_url, spider_args, name=name, idle=idle,
                           browser=browser, extra=extra)
    return run(config)
