"""Scrapy settings for the admon crawler (the `scrapy startproject` layout).

Users go through `admon crawl`, which runs this project in a child process and adds the
per-run settings (database, data dir, run id, JOBDIR, limits). Values here are the
defaults for one polite crawler on one office machine. Docs:
https://docs.scrapy.org/en/latest/topics/settings.html
"""

from __future__ import annotations

BOT_NAME = "admon"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Identify ourselves honestly; site owners can read who crawls them and why.
USER_AGENT = "Mozilla/5.0 (compatible; admon/0.1; ad monitor of a market-supervision office)"
ROBOTSTXT_OBEY = True

# Politeness: small concurrency, AutoThrottle adapts the delay to the site's latency.
# https://docs.scrapy.org/en/latest/topics/autothrottle.html
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

# Retries with exponential backoff; 429/503 wait what Retry-After asks (crawlers.middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
RETRY_AFTER_MAX = 120.0

# Size and time caps (faults.md rows 17, 18). Scrapy ≥ 2.11.1 also applies DOWNLOAD_MAXSIZE
# while decompressing, which defuses gzip bombs.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 10
METAREFRESH_MAXDELAY = 30

# Breadth-first: with a page budget, the pages near the front door matter most.
# https://docs.scrapy.org/en/latest/faq.html#does-scrapy-crawl-in-breadth-first-or-depth-first-order
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.RedirectGuardMiddleware": 650,
}

ITEM_PIPELINES = {
    "crawlers.pipelines.IntakePipeline": 300,
}

EXTENSIONS = {
    "crawlers.extensions.ProgressReporter": 500,
}

# JavaScript rendering through Debian's Chromium (crawlers.browser). The handler only
# starts the browser for requests that ask for it (meta["playwright"]).
# https://github.com/scrapy-plugins/scrapy-playwright#configuration
DOWNLOAD_HANDLERS = {
    "http": "crawlers.handler.BoundedPlaywrightDownloadHandler",
    "https": "crawlers.handler.BoundedPlaywrightDownloadHandler",
}
ADMON_RENDER_TIMEOUT = 60.0  # hard limit per rendered request (crawlers.handler)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_CONTEXTS = 3
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000
PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER = True
# PLAYWRIGHT_LAUNCH_OPTIONS and PLAYWRIGHT_ABORT_REQUEST are set per run (monitor.crawling).

# admon's own per-run settings (filled in by monitor.crawling; empty means "not in a run").
ADMON_DATABASE_URL = ""
ADMON_DATA_DIR = ""
ADMON_RUN_ID = 0
ADMON_SOURCE_ID = 0
ADMON_COMMUNITY = ""
ADMON_PROGRESS_FD = -1
ADMON_OCR_ENGINE = "auto"
ADMON_OCR_TIMEOUT = 60.0
ADMON_OCR_THREADS = 1  # onnxruntime threads of the crawl's niced OCR worker; 0 = every core
ADMON_IMAGE_MAX_PIXELS = 40_000_000
# Shared frontier (crawlers.frontier): empty = the single-machine crawl; set by
# `admon worker crawl`, together with scrapy-redis's scheduler settings and the
# FrontierWorker extension (so a crawl without the `scale` extra never imports them).
ADMON_FRONTIER_URL = ""

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
