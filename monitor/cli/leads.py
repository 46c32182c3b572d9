"""`admon leads list|show|export`: the review queue and its export from the command line.

Each command parses options, calls one function of `monitor.leads`, and prints. Dates on
the command line are calendar days in the office time zone (settings.timezone).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from monitor import leads as leads_api
from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.db import open_session
from monitor.leads.show import detail_record, format_detail
from monitor.models.core import LEAD_SOURCE_KINDS, LEAD_STATUSES, RISKS

CATEGORIES = (
    "return_promise",
    "principal_guarantee",
    "hot_concept",
    "endorsement",
    "public_solicitation",
)
_DAY = click.DateTime(["%Y-%m-%d"])


def _office_midnight(day: date) -> datetime:
    """Start of `day` in the office time zone, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(current_settings().timezone))


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(current_settings().timezone)).strftime("%Y-%m-%d %H:%M")


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.group()
@command_with_globals
def leads() -> None:
    """Leads (线索): the review queue, one lead's evidence, and exports."""


@leads.command("list")
@command_with_globals
@click.option("--status", multiple=True, type=click.Choice(LEAD_STATUSES), help="Repeatable.")
@click.option("--risk", multiple=True, type=click.Choice(RISKS), help="Repeatable.")
@click.option("--category", multiple=True, type=click.Choice(CATEGORIES), help="Any of these.")
@click.option(
    "--source", multiple=True, type=click.Choice(LEAD_SOURCE_KINDS), help="web|poster|tip"
)
@click.option("--community", default=None, help="所属社区, exactly as stored.")
@click.option("--since", type=_DAY, default=None, help="Raised on or after this day (YYYY-MM-DD).")
@click.option("--until", type=_DAY, default=None, help="Raised on or before this day.")
@click.option(
    "--sort", type=click.Choice(list(leads_api.SORTS)), default="newest", show_default=True
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True
)
def list_leads(
    status: tuple[str, ...],
    risk: tuple[str, ...],
    category: tuple[str, ...],
    source: tuple[str, ...],
    community: str | None,
    since: datetime | None,
    until: datetime | None,
    sort: str,
    page: int,
    limit: int,
    fmt: str,
) -> None:
    """List the review queue, newest first.

    Example:

        admon leads list --status new --risk high --category return_promise --since 2026-11-01
    """
    filters = leads_api.LeadFilters(
        status=status,
        risk=risk,
        category=category,
        source_kind=source,
        community=community,
        since=_office_midnight(since.date()) if since else None,
        until=_office_midnight(until.date() + timedelta(days=1)) if until else None,
    )
    with open_session() as session:
        result = leads_api.queue(session, filters, sort=sort, page=page, per_page=limit)
    if fmt == "jsonl":
        for row in result.rows:
            record: dict[str, Any] = dict(row.__dict__)
            record["created_at"] = row.created_at.isoformat()
            record["last_seen_at"] = row.last_seen_at.isoformat()
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    for row in result.rows:
        cats = ",".join(row.categories) or "-"
        click.echo(
            f"{row.id:>7}  {row.status:<9} {row.risk:<6} {row.score:4.2f}"
            f"  {row.source_kind}/{row.via:<6} ×{row.seen_count:<3}"
            f" {_local(row.created_at)}  {cats}\n"
            f"         {_one_line(row.url, 100)}\n"
            f"         {_one_line(row.snippet, 60)}"
        )
    counts = ", ".join(f"{s} {n}" for s, n in result.status_counts.items())
    click.echo(
        f"page {result.page}/{result.pages}: {len(result.rows)} of {result.total} ({counts})"
    )


@leads.command("show")
@command_with_globals
@click.argument("lead_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def show(lead_id: int, fmt: str) -> None:
    """Show one lead: detection, evidence, versions, sightings, workflow events.

    Example:

        admon leads show 42
    """
    with open_session() as session:
        detail = leads_api.get_lead(session, lead_id)
        if fmt == "json":
            click.echo(json.dumps(detail_record(detail), ensure_ascii=False, indent=2))
        else:
            click.echo(format_detail(detail, current_settings().timezone))


@leads.command("export")
@command_with_globals
@click.option(
    "--format", "fmt", type=click.Choice(leads_api.FORMATS), default="jsonl", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (required for xlsx; else standard output).",
)
def export(fmt: str, out: Path | None) -> None:
    """Export every lead: id, url, source, via, categories, risk, annualized_return,
    status, evidence_sha256, captured_at, text.

    Example:

        admon leads export --format xlsx --out leads.xlsx
    """
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE.xlsx")
    with open_session() as session:
        count = leads_api.export_leads(session, fmt, out=sys.stdout, path=out)
    click.echo(f"exported {count} leads" + (f" to {out}" if out else ""), err=True)
