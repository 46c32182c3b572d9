"""Writing the semi-monthly report to a file: what the CLI and the scheduler share.

The schedule runs `write_report` on report days (`is_report_day`: the 15th and the last day
of each month); `admon report` calls it for any day.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.errors import InvalidInput
from monitor.ledger.signals import Scanner
from monitor.reports.campaign import Campaign
from monitor.reports.data import build_report
from monitor.reports.html import write_html
from monitor.reports.model import SemiMonthlyReport
from monitor.reports.xlsx import render_xlsx

FORMATS = ("xlsx", "html")


def is_report_day(day: date) -> bool:
    """The 15th or the last day of the month (the office's reporting days)."""
    return day.day == 15 or day.day == calendar.monthrange(day.year, day.month)[1]


def default_path(reports_dir: Path, as_of: date, fmt: str) -> Path:
    """`<dir>/半月报-2026-11-15.xlsx`."""
    return reports_dir / f"半月报-{as_of.isoformat()}.{fmt}"


def write_report(
    session: Session,
    as_of: date,
    out: Path,
    *,
    fmt: str = "xlsx",
    timezone: str = "Asia/Shanghai",
    campaign: Campaign | None = None,
    scanner: Scanner | None = None,
) -> SemiMonthlyReport:
    """Build the report for the half-month ending at `as_of` and write it to `out`."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown report format {fmt!r} (use {' or '.join(FORMATS)})")
    report = build_report(session, as_of, timezone=timezone, campaign=campaign, scanner=scanner)
    if fmt == "xlsx":
        render_xlsx(report, out)
    else:
        write_html(report, out)
    return report
