"""Child-process entry point: `python -m crawlers.run CONFIG.json`.

Twisted's reactor cannot be restarted inside one process, so every crawl (from `admon crawl`
or the scheduler) runs here, in a fresh process, with its configuration in a JSON file
written by `monitor.crawling`: Scrapy setting overrides, spider arguments, and the browser
to use. Progress goes to the pipe named in ADMON_PROGRESS_FD; logs go to LOG_FILE.

The pipeline's intake worker is started before Scrapy is imported (`crawlers.worker_pools`),
so it warms up while Scrapy starts. Scrapy is imported inside the functions, not at the top:
the workers are spawned, and a spawned process re-imports its parent's main module — this
one — where a top-level Scrapy import cost each worker 0.4 s of CPU for nothing.

Exit status: 0 when Scrapy ran (however the spider closed; the progress pipe says why),
2 for a bad configuration, 1 when the crawl itself crashed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import Settings

SETTINGS_MODULE = "crawlers.settings"


def build_settings(config: dict[str, Any]) -> Settings:
    """Project settings plus this run's overrides (the `cmdline` priority, as `-s` would)."""
    from scrapy.settings import Settings

    from crawlers.browser import SameOriginOnly, launch_options

    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    settings.setdict(config.get("settings", {}), priority="cmdline")
    browser = config.get("browser")
    if browser:
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(Path(browser)), "cmdline")
    urls = list(config.get("spider", {}).get("urls", []))
    settings.set("PLAYWRIGHT_ABORT_REQUEST", SameOriginOnly(urls), "cmdline")
    return settings


def run(config: dict[str, Any]) -> int:
    """Run one crawl to its end in this process."""
    from crawlers import worker_pools

    worker_pools.start_early(config.get("settings", {}))
    try:
        from scrapy.crawler import CrawlerProcess

        process = CrawlerProcess(build_settings(config))
        process.crawl("site", **config.get("spider", {}))
        process.start()
    finally:
        worker_pools.discard_early()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crawlers.run CONFIG.json", file=sys.stderr)
        return 2
    try:
        config = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"crawlers.run: cannot read {args[0]}: {exc}", file=sys.stderr)
        return 2
    return run(config)


if __name__ == "__main__":
    sys.exit(main())
