"""`admon report`: write the semi-monthly summary (半月报) as xlsx or HTML.

Opens the database, calls `monitor.reports.write_report` (the scheduler's report job calls
the same function), and prints a JSON line naming the file and the headline figures.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.db import open_session
from monitor.reports import default_path, load_campaign, write_report


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
    target = out or default_path(settings.data_dir / "reports", day, fmt)
    campaign = load_campaign(settings)
    with open_session(settings) as session:
        data = write_report(
            session, day, target, fmt=fmt, timezone=settings.timezone, campaign=campaign
        )
    summary = {
        "out": str(target),
        "period": {"start": data.period.start.isoformat(), "end": data.period.end.isoformat()},
        "partial": data.period.partial,
        "new_leads": data.new_leads,
        "confirmed": data.confirmed,
        "overdue_rectifications": len(data.overdue),
    }
    click.echo(json.dumps(summary, ensure_ascii=False))
