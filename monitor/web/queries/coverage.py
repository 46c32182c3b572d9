"""排查全覆盖 for the coverage page: `ledger.coverage` rows plus when each building was last
swept and visited in the period, so a gap (nothing in the period) stands out.

`monitor.ledger.visits.coverage` counts visits and sweeps but keeps no last-seen times;
`last_sweep` / `last_visit` belong on its `CoverageRow`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from monitor.ledger import coverage
from monitor.ledger.visits import UNKNOWN, CoverageRow
from monitor.models.ledger import PosterSweep, Visit


@dataclass
class CoverageLine:
    """One (community, building) with its counts and latest activity in the period."""

    row: CoverageRow
    last_sweep: datetime | None
    last_visit: datetime | None

    @property
    def gap(self) -> bool:
        """Nothing at all in the period: no sweep and no visit."""
        return self.row.sweeps == 0 and self.row.visits == 0


def coverage_lines(session: Session, start: datetime, end: datetime) -> list[CoverageLine]:
    """Coverage for start <= time < end, gaps first, then by community and building."""
    last_sweep = _latest(
        session, PosterSweep.community, PosterSweep.building, PosterSweep.swept_at, start, end
    )
    last_visit = _latest(session, Visit.community, Visit.building, Visit.visited_at, start, end)
    lines = [
        CoverageLine(
            row,
            last_sweep.get((row.community, row.building)),
            last_visit.get((row.community, row.building)),
        )
        for row in coverage(session, start, end)
    ]
    return sorted(lines, key=lambda line: (not line.gap, line.row.community, line.row.building))


def _latest(
    session: Session,
    community: InstrumentedAttribute[str],
    building: InstrumentedAttribute[str],
    moment: InstrumentedAttribute[datetime],
    start: datetime,
    end: datetime,
) -> dict[tuple[str, str], datetime]:
    """(community, building) → the latest `moment` in the period."""
    stmt = (
        select(community, building, func.max(moment))
        .where(moment >= start, moment < end)
        .group_by(community, building)
    )
    out: dict[tuple[str, str], datetime] = {}
    for where, place, latest in session.execute(stmt):
        if latest is not None:
            out[(where or UNKNOWN, place or "")] = latest
    return out
