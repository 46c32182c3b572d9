"""排查全覆盖 (coverage): per community and building, the poster sweeps and enterprise
visits of a period, with the buildings where nothing happened shown first as gaps.

The default period is the current half-month (the semi-monthly report's period), so the
page answers "what is still missing before the 15th / month end".
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.reports import Period
from monitor.web.deps import DB
from monitor.web.queries.coverage import coverage_lines
from monitor.web.routes.staff_common import (
    Staff,
    day_bounds,
    local_time,
    office_tz,
    parse_day,
    today,
)
from monitor.web.templating import render

router = APIRouter()


@router.get("/coverage")
def coverage_page(
    request: Request, db: DB, signed_in: Staff, since: str = "", until: str = ""
) -> Response:
    tz = office_tz(request)
    now = today(request)
    start = parse_day(since, default=Period.ending(now, tz.key).start)
    end = parse_day(until, default=now)
    lines = coverage_lines(db, *day_bounds(start, end, tz), tz)
    context = {
        "lines": lines,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "gaps": sum(1 for line in lines if line.gap),
        "complete": sum(1 for line in lines if line.row.complete),
        "local": lambda value: local_time(value, tz),
    }
    return render(request, "coverage/index.html", context, signed_in=signed_in)
