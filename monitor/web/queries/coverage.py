"""排查全覆盖 for the coverage page: `ledger.coverage` rows (sweeps, poster uploads, visits)
with when each building was last swept and visited in the period, gaps first, so a
building where nothing happened stands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy.orm import Session

from monitor.ledger import coverage
from monitor.ledger.visits import CoverageRow


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


def coverage_lines(
    session: Session, start: datetime, end: datetime, tz: tzinfo = UTC
) -> list[CoverageLine]:
    """Coverage for start <= time < end, gaps first, then by community and building."""
    lines = [
        CoverageLine(row, row.last_sweep, row.last_visit)
        for row in coverage(session, start, end, tz=tz)
    ]
    return sorted(lines, key=lambda line: (not line.gap, line.row.community, line.row.building))
