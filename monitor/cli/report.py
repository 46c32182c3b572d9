"""`admon report`: write the semi-monthly summary (半月报) as xlsx or HTML.

Opens the database, builds the report with `monitor.reports.build_report`, renders it, and
prints a JSON line naming the file and the headline figures.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.db import open_session
from monitor.reports import build_report, load_campaign, render_xlsx, write_html


@click.command("report")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day of the period (the 15th or month end; default: today, office time zone).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "html"]),
    default="xlsx",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (default: <data dir>/reports/半月报-<as-of>.<format>).",
)
@command_with_globals
def report(as_of: datetime | None, fmt: str, out: Path | None) -> None:
    """Write the semi-monthly report for the half-month ending at --as-of.

    Example:

        admon report --as-of 2026-11-15 --format html --out 半月报.html
    """
    settings = current_settings()
    day: date = as_of.date() if as_of else datetime.now(ZoneInfo(settings.timezone)).date()
    target = out or settings.data_dir / "reports" / f"半月报-{day.isoformat()}.{fmt}"
    campaign = load_campaign(settings)
    with open_session(settings) as session:
        data = build_report(session, day, timezone=settings.timezone, campaign=campaign)
    if fmt == "xlsx":
        render_xlsx(data, target)
    else:
        write_html(data, target)
    summary = {
        "out": str(target),
        "period": {"start": data.period.start.isoformat(), "end": data.period.end.isoformat()},
        "partial": data.period.partial,
        "new_leads": data.new_leads,
        "confirmed": data.confirmed,
        "overdue_rectifications": len(data.overdue),
    }
    click.echo(json.dumps(summary, ensure_ascii=False))
