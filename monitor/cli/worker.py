"""`admon worker seed|crawl|status|ocr|sweep`: the shared deployment's workers (docs/deployment.md).

    admon worker seed --frontier redis://db:6379/0 http://site/ --max-pages 500
    admon worker crawl --frontier redis://db:6379/0        # on each crawler host
    admon worker ocr --redis redis://db:6379/0             # on the OCR host
"""

from __future__ import annotations

import json

import click

from monitor.cli.common import command_with_globals, current_settings
from monitor.errors import ConfigError

FRONTIER_HELP = "Redis URL of the shared frontier (else ADMON_REDIS_URL)."


def _redis_url(given: str | None) -> str:
    url = given or current_settings().redis_url
    if not url:
        raise ConfigError("give --frontier/--redis redis://HOST:6379/0 or set ADMON_REDIS_URL")
    return url


@click.group()
def worker() -> None:
    """Workers of a shared deployment: crawl from a Redis frontier, OCR from an RQ queue."""


@worker.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--frontier", default=None, metavar="URL", help=FRONTIER_HELP)
@click.option("--name", default="default", help="Frontier name (one per concurrent crawl).")
@click.option("--max-pages", type=click.IntRange(min=1), default=500)
@click.option("--max-depth", type=click.IntRange(min=0), default=5)
@click.option("--render", type=click.Choice(["auto", "always", "never"]), default="never")
@click.option("--reset", is_flag=True, help="Forget this frontier's queue and seen URLs first.")
@command_with_globals
def seed(urls: tuple[str, ...], frontier: str | None, name: str, max_pages: int,
         max_depth: int, render: str, reset: bool) -> int:
    """Publish a crawl of URLS on the shared frontier; `admon worker crawl` hosts pull it."""
    from monitor.distributed import seed as seed_frontier

    args = seed_frontier(_redis_url(frontier), urls, name=name, max_pages=max_pages,
                         max_depth=max_depth, render=render, reset=reset)
    click.echo(json.dumps({"frontier": name, "seeded": args}, ensure_ascii=False))
    return 0


@worker.command()
@click.option("--frontier", default=None, metavar="URL", help=FRONTIER_HELP)
@click.option("--name", default="default", help="Frontier name.")
@click.option("--idle", type=float, default=15.0, show_default=True,
              help="Seconds to wait on an empty frontier before finishing.")
@click.option("--wait", type=float, default=60.0, show_default=True,
              help="Seconds to wait for the frontier to be seeded.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Scrapy setting override, as `scrapy -s` (repeatable).")
@command_with_globals
def crawl(frontier: str | None, name: str, idle: float, wait: float,
          overrides: tuple[str, ...]) -> int:
    """Crawl from the shared frontier into the shared database until it stays empty."""
    from monitor.cli.db import open_database
    from monitor.distributed import run_worker

    settings = current_settings()
    open_database(settings)  # migrated to head before the intake workers connect
    extra: dict[str, str] = {}
    for pair in overrides:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set wants NAME=VALUE, not {pair!r}")
        extra[key] = value
    return run_worker(settings, _redis_url(frontier), name=name, idle=idle, wait=wait,
                      extra=extra)


@worker.command()
@click.option("--frontier", default=None, metavar="URL", help=FRONTIER_HELP)
@click.option("--name", default="default", help="Frontier name.")
@command_with_globals
def status(frontier: str | None, name: str) -> int:
    """Queue length, seen URLs, workers alive and in-flight requests, as JSON."""
    from crawlers.frontier import Frontier

    click.echo(json.dumps(Frontier.from_url(_redis_url(frontier), name).status()))
    return 0


@worker.command()
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="Redis URL of the OCR queue (else ADMON_REDIS_URL).")
@click.option("--queue", "queue_name", default="admon-ocr", show_default=True,
              help="RQ queue name.")
@click.option("--lease", type=float, default=30.0, show_default=True,
              help="Seconds a killed worker's upload stays claimed before the sweep retries it.")
@click.option("--sweep-every", type=float, default=30.0, show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@command_with_globals
def ocr(redis_url: str | None, queue_name: str, lease: float, sweep_every: float,
        burst: bool) -> int:
    """Run an RQ worker reading uploads (OCR) from the shared queue."""
    from monitor.cli.db import open_database
    from monitor.ocr_queue import run_worker

    settings = current_settings()
    open_database(settings)

    def report(found: object) -> None:
        click.echo(f"sweep: {found}", err=True)

    run_worker(settings, _redis_url(redis_url), queue_name=queue_name, lease=lease,
               sweep_every=sweep_every, burst=burst, on_sweep=report)
    return 0


@worker.command()
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="Redis URL of the OCR queue (else ADMON_REDIS_URL).")
@click.option("--queue", "queue_name", default="admon-ocr", show_default=True)
@command_with_globals
def sweep(redis_url: str | None, queue_name: str) -> int:
    """Enqueue every upload waiting for OCR (and free ones a dead worker held)."""
    from monitor.cli.db import open_database
    from monitor.ocr_queue import open_queue
    from monitor.ocr_queue import sweep as sweep_uploads

    settings = current_settings()
    database = open_database(settings)
    found = sweep_uploads(database.sessions, open_queue(_redis_url(redis_url), queue_name))
    click.echo(json.dumps({"reset": found.reset, "enqueued": found.enqueued}))
    return 0
