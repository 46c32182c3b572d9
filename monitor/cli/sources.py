"""`admon sources add|list|enable|disable`: the places the nightly crawl visits (监测源).

Each command parses options and calls one function of `monitor.crawling`.
"""

from __future__ import annotations

import json

import click

from monitor.cli.common import command_with_globals
from monitor.cli.db import open_session
from monitor.models.core import SOURCE_KINDS, Source
from monitor.sources import add_source, list_sources, set_source_enabled

RENDER_CHOICES = ("auto", "always", "never")


def _record(source: Source) -> dict[str, object]:
    return {
        "id": source.id, "name": source.name, "kind": source.kind,
        "start_urls": list(source.start_urls), "enabled": source.enabled,
        "max_pages": source.max_pages, "max_depth": source.max_depth, "render": source.render,
        "schedule": source.schedule, "community": source.community,
    }


@click.group()
@command_with_globals
def sources() -> None:
    """Sources (监测源): sites and platforms to crawl, with their limits."""


@sources.command("add")
@click.argument("name")
@click.argument("urls", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="site", show_default=True)
@click.option("--max-pages", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--max-depth", type=click.IntRange(min=0), default=5, show_default=True)
@click.option("--render", type=click.Choice(RENDER_CHOICES), default="auto", show_default=True,
              help="always: the site needs JavaScript on every page.")
@click.option("--schedule", metavar="CRON", default=None,
              help="Crontab line in the office time zone, e.g. '0 2 * * *'.")
@click.option("--community", default=None, help="所属社区, copied onto its leads.")
@click.option("--notes", default="")
@command_with_globals
def add(name: str, urls: tuple[str, ...], kind: str, max_pages: int, max_depth: int,
        render: str, schedule: str | None, community: str | None, notes: str) -> None:
    """Add a source.

    Example:

        admon sources add 青禾便民网 http://127.0.0.1:8765/ --max-pages 300 --schedule '0 2 * * *'
    """
    with open_session() as session:
        source = add_source(
            session, name, list(urls), kind=kind, max_pages=max_pages, max_depth=max_depth,
            render=render, schedule=schedule, community=community, notes=notes,
        )
        click.echo(f"added source {source.id} {source.name}")


@sources.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text")
@command_with_globals
def list_(fmt: str) -> None:
    """List sources.

    Example:

        admon sources list --format jsonl
    """
    with open_session() as session:
        rows = list_sources(session)
        for source in rows:
            if fmt == "jsonl":
                click.echo(json.dumps(_record(source), ensure_ascii=False))
                continue
            state = "on " if source.enabled else "off"
            click.echo(
                f"{source.id:>4} {state} {source.name}  {' '.join(source.start_urls)}  "
                f"pages≤{source.max_pages} depth≤{source.max_depth} render={source.render}"
                + (f" schedule='{source.schedule}'" if source.schedule else "")
            )
        if not rows and fmt == "text":
            click.echo("no sources yet: admon sources add NAME URL...", err=True)


@sources.command("enable")
@click.argument("ref", metavar="ID|NAME")
@command_with_globals
def enable(ref: str) -> None:
    """Enable a source (nightly and --all-sources crawls include it)."""
    with open_session() as session:
        source = set_source_enabled(session, ref, True)
        click.echo(f"source {source.id} {source.name} enabled")


@sources.command("disable")
@click.argument("ref", metavar="ID|NAME")
@command_with_globals
def disable(ref: str) -> None:
    """Disable a source (kept with its history, but no longer crawled)."""
    with open_session() as session:
        source = set_source_enabled(session, ref, False)
        click.echo(f"source {source.id} {source.name} disabled")
