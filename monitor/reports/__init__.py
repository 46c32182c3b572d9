"""The semi-monthly summary (半月报), as of the 15th and the last day of each month.

    report = build_report(session, as_of, timezone=..., campaign=load_campaign(settings))
    render_xlsx(report, out)      # several sheets
    write_html(report, out)       # one self-contained page (inline SVG charts)
    write_report(session, as_of, out, fmt="xlsx"|"html", ...)   # build + write (CLI, schedule)
    is_report_day(day)            # the 15th or the month's last day

The data object is built once, by one function; renderers only lay it out.
"""

from monitor.reports.campaign import Campaign, CampaignPhase, load_campaign
from monitor.reports.data import build_report
from monitor.reports.files import default_path, is_report_day, write_report
from monitor.reports.html import render_html, write_html
from monitor.reports.model import SemiMonthlyReport
from monitor.reports.period import Period
from monitor.reports.xlsx import render_xlsx

__all__ = [
    "Campaign",
    "CampaignPhase",
    "Period",
    "SemiMonthlyReport",
    "build_report",
    "default_path",
    "is_report_day",
    "load_campaign",
    "render_html",
    "render_xlsx",
    "write_html",
    "write_report",
]
