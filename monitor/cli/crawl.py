"""`admon crawl URL... [--max-pages N] [--render auto|always|never]` (interfaces.md).

Parses options and calls `monitor.crawling.run_crawl` once per crawl: the URLs given form
one ad-hoc crawl; each `--source` (or every enabled source with `--all-sources`) is its own.
While it runs, a progress line is drawn on stderr when stderr is a terminal; a summary is
printed at the end. Ctrl-C once stops cleanly; the next crawl of the same URLs or source
resumes where it stopped.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.db import open_database, open_session
from monitor.crawling import CrawlPlan, CrawlSummary, run_crawl, validate_urls
from monitor.errors import InvalidInput
from monitor.sources import find_source, list_sources

RENDER_CHOICES = ("auto", "always", "never")


class ProgressLine:
    """`页面 pages 42 · 排队 queued 17 · 线索 leads 3 · 错误 errors 1`, redrawn in place."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.width = 0

    def __call__(self, line: dict[str, Any]) -> None:
        if not self.enabled:
            return
        text = (
            f"\rpages {line.get('pages', 0)} · queued {line.get('queued', 0)} · "
            f"leads {line.get('leads', 0)} · errors {line.get('errors', 0)}"
        )
        self.width = max(self.width, len(text))
        click.echo(text.ljust(self.width), err=True, nl=False)

    def clear(self) -> None:
        if self.enabled and self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)
            self.width = 0


def summary_text(label: str, summary: CrawlSummary) -> str:
    """A few human lines: what was crawled, what it found, what went wrong."""
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.error_kinds.items()))
    lines = [
        f"{label}: run {summary.run_id} {summary.status} in {summary.seconds:.1f}s"
        + (" (resumed)" if summary.resumed else ""),
        f"  pages {summary.pages} (rendered {summary.rendered}), images read {summary.images}, "
        f"screenshots {summary.screenshots}",
        f"  new leads {summary.leads_new}, changed leads {summary.lead_versions}",
        f"  errors {summary.errors}" + (f" ({kinds})" if kinds else ""),
    ]
    lines += [f"  note: {note}" for note in summary.notes if note != "new crawl"]
    return "\n".join(lines)


def summary_json(label: str, summary: CrawlSummary) -> str:
    return json.dumps({
        "target": label, "run_id": summary.run_id, "status": summary.status,
        "pages": summary.pages, "rendered": summary.rendered, "leads_new": summary.leads_new,
        "lead_versions": summary.lead_versions, "errors": summary.errors,
        "error_kinds": summary.error_kinds, "images": summary.images,
        "screenshots": summary.screenshots, "seconds": round(summary.seconds, 2),
        "resumed": summary.resumed, "notes": summary.notes,
    }, ensure_ascii=False)


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--source", "sources", multiple=True, metavar="ID|NAME",
              help="Crawl a configured source (repeatable).")
@click.option("--all-sources", is_flag=True, help="Crawl every enabled source.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Page budget per crawl (default 500, or the source's).")
@click.option("--max-depth", type=click.IntRange(min=0), default=None,
              help="Link depth from the start URL (default 5, or the source's).")
@click.option("--render", type=click.Choice(RENDER_CHOICES), default=None,
              help="Run JavaScript in Chromium: auto (when a page needs it), always, never.")
@click.option("--no-screenshots", is_flag=True, help="Skip screenshots of pages with leads.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Summary format.")
@click.option("--frontier", default=None, metavar="REDIS_URL",
              help="Seed a shared Redis frontier for `admon worker crawl` hosts instead of "
                   "crawling here (see docs/deployment.md).")
@click.option("--frontier-name", default="default", show_default=True,
              help="Name of the shared frontier.")
@command_with_globals
def crawl(urls: tuple[str, ...], sources: tuple[str, ...], all_sources: bool,
          max_pages: int | None, max_depth: int | None, render: str | None,
          no_screenshots: bool, fmt: str, frontier: str | None, frontier_name: str) -> int:
    """Crawl sites, store every page with its evidence, and raise leads.

    Stays on each URL's scheme, host and port, obeys robots.txt, renders JavaScript pages in
    headless Chromium, and reads text inside images.

    Example:

        admon crawl http://127.0.0.1:8765/ --max-pages 200 --render auto
    """
    settings = current_settings()
    if frontier:
        from monitor.distributed import seed

        args = seed(frontier, list(urls), name=frontier_name, max_pages=max_pages or 500,
                    max_depth=5 if max_depth is None else max_depth, render=render or "never")
        click.echo(json.dumps({"frontier": frontier_name, "seeded": args}, ensure_ascii=False))
        return 0
    database = open_database(settings)
    screenshots = not no_screenshots
    plans: list[tuple[str, CrawlPlan]] = []
    if urls:
        plan = CrawlPlan(
            urls=validate_urls(list(urls)), max_pages=max_pages or 500,
            max_depth=5 if max_depth is None else max_depth, render=render or "auto",
            screenshots=screenshots,
        )
        plans.append((" ".join(urls), plan))
    with open_session(settings) as session:
        chosen = [find_source(session, ref) for ref in sources]
        if all_sources:
            chosen += [s for s in list_sources(session, enabled_only=True) if s not in chosen]
        for source in chosen:
            plans.append((f"source {source.id} {source.name}", CrawlPlan.for_source(
                source, max_pages=max_pages, max_depth=max_depth, render=render,
                screenshots=screenshots,
            )))
    if not plans:
        raise InvalidInput("nothing to crawl: give URLs, --source ID|NAME or --all-sources")
    progress = ProgressLine(enabled=sys.stderr.isatty())
    worst = 0
    for label, plan in plans:
        try:
            summary = run_crawl(settings, database.sessions, plan, on_progress=progress)
        finally:
            progress.clear()
        click.echo(summary_json(label, summary) if fmt == "json" else summary_text(label, summary))
        if summary.status == "interrupted":
            return 130
        if summary.status != "finished":
            worst = 1
    return worst
