"""Reads for the sources page: each source's latest crawl runs."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.models.core import CrawlRun


def recent_runs(
    session: Session, per_source: int = 3, scan: int = 500
) -> dict[int, list[CrawlRun]]:
    """The last `per_source` runs of every source (from the latest `scan` runs)."""
    runs: dict[int, list[CrawlRun]] = defaultdict(list)
    stmt = (
        sa.select(CrawlRun)
        .where(CrawlRun.source_id.is_not(None))
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(scan)
    )
    for run in session.scalars(stmt):
        assert run.source_id is not None
        if len(runs[run.source_id]) < per_source:
            runs[run.source_id].append(run)
    return runs
