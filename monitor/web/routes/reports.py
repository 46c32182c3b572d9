"""The semi-monthly summary (半月报) in the browser, and as the same workbook the CLI and
the schedule write.

Both come from `monitor.reports.build_report`, so the page and the xlsx show the same
numbers; the page's bar charts are laid out by the report's own `bar_chart`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.ledger.tags import TAG_LABELS
from monitor.reports import SemiMonthlyReport, build_report, load_campaign, render_xlsx
from monitor.reports.html import bar_chart
from monitor.web.deps import DB
from monitor.web.routes.staff_common import (
    Staff,
    local_time,
    office_tz,
    parse_day,
    today,
    xlsx_download,
)
from monitor.web.templating import render

router = APIRouter()


def _report(request: Request, db: DB, as_of: str) -> SemiMonthlyReport:
    """The report for the half-month ending at `as_of` (default: today, office time)."""
    settings = request.app.state.settings
    day = parse_day(as_of, default=today(request))
    return build_report(db, day, timezone=settings.timezone, campaign=load_campaign(settings))


@router.get("/reports")
def report_page(request: Request, db: DB, signed_in: Staff, as_of: str = "") -> Response:
    tz = office_tz(request)
    report = _report(request, db, as_of)
    context = {
        "r": report,
        "chart": bar_chart,
        "tag_labels": TAG_LABELS,
        "local": lambda value: local_time(value, tz),
    }
    return render(request, "reports/index.html", context, signed_in=signed_in)


@router.get("/reports.xlsx")
def report_xlsx(request: Request, db: DB, signed_in: Staff, as_of: str = "") -> Response:
    report = _report(request, db, as_of)
    with tempfile.TemporaryDirectory(prefix="admon-report-") as tmp:
        out = Path(tmp) / "report.xlsx"
        render_xlsx(report, out)
        body = out.read_bytes()
    return xlsx_download(body, f"半月报-{report.period.end.isoformat()}.xlsx")
